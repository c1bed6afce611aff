"""Does the speech/silence decision survive a microphone's DC offset, clipping, a quiet level and
an inverted channel? tests/data/jfk.wav (22 words) altered as sox would alter it, each version
written as a file and analysed by the real pipeline (tiny.en); one Markdown row per version.
    .venv/bin/python scripts/level_robustness.py
"""

import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from simulator import transcribe  # noqa: E402
from simulator.pipeline import analyze_file  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"
speech, rate = soundfile.read(str(DATA / "jfk.wav"), dtype="float32")


def versions():
    """(name, the sox command it stands for, samples): clipped to full scale as a file would be."""
    yield "as recorded", "", speech
    for offset in (0.05, 0.1, 0.2, 0.4):
        yield f"DC offset {offset}", f"dcshift {offset}", np.clip(speech + offset, -1, 1)
    for gain in (10, 20, 30, 40):
        yield f"{gain} dB louder, clipped", f"gain {gain}", np.clip(speech * 10 ** (gain / 20), -1, 1)
    yield "DC offset 0.2 and 20 dB louder", "gain 20 dcshift 0.2", np.clip(speech * 10 + 0.2, -1, 1)
    for gain in (-20, -30, -40):
        yield f"{-gain} dB quieter", f"gain {gain}", speech * 10 ** (gain / 20)
    yield "stereo, right channel inverted", "remix 1 1v-1", np.stack([speech, -speech], axis=1)
    yield "stereo, right inverted at half level", "remix 1 1v-0.5", np.stack([speech, -0.5 * speech], axis=1)


model = transcribe.load("faster-whisper", "tiny.en")
folder = Path(tempfile.mkdtemp(prefix="level-robustness-"))
print("| jfk.wav | sox | speech found | words kept of 22 | dropped as silence | channels |")
print("|---|---|---|---|---|---|")
for i, (name, sox, samples) in enumerate(versions()):
    path = folder / f"{i:02d}.wav"
    soundfile.write(str(path), samples, rate, subtype="PCM_16")
    analysis = analyze_file(path, model)
    d = analysis.delivery
    print(f"| {name} | `{sox}` | {'yes' if d.speech_found else 'no'} | {d.word_count} | {len(d.dropped_words)} "
          f"| {analysis.channels} |", flush=True)
