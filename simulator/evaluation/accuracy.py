"""How right the delivery metrics are, measured against known truth (issue 4).

- LibriVox clips with forced alignments (tests/data/*.align.json): the clips hold no internal
  silence of 0.3 s or more, so pauses are spliced in at aligned word boundaries (filled with the
  clip's own background noise) and the two clips are joined (their real end and start silences
  make one natural pause). Truth: every aligned `<sil>` of 0.3 s or more, words and their times.
- The JFK clip: word count and its long pauses.
- Synthetic answers spoken by espeak-ng in several voices and rates, with known hesitations,
  pauses (SSML breaks), and sentences that use like/actually/so/you know as ordinary words.
  Truth: the script, and the exact digital silences in espeak's output.

The transcriber is the real one (faster-whisper, verbatim prompt), so these are figures for the
whole pipeline. `run_accuracy()` returns plain numbers; tests hold them to the issue's targets.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from simulator.delivery.analyze import analyze
from simulator.delivery.fillers import DISCOURSE, HESITATION, hesitation_kind
from simulator.delivery.speech import VoiceActivity, voice_activity
from simulator.transcribe.base import SAMPLE_RATE, TimedWord

DATA = Path(__file__).resolve().parent / "data"  # public-domain clips, shipped with the package
TRUE_PAUSE_S = 0.3  # a <sil> this long is a pause (issue 4)
SCORED_PAUSE_S = 0.5  # pauses of this length or more are scored
TARGETS = {"pace_error": 0.05, "pause_recall": 0.9, "pause_precision": 0.9,
           "hesitation_recall": 0.9, "hesitation_precision": 0.95, "discourse_false_positives": 0}

# ---- truth for the aligned clips ---------------------------------------------------------------


@dataclass
class Truth:
    audio: np.ndarray
    words: list[tuple[str, float, float]]  # (text, start, end)
    silences: list[tuple[float, float]]  # every silence, any length

    @property
    def span(self) -> tuple[float, float]:
        return self.words[0][1], self.words[-1][2]

    def pauses(self, minimum: float) -> list[tuple[float, float]]:
        a, b = self.span
        return [(s, e) for s, e in self.silences if e - s >= minimum - 1e-9 and s >= a - 1e-6 and e <= b + 1e-6]


def load_aligned(name: str) -> Truth:
    from simulator.audio.io import load_audio

    audio = load_audio(DATA / f"{name}.wav")
    align = json.loads((DATA / f"{name}.align.json").read_text())
    words, silences = [], []
    for w in align["w"]:
        start, end = float(w["b"]), round(float(w["b"]) + float(w["d"]), 3)
        if w["t"] == "<sil>":
            silences.append((start, end))
        else:
            words.append((re.sub(r"\(\d+\)$", "", w["t"]), start, end))
    return Truth(audio, words, silences)


def splice_pauses(truth: Truth, after_words: dict[int, float], seed: int = 0) -> Truth:
    """Insert silences (the clip's own noise) after the given word indices; shift the truth."""
    rng = np.random.default_rng(seed)
    lead = truth.silences[0] if truth.silences and truth.silences[0][0] == 0 else (0.0, 0.1)
    noise = truth.audio[: max(160, int(lead[1] * SAMPLE_RATE))]
    pieces, cut, shift = [], 0, 0.0
    words, silences = [], list(truth.silences)
    inserted = []
    for i, (text, start, end) in enumerate(truth.words):
        words.append((text, start + shift, end + shift))
        if i in after_words:
            at = int(round(end * SAMPLE_RATE))
            pieces.append(truth.audio[cut:at])
            n = int(after_words[i] * SAMPLE_RATE)
            fill = np.concatenate([noise[:: rng.choice((1, -1))] for _ in range(n // len(noise) + 1)])[:n]
            pieces.append(fill.astype(np.float32))
            cut = at
            inserted.append((end, after_words[i]))
            shift += after_words[i]
    pieces.append(truth.audio[cut:])
    # Shift the original silences and merge each inserted silence with one it touches.
    shifted = []
    for s, e in silences:
        before = sum(d for t, d in inserted if t <= s + 1e-6)
        shifted.append((s + before, e + before))
    total = 0.0
    for t, d in inserted:
        s = t + total
        shifted.append((s, s + d))
        total += d
    shifted.sort()
    merged: list[tuple[float, float]] = []
    for s, e in shifted:
        if merged and s <= merged[-1][1] + 0.011:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return Truth(np.concatenate(pieces), words, [(round(s, 3), round(e, 3)) for s, e in merged])


def join(a: Truth, b: Truth) -> Truth:
    offset = len(a.audio) / SAMPLE_RATE
    words = a.words + [(t, s + offset, e + offset) for t, s, e in b.words]
    silences = list(a.silences)
    for s, e in b.silences:
        s, e = s + offset, e + offset
        if silences and abs(silences[-1][1] - s) < 0.011:
            silences[-1] = (silences[-1][0], e)
        else:
            silences.append((s, e))
    return Truth(np.concatenate((a.audio, b.audio)), words, silences)


def aligned_cases() -> dict[str, Truth]:
    a, b = load_aligned("librivox-0870"), load_aligned("librivox-0890")
    # Word indices: 0870 "dashwood"=3, "consider"=8, "prudently"=14, "power"=17; 0890 "cold"=4, "selfish"=8, "be"=11.
    a_spliced = splice_pauses(a, {3: 0.6, 8: 1.2, 14: 0.35, 17: 2.5}, seed=1)
    b_spliced = splice_pauses(b, {4: 0.8, 8: 0.5, 11: 0.3}, seed=2)
    return {"librivox-0870": a, "librivox-0890": b, "spliced": join(a_spliced, b_spliced)}


# ---- synthetic answers -------------------------------------------------------------------------

# {um} a hesitation (spelled so espeak-ng says a hesitation sound: "uh" needs a slow rate, and
# espeak reads "uhh" or "hmm" as letters), [like] a discourse filler, |800| an SSML break in ms.
# Numbers are spelled as said: the truth counts words said.
FILLER_SCRIPTS = [
    "So I joined the platform team about two years ago, {um}, and the build took forty minutes. |900| "
    "{uh}, I looked at the logs, and I found that the tests ran one after another. I split them into "
    "eight groups, and {erm}, the build dropped to twelve minutes. |1200| We saved about fifty thousand dollars a year.",
    "{um}, the hardest project I had was a data migration. |700| We had, [like], three weeks to move twenty "
    "percent of our customers. {uh}, I wrote a plan, and {um}, I talked to every team lead. |1500| "
    "In the end, {erm}, we finished two days early.",
    "My biggest weakness is delegation. {umm}, |600| I used to do everything myself, and {uh}, that slowed the "
    "team down. |1000| Now I write down who owns each task, and {um}, I check in with them once a week.",
    "Our service went down on a Friday night. {uh}, |800| I was on call, so I rolled back the release. {um}, "
    "then I wrote a review of the incident, and {erm}, we added a canary stage. |2200| Since then, {uh}, we have had no outages.",
]
# Ordinary uses of words that are fillers elsewhere: none of these may be counted as a filler.
PLAIN_SCRIPTS = [
    "I like my team, and I would like to keep working with them. It looks like the new design is faster, "
    "and I actually shipped it last week. We liked the results so much that we wrote about them. "
    "Do you know what I mean by that? I mean what I said.",
    "She actually built the tool that we like to use. It works like a charm, and it is so simple. "
    "You know the answer, so tell me. I would like to say that the kind of work we do matters.",
]
VOICES = ["en-us", "en-gb", "en+m3", "en+f3"]
RATES = [150, 180]
_HESITATION_SSML = {"um": "um", "umm": "umm", "erm": "erm", "uh": '<prosody rate="x-slow">uh</prosody>'}


@dataclass
class Script:
    text: str

    def ssml(self) -> str:
        s = re.sub(r"\|(\d+)\|", r'<break time="\1ms"/>', self.text)
        s = re.sub(r"\{(\w+)\}", lambda m: _HESITATION_SSML[m.group(1)], s)
        s = re.sub(r"\[(\w+)\]", r"\1", s)
        return f"<speak>{s}</speak>"

    def tokens(self) -> list[tuple[str, str | None]]:
        """(normalised word, truth label) in order; breaks dropped."""
        out = []
        for raw in re.sub(r"\|\d+\|", " ", self.text).split():
            norm = re.sub(r"[^a-z']", "", raw.lower())
            label = HESITATION if raw.startswith("{") else DISCOURSE if raw.startswith("[") else None
            if norm:
                out.append((norm, label))
        return out

    @property
    def word_count(self) -> int:
        return sum(1 for _, label in self.tokens() if label != HESITATION)


def espeak(script: Script, voice: str, rate: int, path: Path) -> np.ndarray:
    """Speak a script to a WAV, resample to 16 kHz; returns the clean samples."""
    from simulator.audio.io import load_audio

    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-m", "-w", str(path), script.ssml()],
                   check=True, capture_output=True, timeout=60)
    return load_audio(path)


def synthetic_case(clean: np.ndarray, seed: int) -> tuple[np.ndarray, tuple[float, float], list[tuple[float, float]]]:
    """Lead and tail silence plus a quiet microphone hiss; the truth span and silences of the clean audio."""
    lead, tail = int(1.0 * SAMPLE_RATE), int(1.5 * SAMPLE_RATE)
    audio = np.concatenate((np.zeros(lead, np.float32), clean, np.zeros(tail, np.float32)))
    hiss = np.random.default_rng(seed).normal(0, 10 ** (-60 / 20), len(audio)).astype(np.float32)
    # espeak's silences are digital zeros; resampling leaves tiny ripples, hence the threshold.
    loud = np.abs(clean) > 1e-3
    idx = np.flatnonzero(loud)
    span = ((lead + idx[0]) / SAMPLE_RATE, (lead + idx[-1] + 1) / SAMPLE_RATE)
    silences = [(s + lead / SAMPLE_RATE, e + lead / SAMPLE_RATE) for s, e in _runs(~loud, SAMPLE_RATE, 0.2)]
    return audio + hiss, span, silences


def _runs(mask: np.ndarray, rate: float, minimum: float) -> list[tuple[float, float]]:
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return [(s / rate, e / rate) for s, e in zip(starts, ends) if (e - s) / rate >= minimum]


# ---- scoring -------------------------------------------------------------------------------------


def score_pauses(detected: Sequence[tuple[float, float]], truth: Sequence[tuple[float, float]],
                 truth_any: Sequence[tuple[float, float]], minimum: float = SCORED_PAUSE_S) -> dict:
    """Recall: truth pauses >= minimum overlapped by a detected pause (any length >= 0.25 s).
    Precision: detected pauses >= minimum that overlap a true silence of 0.25 s or more."""
    def overlaps(a, b):
        return min(a[1], b[1]) - max(a[0], b[0]) > 0

    big_truth = [t for t in truth if t[1] - t[0] >= minimum]
    big_detected = [d for d in detected if d[1] - d[0] >= minimum - 1e-9]
    found = sum(1 for t in big_truth if any(overlaps(t, d) for d in detected))
    right = sum(1 for d in big_detected if any(overlaps(t, d) for t in truth_any))
    return {"true": len(big_truth), "detected": len(big_detected), "found": found, "right": right}


def _ratio(num: int, den: int) -> float:
    return round(num / den, 3) if den else 1.0


def match_words(truth: Sequence[str], said: Sequence[str]) -> list[tuple[int, int]]:
    """Index pairs of words that the transcriber got the same as the truth."""
    matcher = difflib.SequenceMatcher(a=list(truth), b=list(said), autojunk=False)
    return [(block.a + k, block.b + k) for block in matcher.get_matching_blocks() for k in range(block.size)]


def _norm(text: str) -> str:
    return re.sub(r"[^a-z']", "", text.lower())


def score_hesitations(truth: Sequence[tuple[str, str | None]], words: Sequence[str],
                      labels: Sequence[str | None]) -> dict:
    """Align script and transcript (hesitations as one symbol) and count matched hesitations."""
    t = ["<hes>" if label == HESITATION else norm for norm, label in truth]
    s = ["<hes>" if label == HESITATION else _norm(w) for w, label in zip(words, labels)]
    matcher = difflib.SequenceMatcher(a=t, b=s, autojunk=False)
    tp = 0
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op in ("equal", "replace"):
            tp += min(t[a0:a1].count("<hes>"), s[b0:b1].count("<hes>"))
    return {"true": t.count("<hes>"), "detected": s.count("<hes>"), "found": tp}


# ---- the comparison detector: Silero VAD ----------------------------------------------------------


def silero_activity(audio: np.ndarray, threshold: float = 0.5) -> VoiceActivity:
    """The same per-frame facts as `voice_activity`, with speech decided by Silero VAD instead."""
    from simulator.audio.vad import WINDOW_S
    from simulator.delivery.speech import MIN_GAP_S, MIN_SPEECH_S, fill_short_runs

    energy = voice_activity(audio)
    probs = energy.speech_prob
    idx = ((np.arange(len(energy.voiced)) * energy.frame_s) / WINDOW_S).astype(int)
    per_frame = probs[np.minimum(idx, len(probs) - 1)] if len(probs) else np.zeros(len(energy.voiced))
    voiced = per_frame > threshold
    voiced = fill_short_runs(voiced, False, int(MIN_GAP_S / energy.frame_s))
    voiced = fill_short_runs(voiced, True, int(MIN_SPEECH_S / energy.frame_s))
    return VoiceActivity(energy.frame_s, voiced, energy.energy_db, energy.f0_hz, SAMPLE_RATE, probs)


# ---- the suite -------------------------------------------------------------------------------------


# Held out: scripts, voices and rates nothing was chosen on. The verbatim prompt was chosen on the
# suite's scripts above, so their hesitation figure flatters it; this one says whether the choice
# carries over (`run_heldout`, reported by `bench --accuracy`, not asserted by the tests).
HELDOUT_SCRIPTS = [
    "When I started at the bank, {um}, nobody owned the release process. |800| {uh}, so I volunteered. "
    "I wrote a checklist, and {erm}, within a month every team used it. |1000| {um}, it cut failed releases by half.",
    "{uh}, I would say my strength is patience. |700| When a customer is angry, {um}, I listen first. "
    "Then I ask what would fix it for them, and {uh}, I make sure it happens. |1200| {erm}, that usually works.",
    "The project was late. |900| {umm}, we had promised a demo for the board, and {uh}, the data was not ready. "
    "I split the work, and {um}, we showed a smaller demo on time. |600| {uh}, the board approved the budget.",
    "I left my last job because I wanted to grow. {um}, |900| I had learned a lot, and {erm}, I wanted to lead a team. "
    "{uh}, this role gives me that chance, and {um}, I am excited about it.",
]
HELDOUT_VOICES = [("en-gb-x-rp", 165), ("en+m1", 175), ("en+f2", 155), ("en-us-nyc", 170)]


def run_heldout(transcriber_factory: Callable[[], object] | None = None, workdir: str | Path | None = None) -> dict:
    """Hesitations kept on the held-out synthetic answers (every script in every voice)."""
    transcriber = (transcriber_factory or default_transcriber)()
    totals = {"true": 0, "detected": 0, "found": 0}
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        def cases():
            for i, text in enumerate(HELDOUT_SCRIPTS):
                script = Script(text)
                for j, (voice, rate) in enumerate(HELDOUT_VOICES):
                    clean = espeak(script, voice, rate, Path(tmp) / f"h{i}-{j}.wav")
                    yield script, synthetic_case(clean, seed=100 + i * 10 + j)[0]

        for (script, audio), words in decoded_ahead(transcriber, cases(), audio_of=lambda case: case[1]):
            d = analyze(audio, words)
            scored = score_hesitations(script.tokens(), [w.text for w in d.words], [w.filler for w in d.words])
            for k in totals:
                totals[k] += scored[k]
    return {"hesitations": totals, "recall": _ratio(totals["found"], totals["true"]),
            "precision": _ratio(totals["found"], totals["detected"]), "clips": len(HELDOUT_SCRIPTS) * len(HELDOUT_VOICES)}


def decoded_ahead(transcriber, cases: Iterable, audio_of: Callable[[object], np.ndarray]) -> Iterator[tuple[object, list[TimedWord]]]:
    """(case, the transcriber's words for `audio_of(case)`) for each case in order, the next case
    being decoded on a worker thread while the caller scores this one. One decoding at a time, as
    before: the same words. Scoring (the analysis, the Silero comparison) and making the next
    case (espeak-ng) took a core the decoding could not use: the int8 beam-2 suite took 66 s
    instead of 77 s, its report the same byte for byte."""
    def decode(audio: np.ndarray) -> list[TimedWord]:
        return list(transcriber.transcribe(audio))

    with ThreadPoolExecutor(1, thread_name_prefix="decode-ahead") as pool:
        previous = None  # (case, its decoding)
        for case in cases:
            decoding = pool.submit(decode, audio_of(case))
            if previous is not None:
                yield previous[0], previous[1].result()
            previous = case, decoding
        if previous is not None:
            yield previous[0], previous[1].result()


def default_transcriber():
    from simulator.transcribe.faster import FasterWhisperTranscriber

    return FasterWhisperTranscriber()


def run_accuracy(transcriber_factory: Callable[[], object] | None = None, *, voices: Sequence[str] = VOICES,
                 rates: Sequence[int] = RATES, compare_vad: bool = True, workdir: str | Path | None = None) -> dict:
    """Run the whole suite; generated audio goes to `workdir` (a temporary folder by default)."""
    transcriber = (transcriber_factory or default_transcriber)()
    report: dict = {"engine": getattr(transcriber, "engine", "?"), "model": getattr(transcriber, "model", "?"),
                    "targets": TARGETS}
    detectors: dict[str, Callable[[np.ndarray], VoiceActivity]] = {"energy": voice_activity}
    if compare_vad:
        detectors["silero"] = silero_activity
    vad: dict[str, dict] = {name: {"true": 0, "detected": 0, "found": 0, "right": 0} for name in detectors}

    # Aligned clips: pace, pauses, word timing.
    aligned = {"clips": {}, "start_errors_ms": [], "end_errors_ms": [], "raw_start_errors_ms": [],
               "raw_end_errors_ms": []}
    pause_totals = {"true": 0, "detected": 0, "found": 0, "right": 0}
    for (name, truth), words in decoded_ahead(transcriber, aligned_cases().items(), audio_of=lambda case: case[1].audio):
        for det_name, detector in detectors.items():
            activity = detector(truth.audio)
            d = analyze(activity, words)
            s = score_pauses([(p.start, p.end) for p in d.pauses], truth.pauses(TRUE_PAUSE_S), truth.pauses(0.25))
            for k in s:
                vad[det_name][k] += s[k]
            if det_name == "energy":
                result, scored = d, s
        for k in scored:
            pause_totals[k] += scored[k]
        true_wpm = len(truth.words) * 60.0 / (truth.span[1] - truth.span[0])
        aligned["clips"][name] = {"true_wpm": round(true_wpm, 1), "wpm": result.wpm,
                                  "pace_error": round(abs(result.wpm - true_wpm) / true_wpm, 4),
                                  "true_words": len(truth.words), "word_count": result.word_count,
                                  "pauses": scored, "transcript": result.transcript,
                                  "dropped": [w.text for w in result.dropped_words]}
        pairs = match_words([t for t, _, _ in truth.words], [_norm(w.text) for w in result.words])
        raw = {i: w for i, w in enumerate(words)}
        for ti, wi in pairs:
            _, ts, te = truth.words[ti]
            aligned["start_errors_ms"].append(abs(result.words[wi].start - ts) * 1000)
            aligned["end_errors_ms"].append(abs(result.words[wi].end - te) * 1000)
        for ti, wi in match_words([t for t, _, _ in truth.words], [_norm(w.text) for w in words]):
            _, ts, te = truth.words[ti]
            aligned["raw_start_errors_ms"].append(abs(raw[wi].start - ts) * 1000)
            aligned["raw_end_errors_ms"].append(abs(raw[wi].end - te) * 1000)
    timing = {}
    for key in ("start", "end", "raw_start", "raw_end"):
        errs = aligned.pop(f"{key}_errors_ms")
        timing[f"{key}_median_ms"] = round(float(np.median(errs)), 1) if errs else None
        timing[f"{key}_p90_ms"] = round(float(np.percentile(errs, 90)), 1) if errs else None
    aligned["word_timing"] = timing
    aligned["pause_recall"] = _ratio(pause_totals["found"], pause_totals["true"])
    aligned["pause_precision"] = _ratio(pause_totals["right"], pause_totals["detected"])
    aligned["pause_counts"] = pause_totals
    aligned["pace_error_max"] = max(c["pace_error"] for c in aligned["clips"].values())
    report["aligned"] = aligned

    # JFK: the sentence, its word count and its long pauses.
    from simulator.audio.io import load_audio

    jfk_audio = load_audio(DATA / "jfk.wav")
    jfk = analyze(jfk_audio, list(transcriber.transcribe(jfk_audio)), file="jfk.wav")
    report["jfk"] = {"transcript": jfk.transcript, "word_count": jfk.word_count, "wpm": jfk.wpm,
                     "dropped": [w.text for w in jfk.dropped_words],
                     "pauses": [(p.start, p.end) for p in jfk.pauses]}

    # Synthetic answers.
    syn = {"clips": [], "hesitations": {"true": 0, "detected": 0, "found": 0},
           "pauses": {"true": 0, "detected": 0, "found": 0, "right": 0}, "discourse_false_positives": 0,
           "discourse_found": 0, "discourse_true": 0, "dropped_words": 0}
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        def cases():
            scripts = [Script(t) for t in FILLER_SCRIPTS + PLAIN_SCRIPTS]
            for i, script in enumerate(scripts):
                for j, voice in enumerate(voices):
                    rate = rates[(i + j) % len(rates)]
                    clean = espeak(script, voice, rate, Path(tmp) / f"s{i}-{j}.wav")
                    yield i, script, voice, rate, *synthetic_case(clean, seed=i * 10 + j)

        for (i, script, voice, rate, audio, span, silences), words in decoded_ahead(
                transcriber, cases(), audio_of=lambda case: case[4]):
            d = analyze(audio, words)
            true_wpm = script.word_count * 60.0 / (span[1] - span[0])
            texts = [w.text for w in d.words]
            labels = [w.filler for w in d.words]
            hes = score_hesitations(script.tokens(), texts, labels)
            for k in hes:
                syn["hesitations"][k] += hes[k]
            inside = [(s, e) for s, e in silences if s > span[0] and e < span[1]]
            ps = score_pauses([(p.start, p.end) for p in d.pauses], inside, inside)
            for k in ps:
                syn["pauses"][k] += ps[k]
            if compare_vad:
                for det_name, detector in detectors.items():
                    if det_name != "energy":
                        dd = analyze(detector(audio), words)
                        s2 = score_pauses([(p.start, p.end) for p in dd.pauses], inside, inside)
                        for k in s2:
                            vad[det_name][k] += s2[k]
                for k in ps:
                    vad["energy"][k] += ps[k]
            # Discourse fillers: every one on a plain script is a false positive; on filler
            # scripts, one is right if the script marks a discourse filler at that place.
            truth_tokens = script.tokens()
            pairs = dict((b, a) for a, b in match_words([t for t, _ in truth_tokens], [_norm(x) for x in texts]))
            fps = []
            for k, w in enumerate(d.words):
                if w.filler == DISCOURSE:
                    a = pairs.get(k)
                    if a is None or truth_tokens[a][1] != DISCOURSE:
                        fps.append(w.text)
                    else:
                        syn["discourse_found"] += 1
            syn["discourse_true"] += sum(1 for _, label in truth_tokens if label == DISCOURSE)
            syn["discourse_false_positives"] += len(fps)
            syn["dropped_words"] += len(d.dropped_words)
            syn["clips"].append({"script": i, "voice": voice, "rate": rate, "true_wpm": round(true_wpm, 1),
                                 "wpm": d.wpm, "true_words": script.word_count, "word_count": d.word_count,
                                 "pace_error": round(abs((d.wpm or 0) - true_wpm) / true_wpm, 4),
                                 # The span is this module's part of the pace; the count is the transcriber's.
                                 "span_error": round(abs(d.speech_s - (span[1] - span[0])) / (span[1] - span[0]), 4),
                                 "hesitations": hes, "discourse_false_positives": fps,
                                 "dropped": [w.text for w in d.dropped_words],
                                 "estimated": d.word_times_estimated, "transcript": d.transcript})
    h = syn["hesitations"]
    syn["hesitation_recall"] = _ratio(h["found"], h["true"])
    syn["hesitation_precision"] = _ratio(h["found"], h["detected"])
    syn["pause_recall"] = _ratio(syn["pauses"]["found"], syn["pauses"]["true"])
    syn["pause_precision"] = _ratio(syn["pauses"]["right"], syn["pauses"]["detected"])
    errors = [c["pace_error"] for c in syn["clips"]]
    syn["pace_error_max"] = max(errors)
    syn["pace_error_mean"] = round(float(np.mean(errors)), 4)
    syn["pace_error_median"] = round(float(np.median(errors)), 4)
    syn["pace_within_5pct"] = sum(1 for e in errors if e <= TARGETS["pace_error"])
    syn["span_error_max"] = max(c["span_error"] for c in syn["clips"])
    syn["word_times_estimated"] = sum(1 for c in syn["clips"] if c.get("estimated"))
    report["synthetic"] = syn
    report["vad_comparison"] = {name: {"pause_recall": _ratio(v["found"], v["true"]),
                                       "pause_precision": _ratio(v["right"], v["detected"]), **v}
                                for name, v in vad.items()}
    return report


if __name__ == "__main__":  # python -m simulator.evaluation.accuracy
    print(json.dumps(run_accuracy(), indent=1))
