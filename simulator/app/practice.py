"""An interview, start to finish, as a front end starts one: the plan, the devices, the voice."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.config import Config
from simulator.errors import EnvironmentProblem
from simulator.store import Session, Store


@dataclass
class PracticeOptions:
    banks: list[str] | None = None  # names or paths; None: the default mix
    questions: int = 5
    mode: str = "standard"  # standard | pressure
    seed: int | None = None
    repeat: bool = False
    max_answer_s: float = 180.0
    silence_stop_s: float = 4.0
    live: bool = False
    speak: bool = True
    input_device: str | None = None  # an option given now; else the settings' device
    output_device: str | None = None
    job: str | None = None  # a job description file ("-": standard input): questions about its skills


def speaker(settings: Config, view, *, speak: bool = True, chosen_output: str | None = None,
            rate: int | None = None, voice: str | None = None):
    """The interviewer's voice; questions are still shown when no speaker can be had."""
    from simulator.app.sessions import output_device
    from simulator.audio import devices
    from simulator.interview.tts import Speaker, Voice

    voice = Voice(rate=rate or settings.rate, voice=voice or settings.voice)
    if not speak:
        return Speaker(voice, None, enabled=False)
    try:
        device = output_device(settings, chosen_output, view.warn)
        available = devices.has_device("output", device)
    except EnvironmentProblem as exc:
        available, device = False, None
        view.warn(exc.message)
    if not available:
        view.warn("no audio output device found: the questions are shown here but not spoken")
    return Speaker(voice, device, enabled=available)


def read_job(path: str | None):
    """The job a description file names (title, seniority, skills), or None without one."""
    if not path:
        return None
    from simulator.interview.job import read_job as parse_job, read_job_file

    return parse_job(read_job_file(path))


def plan(settings: Config, options: PracticeOptions, store: Store | None):
    """The interviewer and its plan. A broken bank or job file fails here, before any device is
    opened. Without a store, recent sessions are not avoided (what `plan` shows for a seed)."""
    from simulator.interview.interviewer import Interviewer, parse_banks, recent_question_keys

    return Interviewer(parse_banks(options.banks), questions=options.questions, seed=options.seed,
                       mode=options.mode, name=settings.interviewer,
                       recent=recent_question_keys(store) if store is not None else (),
                       repeat=options.repeat, job=read_job(options.job))


def run_practice(settings: Config, options: PracticeOptions, view, store: Store | None = None) -> Session:
    """Questions spoken, answers recorded from the microphone and analysed, the session stored."""
    from simulator.app.sessions import check_model, open_store, recover, transcriber_loader
    from simulator.audio import devices
    from simulator.interview.interviewer import pressure_rate
    from simulator.interview.practice import MicrophoneSource
    from simulator.interview.session import SessionSettings, run_session

    rate = pressure_rate(settings.rate) if options.mode == "pressure" else settings.rate
    store = store or open_store(settings)
    interviewer = plan(settings, options, store)
    input_device = (devices.resolve(options.input_device, "input") if options.input_device
                    else devices.resolve_or_default(settings.input_device, "input", view.warn))
    if not devices.has_device("input", input_device):
        raise EnvironmentProblem("no microphone (input device) found",
                                 hint="connect one, check `interview-sim devices`, or try `interview-sim demo`")
    store.ensure_writable()  # a read-only or full folder fails now, not after the first answer
    check_model(settings)
    load = recover(store, transcriber_loader(settings), view.warn)
    voice = speaker(settings, view, speak=options.speak, chosen_output=options.output_device, rate=rate)
    source = MicrophoneSource(input_device, options.max_answer_s, options.silence_stop_s, on_tick=view.meter,
                              live=options.live, think_s=settings.think_time)
    view.listening(f"Answer after each question. Recording stops when you press Enter, after "
                   f"{options.silence_stop_s:g} s of silence, or at {options.max_answer_s:g} s. "
                   "Ctrl-C ends the session.")
    if options.mode == "pressure":
        view.listening("Pressure mode: shorter time budgets, and the interviewer cuts in when yours is up.")
    view.listening(f"Seed {interviewer.seed}: `--seed {interviewer.seed} --repeat` asks these questions again.")
    for note in interviewer.notes:
        view.listening(f"Note: {note}.")
    session_settings = SessionSettings(
        kind="practice", bank=",".join(b.name for b in interviewer.banks), engine=settings.engine,
        model=settings.model, extra={"input_device": input_device, "questions": options.questions,
                                     "repeat": options.repeat, "voice": voice.voice.voice, "rate": rate,
                                     **interviewer.settings()})
    try:
        return run_session(store, session_settings, interviewer, source, voice, load, view)
    finally:
        voice.voice.close()


def run_demo(settings: Config, view, *, speak: bool = True, output_device: str | None = None,
             store: Store | None = None) -> Session:
    """A short interview answered by a synthetic candidate, through the same path as a person's."""
    from simulator.app.sessions import check_model, open_store, recover, transcriber_loader
    from simulator.interview.demo import DemoSource, demo_turns
    from simulator.interview.session import SessionSettings, run_session

    store = store or open_store(settings)
    store.ensure_writable()  # a read-only or full folder fails now, not after the first answer
    check_model(settings)
    load = recover(store, transcriber_loader(settings), view.warn)
    voice = speaker(settings, view, speak=speak, chosen_output=output_device)
    source = DemoSource()
    view.listening("Demo: a synthetic candidate answers three questions; its answers go through the "
                   "same transcription, metrics and storage as yours would.")
    session_settings = SessionSettings(kind="demo", bank="demo", engine=settings.engine, model=settings.model)
    try:
        return run_session(store, session_settings, demo_turns(), source, voice, load, view)
    finally:
        voice.voice.close()
        source.voice.close()
