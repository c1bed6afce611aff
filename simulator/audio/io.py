"""Read any audio file as mono float32 at 16 kHz, in bounded memory.

PyAV (FFmpeg) decodes and resamples: it ships with faster-whisper and reads WAV, FLAC, MP3,
OGG, M4A and the rest, so there is one reader for every format.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from simulator.errors import UserError
from simulator.audio.format import SAMPLE_RATE


MIN_RATE, MAX_RATE = 2_000, 768_000  # below the oldest telephone codecs; above any studio rate


@dataclass(frozen=True, slots=True)
class AudioInfo:
    path: Path
    duration_s: float  # after decoding, at SAMPLE_RATE


def _open(path: Path):
    import av  # lazy: keeps the CLI's start-up fast

    if not path.exists():
        raise UserError(f"{path}: no such file")
    if path.is_dir():
        raise UserError(f"{path}: is a folder, not an audio file")
    if not os.access(path, os.R_OK):
        raise UserError(f"{path}: not readable (check its permissions)")
    if path.stat().st_size == 0:
        raise UserError(f"{path}: the file is empty")
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"{path}: not an audio file this program can read ({_short(exc)})") from None
    if not container.streams.audio:
        container.close()
        raise UserError(f"{path}: contains no audio stream")
    rate = container.streams.audio[0].codec_context.sample_rate
    if not rate:
        # FFmpeg picked a format from the name alone (random bytes called .flac) and found nothing
        # in it: unreadable, not silence.
        container.close()
        raise UserError(f"{path}: not an audio file this program can read (no audio found in it)")
    if not MIN_RATE <= rate <= MAX_RATE:
        # A header claiming 1 Hz makes every byte a second of audio: resampled to 16 kHz, an 11 s
        # file would become days of samples. No recording is made at such a rate.
        container.close()
        raise UserError(f"{path}: its header claims a sample rate of {rate} Hz, which no recording has "
                        f"(this program reads {MIN_RATE}-{MAX_RATE} Hz): the file is damaged")
    return container


def _finite(frame):
    """The frame with NaN and infinite samples (a damaged float file) replaced by silence.

    Left in, one such sample turns the whole resampled block into noise and the speech around
    it is lost; only frames that have one are touched."""
    import av

    if frame.format.name not in ("flt", "fltp", "dbl", "dblp"):
        return frame
    samples = frame.to_ndarray()
    bad = ~np.isfinite(samples)
    if not bad.any():
        return frame
    samples = np.where(bad, 0, samples).astype(samples.dtype)
    repaired = av.AudioFrame.from_ndarray(samples, format=frame.format.name, layout=frame.layout.name)
    repaired.sample_rate = frame.sample_rate
    return repaired


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", text)  # FFmpeg's error numbers mean nothing to a person
    return text.split(": '")[0][:120]


@dataclass(frozen=True, slots=True)
class WavLayout:
    """Where a RIFF/WAVE file keeps its audio, as read from the chunk headers."""

    file_size: int
    data_header: int  # offset of the "data" chunk's header
    data_length: int  # bytes the header promises
    byte_rate: int
    block_align: int

    @property
    def data_start(self) -> int:
        return self.data_header + 8

    @property
    def bytes_present(self) -> int:
        """Whole frames really in the file after the data header."""
        present = self.file_size - self.data_start
        return present // self.block_align * self.block_align if self.block_align > 0 else present


def wav_layout(f) -> WavLayout | None:
    """Walk a WAV file's chunks (an open binary file); None when it is not a plain RIFF WAVE."""
    size = os.fstat(f.fileno()).st_size
    f.seek(0)
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos, byte_rate, block_align = 12, 0, 0
    while pos + 8 <= size:
        f.seek(pos)
        chunk = f.read(8)
        cid, length = chunk[:4], int.from_bytes(chunk[4:8], "little")
        if cid == b"fmt ":
            fmt = f.read(min(length, 16))
            if len(fmt) >= 14:
                byte_rate = int.from_bytes(fmt[8:12], "little")
                block_align = int.from_bytes(fmt[12:14], "little")
        elif cid == b"data":
            return WavLayout(size, pos, length, byte_rate, block_align)
        pos += 8 + length + (length & 1)
    return None


