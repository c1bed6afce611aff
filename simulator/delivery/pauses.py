"""Pauses: silences inside the span of speech, measured on the waveform, and their classes.

Classes follow the fluency literature (docs/sources.md): silences under 0.25 s are articulation, not
pauses (studies found a 200-350 ms lower cut-off best); 0.25-1 s is an ordinary pause, 1-2 s a
long one, and over 2 s a silence a listener notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

MIN_PAUSE_S = 0.25
LONG_S = 1.0
VERY_LONG_S = 2.0


@dataclass
class Pause:
    start: float
    end: float

    @property
    def duration_s(self) -> float:
        return round(self.end - self.start, 3)


@dataclass
class PauseClasses:
    under_1s: int = 0  # 0.25-1 s
    from_1_to_2s: int = 0
    over_2s: int = 0


def find_pauses(regions: Sequence[tuple[float, float]], span: tuple[float, float],
                min_s: float = MIN_PAUSE_S) -> list[Pause]:
    """Gaps between speech regions, clipped to the span, at least `min_s` long."""
    start, end = span
    out = []
    for (_, a), (b, _) in zip(regions, regions[1:]):
        a, b = max(a, start), min(b, end)
        if b - a >= min_s - 1e-9:
            out.append(Pause(round(a, 3), round(b, 3)))
    return out


def classify(pauses: Sequence[Pause]) -> PauseClasses:
    classes = PauseClasses()
    for p in pauses:
        d = p.end - p.start
        if d > VERY_LONG_S:
            classes.over_2s += 1
        elif d >= LONG_S:
            classes.from_1_to_2s += 1
        else:
            classes.under_1s += 1
    return classes
