"""Property tests: hostile input to the metrics never crashes them or makes nonsense numbers.

tests/test_delivery.py already throws plausible answers at `analyze`. These throw what a broken
microphone, a confused engine or a corrupt file can produce: NaN and infinite samples, samples
far outside [-1, 1], float64 or int16-scaled audio, audio in blocks of any size, words with
NaN, negative, reversed or far-out times, empty or odd texts, words in any order. And the
headline metrics, the session summary and the JSON round trip must hold up too.
"""

from __future__ import annotations

import json
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.delivery.analyze import Delivery, analyze
from simulator.delivery.summary import summarize
from simulator.transcribe.base import TimedWord

SR = 16_000

TEXTS = st.one_of(
    st.sampled_from(["I", "led", "the", "team,", "um", "uh,", "Um...", "like", "you know", "so,", "basically",
                     "1990", "30%", "mid", "-sized", "", " ", "...", "—", "I'm", "don't", "naïve", "東京", "🙂",
                     "result.", "Situation:", "kind of", "sort", "of", "I", "I", "I"]),
    st.text(max_size=12),
)
TIMES = st.one_of(st.floats(-5, 40), st.just(float("nan")), st.just(float("inf")), st.just(-float("inf")),
                  st.floats(1e5, 1e9))


@st.composite
def hostile_words(draw):
    words = []
    for _ in range(draw(st.integers(0, 50))):
        start = draw(TIMES)
        end = draw(st.one_of(TIMES, st.floats(-1, 2).map(lambda d: start + d if math.isfinite(start) else d)))
        words.append(TimedWord(draw(TEXTS), start, end, draw(st.one_of(st.floats(-1, 2), st.just(float("nan"))))))
    if draw(st.booleans()):
        words.sort(key=lambda w: w.start if math.isfinite(w.start) else 0.0)
    return words


@st.composite
def hostile_audio(draw):
    seconds = draw(st.floats(0, 3))
    size = draw(st.one_of(st.just(int(seconds * SR)), st.integers(0, 5)))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 16)))
    kind = draw(st.sampled_from(["zeros", "noise", "tone", "loud", "int16-scaled", "nan", "inf", "dc", "float64"]))
    t = np.arange(size) / SR
    if kind == "zeros":
        audio = np.zeros(size)
    elif kind == "noise":
        audio = rng.normal(0, draw(st.floats(1e-7, 1)), size)
    elif kind == "tone":  # voiced-like bursts with gaps
        audio = 0.3 * np.sin(2 * np.pi * draw(st.floats(60, 400)) * t) * (np.sin(2 * np.pi * 0.5 * t) > 0)
    elif kind == "loud":
        audio = rng.normal(0, 50, size)
    elif kind == "int16-scaled":
        audio = rng.integers(-32768, 32767, size).astype(np.float64)
    elif kind == "dc":
        audio = np.full(size, draw(st.floats(-1, 1)))
    else:
        audio = rng.normal(0, 0.1, size)
        if size and kind in ("nan", "inf"):
            bad = rng.integers(0, size, max(1, size // 100))
            audio[bad] = np.nan if kind == "nan" else np.inf
    dtype = np.float64 if kind == "float64" else np.float32
    audio = audio.astype(dtype)
    if draw(st.booleans()) or not audio.size:
        return audio, audio
    cuts = sorted(draw(st.lists(st.integers(0, audio.size), max_size=6)))
    return audio, [audio[a:b] for a, b in zip([0, *cuts], [*cuts, audio.size])]


def numbers(value, path="$"):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from numbers(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from numbers(v, f"{path}[{i}]")
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, value


SIGNED = ("prosody", "probability")  # semitone trends may fall; engine probabilities are passed through


def check(d: Delivery, words: list[TimedWord]) -> dict:
    out = d.to_dict()
    text = json.dumps(out, allow_nan=False)  # raises on NaN or infinity anywhere
    for path, x in numbers(out):
        assert math.isfinite(x), path
        if not any(s in path for s in SIGNED):
            assert x >= 0, (path, x)
    # Every word is either kept or dropped, never lost or invented.
    assert len(out["words"]) + out["dropped_word_count"] == len(words)
    f = out["fillers"]
    assert f["hesitation"] + f["discourse"] == sum(f["by_phrase"].values())
    assert f["hesitation"] == sum(1 for w in out["words"] if w["filler"] == "hesitation")
    assert f["hesitation"] + f["discourse"] <= len(out["words"]) + sum(w["text"].count(" ") for w in out["words"])
    assert out["speech_found"] == bool(out["words"])
    if not out["words"]:
        assert out["word_count"] == 0 and out["wpm"] is None and out["fillers_per_min"] is None
    else:
        span = max(w["end"] for w in out["words"]) - out["words"][0]["start"]
        assert abs(out["speech_s"] - span) < 0.01
        assert out["speech_s"] <= (out["duration_s"] or 0) + 0.01
        if out["wpm"] is not None:  # the rate is the count over the span, nothing else
            assert out["wpm"] == pytest_approx(out["word_count"] * 60 / out["speech_s"])
        if out["pause_ratio"] is not None:
            assert out["pause_ratio"] <= 1.0 + 1e-6
    for w in out["words"]:
        assert 0 <= w["start"] <= w["end"] <= (out["duration_s"] or 0) + 0.01, w
    # The headline metrics every view shows.
    for m in out["metrics"]:
        assert not {"nan", "inf", "-inf"} & set(m["display"].lower().split()), m
    assert Delivery.from_dict(json.loads(text)).to_dict() == out
    return out


def pytest_approx(value: float, rel: float = 0.02, abs_: float = 0.6):
    class Approx:
        def __eq__(self, other):
            return math.isclose(other, value, rel_tol=rel, abs_tol=abs_)

        def __repr__(self):
            return f"≈{value:.2f}"

    return Approx()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_audio(), hostile_words(), st.one_of(st.none(), st.floats(0.5, 600)))
def test_hostile_input_gives_finite_consistent_metrics(audio, words, budget):
    whole, feed = audio
    d = analyze(feed if isinstance(feed, list) else whole, list(words), time_budget_s=budget,
                duration_s=whole.size / SR)
    check(d, words)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(hostile_audio(), hostile_words()), min_size=0, max_size=5))
def test_session_summary_of_hostile_answers_is_finite(cases):
    deliveries = [analyze(whole, list(words), duration_s=whole.size / SR) for (whole, _feed), words in cases]
    for d, (_audio, words) in zip(deliveries, cases):
        check(d, words)
    summary = summarize([*deliveries, None] if deliveries else []).to_dict()
    json.dumps(summary, allow_nan=False)
    for path, x in numbers(summary):
        assert math.isfinite(x), path
    assert summary.get("answers", len(deliveries)) >= 0
