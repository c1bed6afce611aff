"""Is this speech? The Silero voice-activity model, streaming, one probability per 32 ms.

Energy alone cannot tell a voice from a beep, a click, phone static or a fan: all of them rise
above a noise floor. Silero VAD is a small network trained to tell speech from everything else;
faster-whisper ships it (`silero_vad_v6.onnx`) with onnxruntime, so it needs no download.

The model reads 512-sample windows (32 ms at 16 kHz), each with the 64 samples before it, and
carries an LSTM state from one window to the next: fed in order, block by block, it gives the
same probabilities as one pass over the whole recording.

    detector = SpeechDetector()
    for block in blocks:                 # any sizes, mono float32 at 16 kHz
        probs = detector.feed(block)     # one probability per complete window
    probs = detector.flush()             # the last partial window, padded with silence
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from simulator.audio.format import SAMPLE_RATE

WINDOW = 512  # samples per decision (32 ms at 16 kHz)
WINDOW_S = WINDOW / SAMPLE_RATE
CONTEXT = 64  # samples of the previous window the model also reads
SPEECH_PROBABILITY = 0.5  # Silero's own default threshold


@functools.lru_cache(maxsize=1)
def _session():
    import onnxruntime
    from faster_whisper.utils import get_assets_path

    options = onnxruntime.SessionOptions()
    # One thread: the model is tiny, and the other core belongs to the transcriber.
    options.inter_op_num_threads = 1
    options.intra_op_num_threads = 1
    options.enable_cpu_mem_arena = False
    options.log_severity_level = 4
    path = Path(get_assets_path()) / "silero_vad_v6.onnx"
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"], sess_options=options)


def available() -> bool:
    """Whether the model can be loaded (faster-whisper and onnxruntime installed)."""
    try:
        _session()
    except Exception:  # ImportError, a missing asset, a broken onnxruntime: the caller decides
        return False
    return True


class SpeechDetector:
    """Speech probabilities for consecutive blocks of mono float32 audio at 16 kHz."""

    def __init__(self):
        self._session = _session()
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._context = np.zeros(CONTEXT, np.float32)
        self._pending = np.zeros(0, np.float32)
        self.windows = 0  # windows decided so far

    def feed(self, block: np.ndarray) -> np.ndarray:
        """Probabilities of the windows this block completes (possibly none)."""
        data = np.concatenate((self._pending, _clean(block)))
        n = len(data) // WINDOW
        self._pending = data[n * WINDOW:]
        if n == 0:
            return np.zeros(0, np.float32)
        return self._run(data[: n * WINDOW])

    def flush(self) -> np.ndarray:
        """The last partial window, padded with silence; the detector is then empty."""
        if not len(self._pending):
            return np.zeros(0, np.float32)
        padded = np.concatenate((self._pending, np.zeros(WINDOW - len(self._pending), np.float32)))
        self._pending = np.zeros(0, np.float32)
        return self._run(padded)

    def _run(self, audio: np.ndarray) -> np.ndarray:
        windows = audio.reshape(-1, WINDOW)
        previous = np.concatenate((self._context[None, :], windows[:-1, -CONTEXT:]), axis=0)
        batch = np.ascontiguousarray(np.concatenate((previous, windows), axis=1))
        probs, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -CONTEXT:].copy()
        self.windows += len(windows)
        return np.asarray(probs, np.float32).reshape(-1)


def speech_probabilities(audio: np.ndarray) -> np.ndarray:
    """One pass over a whole recording: a probability per 32 ms window (the last one padded)."""
    detector = SpeechDetector()
    probs = [detector.feed(audio[i: i + 30 * SAMPLE_RATE]) for i in range(0, len(audio), 30 * SAMPLE_RATE)]
    probs.append(detector.flush())
    return np.concatenate(probs) if probs else np.zeros(0, np.float32)


def _clean(block: np.ndarray) -> np.ndarray:
    block = np.asarray(block, np.float32).reshape(-1)
    if not np.isfinite(block).all():
        block = np.nan_to_num(block, nan=0.0, posinf=1.0, neginf=-1.0)
    return np.clip(block, -1.0, 1.0)
