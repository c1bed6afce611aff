"""A long answer made from audio the project may ship, for the failures only long input shows.

Public-domain speech (JFK, two LibriVox readings) and English said by espeak-ng's German, Spanish
and French voices (accented speech; two of them quiet, as a speaker far from the microphone),
joined with pauses of 0.5-2 s: a little over two minutes. Before the second look and the loop checks
(transcribe/streaming.py, transcribe/loops.py) this input lost the start of a stretch of
speech and looped ("erm, erm, erm, ...", "I'll see you in the next video" four times).
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.audio.format import SAMPLE_RATE

DATA = Path(__file__).resolve().parent / "data"

SCRIPTS = [
    "He can make everything, like a big snake, a big cat, an elephant, a car, an airplane, a submarine. "
    "Then we play together in the garden until the evening, and my mother calls us for dinner.",
    "In my last job I looked after the stock room. Every morning I counted the boxes, checked the orders "
    "against the list, and told my manager what was missing before the shop opened.",
    "The hardest thing was the night shift. We were only two people, and when the machine stopped we had "
    "to fix it ourselves, because the engineer came only in the morning.",
]
# (clip or espeak voice, script index, gain)
PARTS = [("jfk", None, 1.0), ("de", 0, 0.03), ("es", 1, 0.03), ("librivox-0870", None, 1.0), ("fr", 2, 0.05),
         ("librivox-0890", None, 1.0), ("de", 0, 1.0), ("es", 1, 1.0), ("fr", 2, 1.0), ("jfk", None, 1.0)]


@dataclass(frozen=True, slots=True)
class Part:
    name: str
    start_s: float
    end_s: float
    words: int  # words said
    gain: float


def espeak(text: str, voice: str, rate: int = 150) -> np.ndarray:
    from simulator.audio.io import load_audio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "speech.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(path), text], check=True,
                       capture_output=True, timeout=60)
        return load_audio(path)


def long_answer(seed: int = 0, quiet: bool = True) -> tuple[np.ndarray, list[Part]]:
    """The audio (mono float32, 16 kHz) and where each part lies in it; without the quiet parts
    when `quiet` is False (85 s: on them Whisper writes whatever the window's context suggests,
    different from one cut of the audio to another)."""
    from simulator.audio.io import load_audio

    rng = np.random.default_rng(seed)
    pieces, parts, t = [], [], 0
    for source, script, gain in PARTS:
        if gain < 1.0 and not quiet:
            continue
        if script is None:
            audio = load_audio(DATA / f"{source}.wav")
            words = len((DATA / f"{source}.txt").read_text().split())
        else:
            audio = espeak(SCRIPTS[script], source)
            words = len(SCRIPTS[script].split())
        pause = np.zeros(int(rng.uniform(0.5, 2.0) * SAMPLE_RATE), np.float32)
        t += pause.size
        parts.append(Part(source if script is None else f"espeak {source}", round(t / SAMPLE_RATE, 2),
                          round((t + audio.size) / SAMPLE_RATE, 2), words, gain))
        pieces += [pause, (audio * gain).astype(np.float32)]
        t += audio.size
    return np.concatenate(pieces), parts
