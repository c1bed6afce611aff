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


def run_checks(recordings: Path, engine: str = "faster-whisper", model: str = "tiny.en",
               llm_url: str | None = None, llm_model: str | None = None, allow_remote_llm: bool = False) -> list[Check]:
    """`llm_url`: the person's own model server, checked too when they named one."""
    checks = [_portaudio(), *_devices(), _playback(), _tts(), _model(engine, model), _recordings(recordings)]
    if llm_url:
        checks.append(check_local_model(llm_url, llm_model, allow_remote_llm))
    return checks


# A follow-up as the interview asks one, on a sample answer (nothing of the person's is sent).
SAMPLE_QUESTION = "Tell me about a project you are proud of."
# Two: the first request may load the model; the second is timed as an interview's follow-up is,
# the fixed prompt read, this answer not.
SAMPLE_ANSWERS = ("I led the move of our test suite to a faster machine, and it ran in half the time.",
                  "Last year I moved our billing reports to a new database. I wrote the checks that compared "
                  "the old and new totals every night, and the reports were ready two hours earlier.")
LLM_START_FIX = ("start your model server (e.g. `ollama serve`, or `llama-server -m MODEL.gguf --port 8080`), "
                 "or change the address: --llm URL / `interview-sim config set llm_url URL`")


def check_local_model(url: str, name: str | None, allow_remote: bool) -> Check:
    """Does the person's model server answer, with which model, and how fast a follow-up comes."""
    from dataclasses import replace

    from simulator.interview.model_followups import BUDGET_S, MAX_TOKENS, SCHEMA, WARM_UP_BUDGET_S, prompt
    from simulator.llm.endpoint import ModelFailure, ask_json, check_url

    label = "your model"
    try:
        server = check_url(url, allow_remote)
    except UserError as exc:
        return Check(label, "fail", exc.message, exc.hint or "")
    try:
        listed = server.models(5.0)
    except ModelFailure as exc:
        return Check(label, "fail", f"{server.url} does not answer: {exc.reason}", LLM_START_FIX)
    if name and name not in listed:
        return Check(label, "fail", f"{server.url} does not serve {name!r} (it lists: {', '.join(listed) or 'none'})",
                     "pull or load it (e.g. `ollama pull NAME`), or choose one it lists with --llm-model")
    model = replace(server, model=name or (listed[0] if listed else ""))
    try:
        first, then = (ask_json(model, prompt(SAMPLE_QUESTION, answer), SCHEMA, "follow_up", WARM_UP_BUDGET_S,
                                MAX_TOKENS) for answer in SAMPLE_ANSWERS)
    except ModelFailure as exc:
        return Check(label, "fail", f"{model.model or 'the model'} at {server.url} answers, but not with a "
                                    f"follow-up: {exc.reason}", "try another model with --llm-model")
    speed = f", {then.tokens / then.seconds:.0f} tokens/s" if then.tokens and then.seconds > 0 else ""
    detail = (f"{model.model or 'unnamed model'} at {server.url}: a follow-up in {then.seconds:.1f} s{speed} "
              f"(first request {first.seconds:.1f} s); within {BUDGET_S:g} s it is asked, else the rules'")
    if then.seconds > BUDGET_S:
        return Check(label, "warn", detail, "a smaller or quantised model, or a faster machine: the rules "
                                            "will ask most follow-ups")
    return Check(label, "ok", detail)


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
