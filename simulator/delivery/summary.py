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
    filler_percent: float | None = None  # fillers per 100 words said, hesitations included
    mean_answer_s: float | None = None  # mean recorded length of an answer
    mean_answer_words: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def long_pauses(delivery: dict) -> int:
    """Pauses of 1 s or more in one stored answer (its pause classes, counted by analyze)."""
    classes = delivery.get("pause_classes")
    if classes:
        return int(classes.get("from_1_to_2s", 0)) + int(classes.get("over_2s", 0))
    return sum(1 for p in delivery.get("pauses", []) if p["end"] - p["start"] >= 1.0)  # stored before classes


def summarize(deliveries: list[dict]) -> SessionSummary:
    spoken = [d for d in deliveries if d]
    speaking = sum(d.get("speech_s") or 0.0 for d in spoken)
    words = sum(d.get("word_count") or 0 for d in spoken)
    hes = sum(d["fillers"]["hesitation"] for d in spoken)
    disc = sum(d["fillers"]["discourse"] for d in spoken)
    minutes = speaking / 60
    starts = [d["time_to_first_word_s"] for d in spoken if d.get("time_to_first_word_s") is not None]
    long_count = sum(long_pauses(d) for d in spoken)
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
        long_pauses=long_count,
        mean_time_to_first_word_s=round(sum(starts) / len(starts), 2) if starts else None,
        hesitations_per_min=rate(hes),
        discourse_per_min=rate(disc),
        long_pauses_per_min=rate(long_count),
        filler_percent=round(100.0 * (hes + disc) / (words + hes), 1) if words + hes else None,
        mean_answer_s=round(sum(lengths) / len(lengths), 1) if lengths else None,
        mean_answer_words=round(words / len(spoken), 1) if spoken else None,
    )


def session_metrics(s: SessionSummary) -> list:
    """The session's headline figures judged against the same targets as each answer's metrics."""
    from simulator.delivery.analyze import FILLERS_PER_MIN_WATCH, PACE_TARGET, Metric, filler_status, pace_status

    lo, hi = PACE_TARGET
    out = []
    if s.wpm is None:
        out.append(Metric("wpm", "Pace", None, "n/a", f"{lo:.0f}-{hi:.0f} wpm", "info", "too little speech to measure"))
    else:
        out.append(Metric("wpm", "Pace", s.wpm, f"{s.wpm:.0f} wpm", f"{lo:.0f}-{hi:.0f} wpm",
                          pace_status(s.wpm),
                          f"{s.word_count} words over {s.speaking_s:.0f} s of speech"))
    rate = s.fillers_per_min
    out.append(Metric("fillers_per_min", "Fillers", rate, "n/a" if rate is None else f"{rate:.1f} per min",
                      f"under {FILLERS_PER_MIN_WATCH:.0f} per min",
                      filler_status(rate, s.filler_percent),
                      f"{s.hesitations} hesitation{'s' if s.hesitations != 1 else ''} (um, uh), "
                      f"{s.discourse_fillers} discourse filler{'s' if s.discourse_fillers != 1 else ''}"))
    out.append(Metric("long_pauses", "Long pauses", s.long_pauses, str(s.long_pauses), None,
                      "info", "silences of 1 s or more inside answers"))
    t = s.mean_time_to_first_word_s
    out.append(Metric("time_to_first_word_s", "Time to first word", t, "n/a" if t is None else f"{t:.1f} s",
                      None, "info", "mean time before the first word of an answer"))
    out.append(Metric("speaking_s", "Speaking time", s.speaking_s, f"{s.speaking_s:.0f} s", None, "info",
                      f"{s.answers} answer{'s' if s.answers != 1 else ''}"))
    return out
