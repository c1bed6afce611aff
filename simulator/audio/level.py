"""Is this block of audio speech? A quick, causal decision for live use.

Crude on purpose: it gives the recorder's meter its level and decides where a streaming chunk
may be cut. Whether the person is speaking (and so when an answer has ended) is the voice-activity
model's call (simulator.audio.vad): a beep or a fan rises above any level threshold. Pauses are
measured afterwards, from the whole waveform, by simulator.delivery.speech.
"""

from __future__ import annotations

import math

import numpy as np


class LevelGate:
    """Speech or not, block by block, against a noise floor that follows the room."""

    def __init__(self, min_db: float = -45.0, above_floor_db: float = 12.0):
        self.min_db = min_db
        self.above_floor_db = above_floor_db
        self.floor_db = -90.0
        self.level_db = -120.0

    def is_speech(self, block: np.ndarray) -> bool:
        rms = float(np.sqrt(np.mean(np.square(block), dtype=np.float64))) if block.size else 0.0
        self.level_db = 20 * math.log10(rms) if rms > 1e-6 else -120.0
        # The floor rises slowly and falls at once, so speech never drags it up far.
        if self.level_db < self.floor_db:
            self.floor_db = self.level_db
        else:
            self.floor_db += 0.01 * (self.level_db - self.floor_db)
        return self.level_db > max(self.min_db, self.floor_db + self.above_floor_db)


def split_at_pauses(audio: np.ndarray, max_s: float, sample_rate: int = 16_000, min_piece_s: float = 2.0,
                    min_pause_s: float = 0.2, step_s: float = 0.05) -> list[tuple[int, int]]:
    """(start, end) sample ranges covering `audio`, each at most `max_s` long where a pause allows:
    a longer stretch is cut in the middle of its longest pause of `min_pause_s` or more that leaves
    `min_piece_s` on either side, and so on. Sentences end at the long pauses, so the pieces tend
    to be whole sentences. A stretch without such a pause is left whole."""
    step = max(1, int(step_s * sample_rate))
    gate = LevelGate()
    speech = np.array([gate.is_speech(audio[i:i + step]) for i in range(0, audio.size - step + 1, step)], bool)
    min_steps, min_pause = int(min_piece_s / step_s), max(1, int(round(min_pause_s / step_s)))
    voiced = np.concatenate(([0], np.cumsum(speech)))  # speech steps before each step: O(1) "any speech here?"

    def cuts(lo: int, hi: int) -> list[int]:
        if (hi - lo) * step_s <= max_s:
            return []
        best: tuple[int, int] | None = None  # (pause length, its middle), in steps
        i = lo
        while i < hi:
            if speech[i]:
                i += 1
                continue
            j = i
            while j < hi and not speech[j]:
                j += 1
            middle = (i + j) // 2
            inside = voiced[i] > voiced[lo] and voiced[hi] > voiced[j]  # speech on both sides
            if (j - i >= min_pause and inside and middle - lo >= min_steps and hi - middle >= min_steps
                    and (best is None or j - i > best[0])):
                best = (j - i, middle)
            i = j
        if best is None:
            return []
        return cuts(lo, best[1]) + [best[1]] + cuts(best[1], hi)

    edges = [0] + [c * step for c in cuts(0, len(speech))] + [audio.size]
    return list(zip(edges, edges[1:]))
