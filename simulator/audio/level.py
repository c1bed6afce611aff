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
