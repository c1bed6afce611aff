"""Running figures while the person is still speaking (`practice --live`).

The same filler rules and word counts as the full analysis, on the words transcribed so far;
the full `analyze` replaces them the moment the answer ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from simulator.delivery.analyze import read_words
from simulator.delivery.fillers import count_fillers
from simulator.transcribe.base import TimedWord

MIN_SPAN_S = 5.0  # a pace over a few seconds swings wildly: show none until then


@dataclass(frozen=True, slots=True)
class LiveFigures:
    words: int
    wpm: float | None
    hesitations: int
    discourse_fillers: int


def live_figures(words: Sequence[TimedWord]) -> LiveFigures:
    if not words:
        return LiveFigures(0, None, 0, 0)
    _tokens, labels, phrases, counts = read_words([w.text for w in words])
    count = sum(counts)
    fillers = count_fillers(labels, phrases)
    span = words[-1].end - words[0].start
    wpm = round(count * 60 / span) if span >= MIN_SPAN_S else None
    return LiveFigures(count, wpm, fillers.hesitation, fillers.discourse)
