"""`interview-sim doctor`: is everything this program needs here, and how to fix what is not."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from simulator.errors import UserError


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


def run_checks(recordings: Path, engine: str = "faster-whisper", model: str = "tiny.en") -> list[Check]:
    return [_portaudio(), *_devices(), _playback(), _tts(), _model(engine, model), _recordings(recordings)]


def _portaudio() -> Check:
    try:
        import sounddevice as sd
    except OSError:
        return Check("PortAudio", "fail", "the PortAudio library is not installed",
                     "Debian/Ubuntu: apt-get install libportaudio2 (macOS: brew install portaudio)")
    return Check("PortAudio", "ok", sd.get_portaudio_version()[1])


def _devices() -> list[Check]:
    try:
        import sounddevice as sd

        found = sd.query_devices()
    except Exception as exc:  # noqa: BLE001 - any failure here is the finding
        return [Check("microphone", "fail", f"cannot list devices: {exc}", "run: bash scripts/bootstrap.sh")]
    checks = []
    for kind, label, fix in (
        ("input", "microphone", "connect a microphone; on Linux without a sound card start a sound server "
                                "(scripts/virtual_audio.sh start makes a virtual one)"),
        ("output", "speaker", "connect speakers or headphones; `--no-speak` prints questions instead"),
    ):
        try:
            info = sd.query_devices(kind=kind)
            checks.append(Check(label, "ok", f"default {kind}: {info['name']} ({len(found)} devices in all)"))
        except Exception:  # noqa: BLE001
            checks.append(Check(label, "fail", f"no default {kind} device", fix))
    return checks


def _tts() -> Check:
    try:
        from simulator.interview.tts import Voice

        voice = Voice()
        try:
            speech = voice.render("Testing.").result(timeout=30)
        finally:
            voice.close()
    except UserError as exc:
        return Check("text to speech", "fail", exc.message, exc.hint or "apt-get install espeak-ng libespeak-ng1")
    except Exception as exc:  # noqa: BLE001
        return Check("text to speech", "fail", f"{type(exc).__name__}: {exc}",
                     "apt-get install espeak-ng libespeak-ng1; pip install pyttsx3")
    return Check("text to speech", "ok", f"pyttsx3 + espeak-ng rendered a {speech.duration_s:.1f} s test line")


def _playback() -> Check:
    # Questions and replays are played by PortAudio through sounddevice (aplay is never used):
    # play a moment of silence the same way, on the same default output.
    fix = "connect speakers or headphones, or pick one with --output-device (see `interview-sim devices`)"
    try:
        import numpy as np

        from simulator.audio.playback import play

        play(np.zeros(SILENCE_SAMPLES, np.float32), 16000)
    except UserError as exc:
        return Check("playback", "fail", exc.message, fix)
    except Exception as exc:  # noqa: BLE001 - any failure here is the finding
        return Check("playback", "fail", f"{type(exc).__name__}: {exc}", fix)
    return Check("playback", "ok", "PortAudio (sounddevice) played a test on the default output")


SILENCE_SAMPLES = 1600  # 0.1 s at 16 kHz


def _model(engine: str, model: str) -> Check:
    """The model in force, loaded as a transcription would load it: files that are there but
    unreadable or damaged fail here, not at the first answer."""
    from simulator import transcribe

    try:
        transcribe.check(engine, model)
        loaded = transcribe.load(engine, model)
    except UserError as exc:
        return Check("Whisper model", "fail", exc.message, exc.hint or "bash scripts/bootstrap.sh")
    except Exception as exc:  # noqa: BLE001 - whatever the engine raises, doctor reports it as a failed check
        return Check("Whisper model", "fail", f"{engine} could not load {model}: {type(exc).__name__}: {exc}",
                     "reinstall the model (bash scripts/bootstrap.sh) or choose another with --model")
    return Check("Whisper model", "ok", f"{engine} {loaded.model} loads")


def _recordings(root: Path) -> Check:
    try:
        root.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=root, prefix=".doctor-"):
            pass
    except OSError as exc:
        return Check("recordings folder", "fail", f"{root}: {exc.strerror}",
                     "choose a writable folder with --recordings-dir or `interview-sim config set recordings_dir PATH`")
    free = shutil.disk_usage(root).free / 1e9
    status = "ok" if free > 0.5 else "warn"
    return Check("recordings folder", status, f"{root} (writable, {free:.1f} GB free)",
                 "free some disk space: an hour of audio takes about 115 MB")
