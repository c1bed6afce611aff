"""The one place delivery metrics are computed: (audio, timed words) -> `Delivery`.

Every view (terminal, `analyze --json`, the store, reports) reads a `Delivery`; the store rebuilds
it from stored JSON with `Delivery.from_dict`. What a figure means (good, watch, its target) is
decided in `simulator.delivery.judge`, not here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from simulator.delivery.alignment import DroppedWord, faint_voices, place_words, unheard_speech
from simulator.delivery.content import ContentFeedback, QuestionBrief, judge_content
from simulator.delivery.fillers import DISCOURSE, HESITATION, Cluster, FillerCounts, count_fillers, find_clusters, label_fillers
from simulator.delivery.judge import (  # noqa: F401 (their old home: callers import them from here too)
    FILLER_PERCENT_WATCH, FILLERS_PER_MIN_WATCH, PACE_TARGET, Metric, clock, filler_status, headline_metrics, judge,
    pace_status)
from simulator.delivery.language import PhraseCounts, Repetition, find_hedges, find_repetitions, tokenize
from simulator.delivery.pace import Drift, PaceWindow, find_drift, pace_windows, per_minute, spoken_counts
from simulator.delivery.plain import from_plain, to_plain
from simulator.delivery.pauses import Pause, PauseClasses, classify, find_pauses
from simulator.delivery.prosody import Prosody, Stretch, measure_prosody
from simulator.delivery.speech import VoiceActivity, voice_activity
from simulator.transcribe.base import TimedWord

MIN_RATE_SPAN_S = 1.0  # a rate over less than a second of speech means nothing


@dataclass
class LabeledWord:
    text: str
    start: float
    end: float
    probability: float
    filler: str | None = None  # None, "hesitation" or "discourse"


@dataclass
class AnswerLength:
    answer_s: float  # from the start of the recording to the last word
    budget_s: float | None = None
    ratio: float | None = None  # answer_s / budget_s


@dataclass
class Delivery:
    # The keys of `analyze --json` promised in issue 2 come first and never change.
    file: str | None
    duration_s: float | None
    transcript: str
    words: list[LabeledWord]
    word_count: int  # spoken words; hesitations (um, uh) not counted
    speech_s: float  # first word start to last word end
    wpm: float | None
    time_to_first_word_s: float | None
    pauses: list[Pause]  # silences >= 0.25 s inside the speech span, from the waveform
    fillers: FillerCounts
    fillers_per_min: float | None
    # Issue 4's additions.
    speech_found: bool = False
    dropped_words: list[DroppedWord] = field(default_factory=list)  # said over silence: hallucinations
    # Seconds of speech the transcriber wrote no word for (`dropped_words` lists each stretch):
    # word count, pace and fillers miss what was said there.
    unheard_s: float = 0.0
    word_times_estimated: bool = False  # the transcriber lost its timestamps: words spread over the speech
    articulation_wpm: float | None = None  # words per minute of speaking time, pauses excluded
    pace_windows: list[PaceWindow] = field(default_factory=list)
    pace_drift: list[Drift] = field(default_factory=list)
    pause_classes: PauseClasses = field(default_factory=PauseClasses)
    longest_pause: Pause | None = None
    total_pause_s: float = 0.0
    pause_ratio: float | None = None  # total pause time / speech span
    filler_percent: float | None = None  # fillers per 100 words said (hesitations included)
    filler_clusters: list[Cluster] = field(default_factory=list)
    hedges: PhraseCounts = field(default_factory=PhraseCounts)
    hedges_per_min: float | None = None
    repetitions: list[Repetition] = field(default_factory=list)
    answer_length: AnswerLength | None = None
    prosody: Prosody = field(default_factory=Prosody)
    # Issue 21: what was said, judged against the question (simulator.delivery.content).
    content: ContentFeedback = field(default_factory=ContentFeedback)
    input_overflows: int = 0  # times the machine fell behind the microphone: audio lost from the recording

    def to_dict(self) -> dict:
        """JSON-ready: floats rounded, no NaN; includes the headline `metrics` for readers."""
        d = to_plain(self)
        d["dropped_word_count"] = len(self.dropped_words)
        d["metrics"] = [to_plain(m) for m in self.metrics]
        d["content"]["points"] = [{"label": label, "text": text} for label, text in self.content.points]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Delivery:
        if "speech_found" not in d:  # stored before issue 4: words mean speech was found
            d = {**d, "speech_found": bool(d.get("words"))}
        if "content" not in d:  # analysed before issue 21: judged by nobody, and said so
            d = {**d, "content": to_plain(ContentFeedback(reason="this answer was analysed before content feedback "
                                                                  "existed"))}
        return from_plain(cls, d)

    @property
    def metrics(self) -> list[Metric]:
        return judge(self)


def read_words(texts: list[str]) -> tuple[list, list[str | None], list[str | None], list[int]]:
    """Tokens, filler labels and phrases, and words said per token (0 for a hesitation): what
    both the full analysis and the live figures count from."""
    tokens = tokenize(texts)
    labels, phrases = label_fillers(tokens)
    counts = [0 if label == HESITATION else c for c, label in zip(spoken_counts(texts), labels)]
    return tokens, labels, phrases, counts


def analyze(audio: np.ndarray | Iterable[np.ndarray] | VoiceActivity, words: Iterable[TimedWord], *,
            file: str | None = None, duration_s: float | None = None, time_budget_s: float | None = None,
            sample_rate: int = 16_000, input_overflows: int = 0,
            unheard: Iterable[tuple[float, float]] = (), faint: Iterable[tuple[float, float]] = (),
            question: QuestionBrief | None = None) -> Delivery:
    """`unheard`: stretches of speech the transcriber could not get words for (StreamingTranscriber.unheard);
    `faint`: stretches of a voice far quieter than the speaker's, not decoded (listed, not counted).
    `question`: what the answer is held against in its content feedback (None: judged without one)."""
    activity = audio if isinstance(audio, VoiceActivity) else voice_activity(_finite_audio(audio), sample_rate)
    if duration_s is None:
        duration_s = activity.duration_s
    kept, dropped, estimated = place_words(_finite_words(words), activity)
    lost = unheard_speech(list(unheard), activity, kept)
    dropped = sorted(dropped + lost + faint_voices(list(faint), kept), key=lambda d: d.start)
    texts = [w.text for w in kept]
    tokens, labels, phrases, counts = read_words(texts)
    labeled = [LabeledWord(w.text, w.start, w.end, w.probability, label) for w, label in zip(kept, labels)]
    word_count = sum(counts)
    fillers = count_fillers(labels, phrases)
    result = Delivery(file=file, duration_s=round(duration_s, 3), transcript=join_words(texts), words=labeled,
                      word_count=word_count, speech_s=0.0, wpm=None, time_to_first_word_s=None, pauses=[],
                      fillers=fillers, fillers_per_min=None, speech_found=bool(kept), dropped_words=dropped,
                      word_times_estimated=estimated, input_overflows=max(0, int(input_overflows)),
                      unheard_s=round(sum(d.end - d.start for d in lost), 3))
    result.content = judge_content(labeled, question)
    if not kept:
        result.answer_length = AnswerLength(0.0, time_budget_s, 0.0 if time_budget_s else None)
        return result

    span = (kept[0].start, max(w.end for w in kept))
    speech_s = round(span[1] - span[0], 3)
    rate_s = speech_s if speech_s >= MIN_RATE_SPAN_S else None
    pauses = find_pauses(activity.regions(), span)
    total_pause = round(sum(p.end - p.start for p in pauses), 3)
    result.speech_s = speech_s
    result.wpm = per_minute(word_count, rate_s)
    result.time_to_first_word_s = round(span[0], 3)
    result.pauses = pauses
    result.fillers_per_min = per_minute(fillers.total, rate_s)
    result.articulation_wpm = per_minute(word_count, (speech_s - total_pause) if rate_s else None)
    windows = pace_windows([(w.start + w.end) / 2 for w in kept], counts, span)
    result.pace_drift = find_drift(windows)
    result.pace_windows = windows
    result.pause_classes = classify(pauses)
    result.longest_pause = max(pauses, key=lambda p: p.end - p.start, default=None)
    result.total_pause_s = total_pause
    result.pause_ratio = round(total_pause / speech_s, 3) if speech_s > 0 else None
    said = word_count + fillers.hesitation
    result.filler_percent = round(100.0 * fillers.total / said, 1) if said else None
    result.filler_clusters = find_clusters([w.start for w, p in zip(kept, phrases) if p])
    skip = [label == HESITATION for label in labels]
    result.hedges, _ = find_hedges(tokens, skip)
    result.hedges_per_min = per_minute(result.hedges.count, rate_s)
    result.repetitions = find_repetitions(tokens, [w.start for w in kept], [w.end for w in kept], skip)
    answer_s = round(span[1], 3)
    result.answer_length = AnswerLength(answer_s, time_budget_s,
                                        round(answer_s / time_budget_s, 3) if time_budget_s else None)
    result.prosody = measure_prosody(activity, *span)
    return result


def join_words(texts: list[str]) -> str:
    """Whisper's word pieces as text: "$50" ",000" and "cold" "-hearted" are written without a space."""
    out = ""
    for t in texts:
        t = t.strip()
        glue = out and (t[:1] in ",.;:!?%" or (t[:1] == "-" and len(t) > 1))
        out += t if glue or not out else " " + t
    return out


def _finite_audio(audio):
    """NaN and infinite samples (a broken device or file) become silence and full scale."""
    def clean(block):
        block = np.asarray(block)
        return block if np.isfinite(block).all() else np.nan_to_num(block, nan=0.0, posinf=1.0, neginf=-1.0)

    return clean(audio) if isinstance(audio, np.ndarray) else (clean(b) for b in audio)


def _finite_words(words: Iterable[TimedWord]) -> list[TimedWord]:
    """Words whose times or probability are not numbers borrow a neighbour's time: kept or dropped
    like any other word, never a crash."""
    out, last = [], 0.0
    for w in words:
        start = w.start if math.isfinite(w.start) else (w.end if math.isfinite(w.end) else last)
        end = w.end if math.isfinite(w.end) else start
        probability = w.probability if math.isfinite(w.probability) else 0.0
        if (start, end, probability) != (w.start, w.end, w.probability):
            w = TimedWord(w.text, start, end, probability)
        out.append(w)
        last = max(last, end)
    return out
