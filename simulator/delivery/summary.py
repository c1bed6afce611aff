"""Session-level figures, from the stored per-answer results (the `analyze --json` keys)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


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
    mean_answer_s: float | None = None  # mean recorded length of an answer
    mean_answer_words: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def summarize(deliveries: list[dict]) -> SessionSummary:
    spoken = [d for d in deliveries if d]
    speaking = sum(d.get("speech_s") or 0.0 for d in spoken)
    words = sum(d.get("word_count") or 0 for d in spoken)
    hes = sum(d["fillers"]["hesitation"] for d in spoken)
    disc = sum(d["fillers"]["discourse"] for d in spoken)
    minutes = speaking / 60
    starts = [d["time_to_first_word_s"] for d in spoken if d.get("time_to_first_word_s") is not None]
    long_pauses = sum(1 for d in spoken for p in d["pauses"] if p["end"] - p["start"] >= 1.0)
    lengths = [d["duration_s"] for d in spoken if d.get("duration_s") is not None]

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
        long_pauses=long_pauses,
        mean_time_to_first_word_s=round(sum(starts) / len(starts), 2) if starts else None,
        hesitations_per_min=rate(hes),
        discourse_per_min=rate(disc),
        long_pauses_per_min=rate(long_pauses),
        mean_answer_s=round(sum(lengths) / len(lengths), 1) if lengths else None,
        mean_answer_words=round(words / len(spoken), 1) if spoken else None,
    )
