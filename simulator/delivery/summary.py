"""Session-level figures, from the per-answer results (typed `Delivery`, as the store returns them).

What the figures mean (good, watch) is `simulator.delivery.judge.session_metrics`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # summary sits beside analyze, and reads only what it has computed
    from simulator.delivery.analyze import Delivery


@dataclass(frozen=True, slots=True)
class SessionSummary:
    answers: int
    speaking_s: float  # sum of speech spans
    word_count: int
    wpm: float | None  # all words over all speech time, not a mean of means
    hesitations: int
    discourse_fillers: int
    fillers_per_min: float | None
    long_pauses: int  # pauses of 1 s or more inside answers
    mean_time_to_first_word_s: float | None
    # Rates per minute of speech, comparable between sessions of different lengths.
    hesitations_per_min: float | None = None
    discourse_per_min: float | None = None
    long_pauses_per_min: float | None = None
    filler_percent: float | None = None  # fillers per 100 words said, hesitations included
    mean_answer_s: float | None = None  # mean recorded length of an answer
    mean_answer_words: float | None = None
    # Content (issue 21), counted over the answers whose content was judged.
    content_judged: int = 0
    answered: int = 0  # answered what was asked
    results: int = 0  # a result was heard
    measured_results: int = 0  # ... with a number or a before and after
    own_actions: int = 0  # an action told with "I"

    def to_dict(self) -> dict:
        return asdict(self)


def long_pauses(delivery: Delivery) -> int:
    """Pauses of 1 s or more in one answer (its pause classes, counted by analyze)."""
    classes = delivery.pause_classes
    if classes.from_1_to_2s or classes.over_2s or not delivery.pauses:
        return int(classes.from_1_to_2s) + int(classes.over_2s)
    return sum(1 for p in delivery.pauses if p.end - p.start >= 1.0)  # stored before classes


def summarize(deliveries: list[Delivery | None]) -> SessionSummary:
    spoken = [d for d in deliveries if d is not None]
    speaking = sum(d.speech_s or 0.0 for d in spoken)
    words = sum(d.word_count or 0 for d in spoken)
    hes = sum(d.fillers.hesitation for d in spoken)
    disc = sum(d.fillers.discourse for d in spoken)
    minutes = speaking / 60
    starts = [d.time_to_first_word_s for d in spoken if d.time_to_first_word_s is not None]
    long_count = sum(long_pauses(d) for d in spoken)
    lengths = [d.duration_s for d in spoken if d.duration_s is not None]
    judged = [d.content for d in spoken if d.content.judged]

    def rate(count: int) -> float | None:
        return round(count / minutes, 2) if minutes > 0 else None

    return SessionSummary(
        answers=len(deliveries),
        speaking_s=round(speaking, 2),
        word_count=words,
        wpm=round(words / minutes, 1) if minutes > 0 else None,
        hesitations=hes,
        discourse_fillers=disc,
        fillers_per_min=round((hes + disc) / minutes, 2) if minutes > 0 else None,
        long_pauses=long_count,
        mean_time_to_first_word_s=round(sum(starts) / len(starts), 2) if starts else None,
        hesitations_per_min=rate(hes),
        discourse_per_min=rate(disc),
        long_pauses_per_min=rate(long_count),
        filler_percent=round(100.0 * (hes + disc) / (words + hes), 1) if words + hes else None,
        mean_answer_s=round(sum(lengths) / len(lengths), 1) if lengths else None,
        mean_answer_words=round(words / len(spoken), 1) if spoken else None,
        content_judged=len(judged),
        answered=sum(1 for c in judged if c.answered),
        results=sum(1 for c in judged if c.result),
        measured_results=sum(1 for c in judged if c.measured_result),
        own_actions=sum(1 for c in judged if c.ownership.owner in ("i", "mixed")),
    )
