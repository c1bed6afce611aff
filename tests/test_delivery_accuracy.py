"""Issue 4's accuracy targets, measured on the real transcriber (faster-whisper tiny.en, verbatim prompt).

One run of `run_accuracy` (about 40 s on 2 cores) feeds every assertion. Generated audio goes to
pytest's temporary folder. Nothing here skips: a missing model or espeak-ng fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from conftest import DATA
from simulator.evaluation.accuracy import TARGETS, run_accuracy

pytestmark = pytest.mark.model


# Whisper's output shifts with the CPU's kernels (an AMD EPYC kept 48 of the 56 synthetic
# hesitations where this Intel Xeon kept 51): every target must hold under both compute types,
# which run different kernels, under two beam sizes, and under the matrix library an AMD CPU gets
# (oneDNN instead of MKL, with AVX-512 as on Zen 4 and with AVX2 as on Zen 2/3:
# `simulator.bench.KERNELS`, run in a fresh process because CTranslate2 reads them when it loads).
# The default comes first.
DECODINGS = [("int8", 5, "native"), ("float32", 5, "native"), ("int8", 2, "native"), ("float32", 2, "native"),
             ("int8", 5, "onednn"), ("int8", 5, "onednn-avx2")]


# Reports by the computation they are: on an AMD CPU the "native" kernels are oneDNN's at the CPU's
# own ISA (`bench.kernels_in_effect`), so the oneDNN decoding is the default's, measured once.
_MEASURED: dict[tuple, dict] = {}


@pytest.fixture(scope="module", params=DECODINGS,
                ids=[f"{c}-beam{b}" + ("" if k == "native" else f"-{k}") for c, b, k in DECODINGS])
def report(request, tmp_path_factory):
    from simulator.bench import kernels_in_effect

    compute_type, beam_size, kernels = request.param
    key = (compute_type, beam_size, kernels_in_effect(kernels))
    if key not in _MEASURED:
        _MEASURED[key] = _measure(request, tmp_path_factory, compute_type, beam_size, kernels)
    return _MEASURED[key]


def _measure(request, tmp_path_factory, compute_type: str, beam_size: int, kernels: str) -> dict:
    from simulator.bench import EngineConfig, accuracy_elsewhere
    from simulator.transcribe.faster import FasterWhisperTranscriber

    assert shutil.which("espeak-ng"), "espeak-ng is needed for the synthetic answers (apt-get install espeak-ng)"
    if kernels != "native":
        return accuracy_elsewhere(EngineConfig("faster-whisper", "tiny.en", compute_type, beam_size=beam_size,
                                               kernels=kernels))
    if beam_size == 5:  # the default beam: the session's models (conftest) are these, loaded once
        transcriber = request.getfixturevalue("transcriber" if compute_type == "int8" else "transcriber_float32")
        assert (transcriber.compute_type, transcriber.beam_size, transcriber.passes) == (compute_type, 5, "both")
        return run_accuracy(lambda: transcriber, workdir=tmp_path_factory.mktemp("accuracy"))
    return run_accuracy(lambda: FasterWhisperTranscriber(compute_type=compute_type, beam_size=beam_size),
                        workdir=tmp_path_factory.mktemp("accuracy"))


def test_pace_within_5_percent_on_aligned_clips(report):
    for name, clip in report["aligned"]["clips"].items():
        assert clip["pace_error"] <= TARGETS["pace_error"], (name, clip)


def test_pace_on_synthetic_answers(report):
    syn = report["synthetic"]
    # The speech span is this package's share of the pace and must always be right; the word count
    # is the transcriber's. Measured: span error <= 1%; 22 of 24 clips within 5%, the other two are
    # transcription failures (one lost most of its words, one misheard a voice).
    assert syn["span_error_max"] <= 0.03, syn["span_error_max"]
    assert syn["pace_error_median"] <= TARGETS["pace_error"], syn["pace_error_median"]
    assert syn["pace_within_5pct"] >= 0.9 * len(syn["clips"]), [c for c in syn["clips"] if c["pace_error"] > 0.05]


def test_pauses_on_aligned_clips(report):
    a = report["aligned"]
    assert a["pause_counts"]["true"] >= 5
    assert a["pause_recall"] >= TARGETS["pause_recall"], a["pause_counts"]
    assert a["pause_precision"] >= TARGETS["pause_precision"], a["pause_counts"]


def test_pauses_on_synthetic_answers(report):
    s = report["synthetic"]
    assert s["pause_recall"] >= 0.9 and s["pause_precision"] >= 0.9, s["pauses"]


def test_word_times_snapped_closer_than_raw(report):
    t = report["aligned"]["word_timing"]
    assert t["start_median_ms"] <= t["raw_start_median_ms"] and t["end_median_ms"] <= t["raw_end_median_ms"]
    assert t["start_median_ms"] <= 150 and t["end_median_ms"] <= 150, t


def test_no_real_word_is_dropped_on_the_clean_clips(report):
    """Issue 10: the guards against invented words (voice model, decoder evidence) keep every word
    of the JFK and LibriVox readings."""
    assert report["jfk"]["dropped"] == []
    for name, clip in report["aligned"]["clips"].items():
        assert clip["dropped"] == [], (name, clip["dropped"])


def test_jfk(report):
    jfk = report["jfk"]
    assert 20 <= jfk["word_count"] <= 24
    long_pauses = [p for p in jfk["pauses"] if p[1] - p[0] >= 0.5]
    assert len(long_pauses) == 3, jfk["pauses"]  # 1.1, 1.1 and 0.6 s between its phrases


def test_hesitation_precision(report):
    s = report["synthetic"]
    assert s["hesitation_precision"] >= TARGETS["hesitation_precision"], s["hesitations"]


def test_hesitation_recall(report):
    # Under every decoding: measured 52-54 of 56 where the target needs 51 (README, Benchmark), so
    # another CPU's kernels can drop one (int8, beam 5, and the AMD kernels: 52) to three more
    # than these did and stay above it. The prompt was chosen on these scripts, so this is the
    # suite's figure, not a general one: `bench --accuracy` also reports 16 held-out answers
    # (other scripts, voices and rates), and the real speech benchmark (README) is the general one.
    s = report["synthetic"]
    assert s["hesitation_recall"] >= TARGETS["hesitation_recall"], s["hesitations"]


def test_no_discourse_false_positives(report):
    s = report["synthetic"]
    assert s["discourse_false_positives"] == TARGETS["discourse_false_positives"], [
        (c["voice"], c["discourse_false_positives"]) for c in s["clips"] if c["discourse_false_positives"]]
    assert s["discourse_found"] >= 0.5 * s["discourse_true"]


def test_energy_detector_at_least_as_good_as_silero(report):
    v = report["vad_comparison"]
    assert v["energy"]["pause_precision"] >= v["silero"]["pause_precision"] - 0.05
    assert v["energy"]["pause_recall"] >= v["silero"]["pause_recall"] - 0.05


@pytest.mark.parametrize("compute_type", ["int8", "float32"])
def test_verbatim_keeps_um_and_uh_and_nothing_after_the_end(tmp_path, compute_type, request):
    """Issue 3: verbatim decoding keeps at least 9 of 10 synthetic um/uh with faster-whisper tiny.en,
    and nothing is counted on the trailing silence. Measured: 11 of 11 (en-us, three answers)."""
    import numpy as np

    from simulator.evaluation.accuracy import FILLER_SCRIPTS, Script, espeak, score_hesitations, synthetic_case
    from simulator.delivery.analyze import analyze

    transcriber = request.getfixturevalue("transcriber" if compute_type == "int8" else "transcriber_float32")
    assert transcriber.compute_type == compute_type and transcriber.verbatim and transcriber.beam_size == 5
    totals = {"true": 0, "detected": 0, "found": 0}
    for i, rate in ((1, 180), (2, 150), (3, 180)):
        script = Script(FILLER_SCRIPTS[i])
        clean = espeak(script, "en-us", rate, tmp_path / f"{i}.wav")
        audio, span, _ = synthetic_case(clean, seed=i)
        audio = np.concatenate((audio, np.zeros(3 * 16_000, np.float32)))  # 4.5 s of silence in all
        words = list(transcriber.transcribe(audio))
        d = analyze(audio, words)
        # What the decoder wrote past the end, if anything, is dropped as unsaid; nothing counts.
        assert all(w.start < span[1] + 0.3 for w in d.words), [(w.text, w.start) for w in d.words if w.start >= span[1]]
        assert not [w for w in d.dropped_words if w.start < span[1]], d.dropped_words
        h = score_hesitations(script.tokens(), [w.text for w in d.words], [w.filler for w in d.words])
        for k in totals:
            totals[k] += h[k]
    assert totals["found"] >= 0.9 * totals["true"] and totals["detected"] == totals["found"], totals


def test_kernels_that_name_one_computation_give_one_output(transcriber):
    """The premise of measuring a decoding once for two kernel names (`_MEASURED`): where
    `kernels_in_effect` says oneDNN is this CPU's own, a fresh process forced to it writes the
    session's words to the digit; where it says they differ (an Intel CPU: MKL), it is MKL here."""
    from simulator.audio.io import load_audio
    from simulator.bench import KERNELS, kernels_in_effect

    if kernels_in_effect("onednn") != kernels_in_effect("native"):
        assert kernels_in_effect("native")[0] == "mkl" and "GenuineIntel" in open("/proc/cpuinfo").read()
        return
    code = ("import json, sys; from simulator import transcribe; from simulator.audio.io import load_audio; "
            "t = transcribe.load('faster-whisper', 'tiny.en'); "
            "print(json.dumps([(w.text, w.start, w.end, w.probability) for w in t.transcribe(load_audio(sys.argv[1]))]))")
    out = subprocess.run([sys.executable, "-c", code, str(DATA / "jfk.wav")], capture_output=True, text=True,
                         env={**os.environ, **KERNELS["onednn"]}, check=True)
    here = [[w.text, w.start, w.end, w.probability] for w in transcriber.transcribe(load_audio(DATA / "jfk.wav"))]
    assert json.loads(out.stdout) == json.loads(json.dumps(here))
