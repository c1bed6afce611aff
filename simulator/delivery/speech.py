"""Where the waveform has speech: 10 ms frames marked voiced or silent.

Pauses are measured here, not from word times: Whisper stretches words across silences
(docs/sources.md: on the JFK clip tiny.en's word gaps found 0 of 4 real pauses).

The detector is frame energy (smoothed over 50 ms) against an adaptive noise floor. Measured
against the Silero VAD that faster-whisper ships (`simulator/evaluation/accuracy.py`): on 37 true
pauses of 0.5 s or more (spliced LibriVox alignments and synthetic answers) both found all 37
with no false pause. Energy needs no model or onnxruntime and decides every 10 ms rather than
every 32 ms, so it is the detector used here.

One pass over the audio, block by block, keeps only per-frame numbers (energy, pitch): about
1.5 MB per hour, so a 60-minute recording given as blocks is analysed in bounded memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

import numpy as np

from simulator.audio.format import SAMPLE_RATE
from simulator.audio.level import DCBlocker
from simulator.audio.vad import WINDOW_S as VAD_WINDOW_S
from simulator.delivery.prosody import PITCH_WINDOW, frame_pitch

FRAME_S = 0.010
SILENCE_DB = -100.0  # energy of digital silence; keeps log10(0) out of the numbers
# Below this a frame is never speech, whatever the noise floor (a muted microphone has a floor
# too, and its hiss must not read as speech).
ABSOLUTE_FLOOR_DB = -55.0
# A frame is speech when it rises this far above the local noise floor ...
ON_MARGIN_DB = 12.0
# ... and stays speech until it falls below this margin (hysteresis keeps word tails in).
OFF_MARGIN_DB = 7.0
# A recording whose loud frames are this close to its floor holds no speech (steady noise).
MIN_DYNAMIC_RANGE_DB = 10.0
LOUD_REFERENCE_S = 3.0  # the loud reference level comes from at most this much of the loudest audio
# Audio with more than this share of samples at full scale is clipped: its speech is decided by
# the voice model (see _voiced_by_model), not by energy.
CLIPPED_LEVEL = 0.99
CLIPPED_SHARE = 0.001
# Gaps shorter than this are stop closures or short breaths inside speech, not pauses.
MIN_GAP_S = 0.15
# Speech bursts shorter than this are clicks and pops.
MIN_SPEECH_S = 0.06
SMOOTH = 5  # frames
PITCH_BATCH = 500  # frames per pitch computation
CHUNK_S = 30.0  # internal block size when one long array is given


@dataclass(eq=False)
class VoiceActivity:
    """Per-frame facts about the waveform. Times are seconds from the start of the audio."""

    frame_s: float
    voiced: np.ndarray  # bool per frame: speech here
    energy_db: np.ndarray  # float32 per frame, dBFS (RMS)
    f0_hz: np.ndarray  # float32 per frame, 0 where no pitch was found
    sample_rate: int = 16_000
    # Silero's speech probability per 32 ms window (simulator.audio.vad), or None when the model
    # is not installed. Energy finds where the pauses are; this tells a voice from a beep.
    speech_prob: np.ndarray | None = None
    _cumulative: np.ndarray | None = field(default=None, repr=False)

    @property
    def duration_s(self) -> float:
        return len(self.voiced) * self.frame_s

    @property
    def has_speech(self) -> bool:
        return bool(self.voiced.any())

    def regions(self) -> list[tuple[float, float]]:
        """Speech regions as (start, end) seconds, in order, not overlapping."""
        edges = np.diff(np.concatenate(([0], self.voiced.astype(np.int8), [0])))
        starts = np.flatnonzero(edges == 1)
        ends = np.flatnonzero(edges == -1)
        return [(round(s * self.frame_s, 3), round(e * self.frame_s, 3)) for s, e in zip(starts, ends)]

    def voice_likelihood(self, start: float, end: float) -> float | None:
        """The highest speech probability the voice model gave inside [start, end], or None
        when it did not run."""
        if self.speech_prob is None:
            return None
        i0 = max(0, int(start / VAD_WINDOW_S))
        i1 = min(len(self.speech_prob), int(np.ceil(max(end, start) / VAD_WINDOW_S)) + 1)
        return float(self.speech_prob[i0:i1].max()) if i1 > i0 else 0.0

    def speech_between(self, start: float, end: float) -> float:
        """Seconds of speech inside [start, end] (fractional frames at the edges count in part)."""
        if end <= start or not len(self.voiced):
            return 0.0
        if self._cumulative is None:
            self._cumulative = np.concatenate(([0], np.cumsum(self.voiced, dtype=np.int64)))
        frames = self._speech_frames_before(end) - self._speech_frames_before(start)
        return max(0.0, float(frames) * self.frame_s)

    def _speech_frames_before(self, t: float) -> float:
        # Linear inside a frame, so a 40 ms window across a frame edge counts what it covers.
        pos = min(max(t / self.frame_s, 0.0), float(len(self.voiced)))
        i = int(pos)
        whole = float(self._cumulative[i])
        if i < len(self.voiced):
            whole += (pos - i) * float(self.voiced[i])
        return whole


def voice_activity(audio: np.ndarray | Iterable[np.ndarray], sample_rate: int = 16_000,
                   voice_model: bool = True) -> VoiceActivity:
    """Mark speech in mono audio given as one array or as consecutive blocks. `voice_model`:
    also run Silero (when installed and the audio is at 16 kHz)."""
    detector = _speech_detector() if voice_model and sample_rate == SAMPLE_RATE else None
    probs: list[np.ndarray] = []
    frame = max(1, int(round(FRAME_S * sample_rate)))
    window = max(frame, int(round(PITCH_WINDOW * sample_rate)))
    energies: list[np.ndarray] = []
    pitches: list[np.ndarray] = []
    pending = np.zeros(0, dtype=np.float32)
    # Pitch needs 40 ms of signal; each frame's window ends where the frame ends.
    history = np.zeros(window - frame, dtype=np.float32)
    dc = DCBlocker()
    clipped = samples = 0
    for block in _blocks(audio, sample_rate):
        if detector is not None:
            probs.append(detector.feed(block))
        clipped += int(np.count_nonzero(np.abs(block) >= CLIPPED_LEVEL))
        samples += block.size
        block = dc(block)  # energy and pitch of the sound, not of the microphone's offset
        pending = np.concatenate((pending, block))
        n = len(pending) // frame
        if n == 0:
            continue
        current, pending = pending[: n * frame], pending[n * frame:]
        history = _measure(current, history, frame, window, sample_rate, energies, pitches)
    if len(pending):  # the last partial frame, padded with silence
        current = np.concatenate((pending, np.zeros(frame - len(pending), dtype=np.float32)))
        _measure(current, history, frame, window, sample_rate, energies, pitches)
    energy = np.concatenate(energies) if energies else np.zeros(0, dtype=np.float32)
    f0 = np.concatenate(pitches) if pitches else np.zeros(0, dtype=np.float32)
    voiced = decide_speech(energy)
    speech_prob = None
    if detector is not None:
        probs.append(detector.flush())
        speech_prob = np.concatenate(probs)
        if clipped > CLIPPED_SHARE * samples:
            voiced = _voiced_by_model(speech_prob, len(energy), frame / sample_rate)
    f0 = np.where(voiced, f0, 0).astype(np.float32)  # pitch of noise between words is not the voice's
    return VoiceActivity(frame / sample_rate, voiced, energy, f0, sample_rate, speech_prob)


def _voiced_by_model(speech_prob: np.ndarray, frames: int, frame_s: float) -> np.ndarray:
    """Voiced/silent per frame from Silero's windows, with the energy decision's gap rules.

    Clipped audio flattens speech against the noise the same gain raised (jfk.wav 30 dB too
    loud: words 10 dB above the pauses, not 12), so energy cannot find the words there; the
    voice model, which does not go by level, still does."""
    from simulator.audio.vad import SPEECH_PROBABILITY

    window = np.minimum(((np.arange(frames) + 0.5) * frame_s / VAD_WINDOW_S).astype(np.int64),
                        len(speech_prob) - 1)
    voiced = speech_prob[window] > SPEECH_PROBABILITY if len(speech_prob) else np.zeros(frames, bool)
    voiced = fill_short_runs(voiced, False, int(round(MIN_GAP_S / frame_s)))
    return fill_short_runs(voiced, True, int(round(MIN_SPEECH_S / frame_s)))


def _speech_detector():
    from simulator.audio import vad

    return vad.SpeechDetector() if vad.available() else None


def _blocks(audio: np.ndarray | Iterable[np.ndarray], sample_rate: int) -> Iterator[np.ndarray]:
    if isinstance(audio, np.ndarray):
        audio = (audio,)
    step = int(CHUNK_S * sample_rate)
    for block in audio:
        block = np.asarray(block, dtype=np.float32)
        if block.ndim > 1:  # interleaved or (n, channels): mix down
            block = block.mean(axis=-1) if block.shape[-1] <= 8 else block.mean(axis=0)
        block = np.nan_to_num(block.reshape(-1), nan=0.0, posinf=1.0, neginf=-1.0)
        for i in range(0, len(block), step):
            yield block[i: i + step]


def _measure(current: np.ndarray, history: np.ndarray, frame: int, window: int, sample_rate: int,
             energies: list, pitches: list) -> np.ndarray:
    frames = current.reshape(-1, frame).astype(np.float64)
    power = np.mean(frames * frames, axis=1)
    energies.append(np.where(power > 1e-10, 10 * np.log10(np.maximum(power, 1e-10)), SILENCE_DB).astype(np.float32))
    extended = np.concatenate((history, current))
    windows = np.lib.stride_tricks.sliding_window_view(extended, window)[::frame][: len(frames)]
    for i in range(0, len(windows), PITCH_BATCH):  # bounds the FFT's working memory to a few MB
        pitches.append(frame_pitch(windows[i: i + PITCH_BATCH], sample_rate))
    return extended[len(extended) - (window - frame):] if window > frame else np.zeros(0, dtype=np.float32)


def noise_floor(energy_db: np.ndarray, chunk: int = 100, reach: int = 3) -> np.ndarray:
    """The local noise level per frame: a low percentile per second, the minimum over nearby seconds.

    The floor follows slow changes (a fan starting, a gain change) but not speech: any second
    with a pause in it pulls the floor down for the seconds around it. Linear in length.
    """
    n = len(energy_db)
    if n == 0:
        return energy_db.copy()
    pad = (-n) % chunk
    padded = np.concatenate((energy_db, np.full(pad, energy_db[-1], dtype=energy_db.dtype)))
    per_chunk = np.percentile(padded.reshape(-1, chunk), 10, axis=1)
    m = len(per_chunk)
    local = np.array([per_chunk[max(0, i - reach): i + reach + 1].min() for i in range(m)])
    return np.repeat(local, chunk)[:n].astype(np.float32)


def decide_speech(energy_db: np.ndarray, frame_s: float = FRAME_S) -> np.ndarray:
    """Voiced/silent per frame from energies: hysteresis over an adaptive floor, then smoothing."""
    n = len(energy_db)
    if n == 0:
        return np.zeros(0, dtype=bool)
    # Smoothed over 50 ms: room noise flickers by +-6 dB from frame to frame, speech does not dip.
    power = 10 ** (energy_db.astype(np.float64) / 10)
    energy_db = (10 * np.log10(np.maximum(np.convolve(power, np.ones(SMOOTH) / SMOOTH, mode="same"), 1e-10))
                 ).astype(np.float32)
    floor = noise_floor(energy_db)
    loud = _loud_level(energy_db)
    if loud - float(np.median(floor)) < MIN_DYNAMIC_RANGE_DB or loud < ABSOLUTE_FLOOR_DB:
        return np.zeros(n, dtype=bool)
    # A floor far below the speech (digital silence between words) would let breath noise count:
    # never set the bar more than 35 dB under the loud frames.
    floor = np.maximum(floor, loud - 35.0 - ON_MARGIN_DB)
    on = (energy_db > floor + ON_MARGIN_DB) & (energy_db > ABSOLUTE_FLOOR_DB)
    stay = (energy_db > floor + OFF_MARGIN_DB) & (energy_db > ABSOLUTE_FLOOR_DB - 5)
    voiced = _hysteresis(on, stay)
    voiced = fill_short_runs(voiced, False, int(round(MIN_GAP_S / frame_s)))
    voiced = fill_short_runs(voiced, True, int(round(MIN_SPEECH_S / frame_s)))
    return voiced


def _loud_level(energy_db: np.ndarray) -> float:
    """The level of the loud frames: the 95th percentile, but over at most LOUD_REFERENCE_S of
    the loudest audio, so an hour with one minute of speech in it still has speech in it."""
    n = len(energy_db)
    k = int(LOUD_REFERENCE_S / FRAME_S)
    if n * 0.05 <= k:
        return float(np.percentile(energy_db, 95))
    return float(np.partition(energy_db, n - k)[n - k])


def _hysteresis(on: np.ndarray, stay: np.ndarray) -> np.ndarray:
    """Keep each `stay` run that contains at least one `on` frame."""
    edges = np.diff(np.concatenate(([0], stay.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out = np.zeros_like(stay)
    on_count = np.concatenate(([0], np.cumsum(on)))
    for s, e in zip(starts, ends):
        if on_count[e] > on_count[s]:
            out[s:e] = True
    return out


def fill_short_runs(mask: np.ndarray, value: bool, max_len: int) -> np.ndarray:
    """Flip interior runs of `value` shorter than max_len frames (edges of the file are kept)."""
    if max_len <= 0 or not len(mask):
        return mask
    target = mask == value
    edges = np.diff(np.concatenate(([0], target.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    out = mask.copy()
    for s, e in zip(starts, ends):
        if e - s < max_len and s > 0 and e < len(mask):
            out[s:e] = not value
    return out
