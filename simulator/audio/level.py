"""Is this block of audio speech? A quick, causal decision for live use.

Crude on purpose: it gives the recorder's meter its level and decides where a streaming chunk
may be cut. Whether the person is speaking (and so when an answer has ended) is the voice-activity
model's call (simulator.audio.vad): a beep or a fan rises above any level threshold. Pauses are
measured afterwards, from the whole waveform, by simulator.delivery.speech.
"""

from __future__ import annotations

import math

import numpy as np


class DCBlocker:
    """A microphone's DC offset removed, block by block; consecutive blocks give what one pass
    over the whole would.

    An offset (0.1 of full scale on a cheap USB microphone) is -20 dBFS of steady power in every
    frame, pauses included: louder than the pauses, so every level decision took the whole
    recording for one steady noise. The offset is tracked by a one-pole high-pass,
    y[n] = x[n] - x[n-1] + R·y[n-1], with a time constant of a second (cut-off 0.16 Hz at 16 kHz,
    so everything audible stays as it was); the first sample starts it, so a constant offset never
    enters. What lies within KEPT of zero is left: that small an offset is under any microphone's
    own noise, and the speech thresholds were measured on recordings that have one (the LibriVox
    clip's is 0.7 %: removed, its floor fell 8 dB and the breath after the last word counted as
    speech). The recursion runs in closed form over short stretches."""

    R = 1.0 - 1.0 / 16_000
    KEPT = 0.01  # of full scale (-40 dBFS)
    STRETCH = 4096
    _GROW = R ** -np.arange(STRETCH, dtype=np.float64)  # R^-k
    _DECAY = R ** np.arange(STRETCH, dtype=np.float64)  # R^k

    def __init__(self):
        self._x: float | None = None  # the last input sample
        self._y = 0.0  # the last output of the high-pass

    def __call__(self, block: np.ndarray) -> np.ndarray:
        x = np.asarray(block, np.float64).reshape(-1)
        if not x.size:
            return x.astype(np.float32)
        if self._x is None:
            self._x = float(x[0])
        step = np.diff(x, prepend=self._x)
        passed = np.empty_like(x)
        y = self._y
        for i in range(0, len(step), self.STRETCH):
            part = step[i:i + self.STRETCH]
            n = len(part)
            # y[i+k] = R^k (R·y[i-1] + the sum over j <= k of R^-j·step[i+j])
            passed[i:i + n] = self._DECAY[:n] * (self.R * y + np.cumsum(part * self._GROW[:n]))
            y = passed[i + n - 1]
        self._x, self._y = float(x[-1]), float(y)
        offset = x - passed
        return (x - np.sign(offset) * np.maximum(np.abs(offset) - self.KEPT, 0.0)).astype(np.float32)


class LevelGate:
    """Speech or not, block by block, against a noise floor that follows the room; a DC offset
    is removed first (DCBlocker)."""

    def __init__(self, min_db: float = -45.0, above_floor_db: float = 12.0):
        self.min_db = min_db
        self.above_floor_db = above_floor_db
        self.floor_db = -90.0
        self.level_db = -120.0
        self._dc = DCBlocker()

    def is_speech(self, block: np.ndarray) -> bool:
        block = self._dc(block)
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