def wav_shortfall(path: str | os.PathLike) -> tuple[float, float] | None:
    """(seconds the WAV header promises, seconds really in the file) when the file is cut short."""
    try:
        with open(path, "rb") as f:
            layout = wav_layout(f)
    except OSError:
        return None
    if layout is None or layout.byte_rate <= 0 or layout.data_length in (0, 0xFFFFFFFF):
        return None
    present = layout.file_size - layout.data_start
    if present >= layout.data_length:
        return None
    return layout.data_length / layout.byte_rate, present / layout.byte_rate


class DownMix:
    """Several channels to one: their average, unless averaging cancels them.

    A stereo file with one channel wired inverted (a balanced cable, a phase switch) holds a voice
    and its negative: their average is silence. When the average keeps less than a tenth of the
    loudest channel's power, the loudest channel is taken alone. Decided once, on the first block
    with sound in it, and kept for the whole file."""

    CANCELLED = 0.1  # mixed power / loudest channel's power below this: the channels cancel
    SOUND = 1e-6  # power of a block with sound in it (-60 dBFS)

    def __init__(self, channels: int):
        self.channels = channels
        self.channel: int | None = None  # the one channel taken, once the channels are found to cancel
        self._decided = channels == 1

    def __call__(self, block: np.ndarray) -> np.ndarray:
        """(channels, samples) int16 -> mono float32."""
        block = block.astype(np.float32) / 32768.0
        if not self._decided:
            power = np.mean(np.square(block, dtype=np.float64), axis=1)
            if power.max() > self.SOUND:
                self._decided = True
                if np.mean(np.square(block.mean(axis=0), dtype=np.float64)) < self.CANCELLED * power.max():
                    self.channel = int(np.argmax(power))
        return block[self.channel] if self.channel is not None else block.mean(axis=0)

    def describe(self) -> str:
        if self.channels == 1:
            return "mono"
        if self.channel is None:
            return f"the mix of {self.channels} channels"
        return (f"channel {self.channel + 1} of {self.channels} alone (mixed, the channels cancel: "
                "one is inverted)")


def iter_blocks(path: str | os.PathLike, block_s: float = 30.0,
                channels: Callable[[str], None] | None = None) -> Iterator[np.ndarray]:
    """Yield the file as consecutive mono float32 16 kHz blocks of about `block_s` seconds.
    `channels` hears, once the file is read, how its channels became one (DownMix.describe)."""
    import av

    path = Path(path)
    container = _open(path)
    # Resampled with its channels kept: DownMix makes them one.
    resampler = av.AudioResampler(format="s16p", rate=SAMPLE_RATE)
    mix = DownMix(container.streams.audio[0].codec_context.channels or 1)
    want = max(1, int(block_s * SAMPLE_RATE))
    pending: list[np.ndarray] = []
    have = 0
    try:
        stream = container.streams.audio[0]
        try:
            for frame in container.decode(stream):
                frame.pts = None  # let the resampler keep its own clock: broken pts must not drop audio
                for out in resampler.resample(_finite(frame)):
                    pending.append(out.to_ndarray())
                    have += pending[-1].shape[1]
                while have >= want:
                    block = np.concatenate(pending, axis=1)
                    yield mix(block[:, :want])
                    pending, have = [block[:, want:]], block.shape[1] - want
            for out in resampler.resample(None):
                pending.append(out.to_ndarray())
                have += pending[-1].shape[1]
        except av.error.FFmpegError as exc:
            if have == 0 and not pending:
                raise UserError(f"{path}: the audio could not be decoded ({_short(exc)})") from None
            # A truncated file: keep what decoded, as a player would.
        if have:
            yield mix(np.concatenate(pending, axis=1))
        if channels is not None:
            channels(mix.describe())
    finally:
        container.close()


def load_audio(path: str | os.PathLike) -> np.ndarray:
    """The whole file as one array. Use `iter_blocks` for long recordings."""
    blocks = list(iter_blocks(path))
    if not blocks:
        raise UserError(f"{path}: contains no audio samples")
    return np.concatenate(blocks)


def write_wav(path: str | os.PathLike, samples: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    import soundfile

    soundfile.write(str(path), samples, sample_rate, subtype="PCM_16")
