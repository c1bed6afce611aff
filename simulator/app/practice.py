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
    job: str | None = None  # a job description file ("-": standard input): questions about its duties and skills
    resume: str | None = None  # a résumé file ("-": standard input): questions about what the person did
    keep_resume: bool = False  # store the résumé's text with the session (default: it is only read)


@dataclass(frozen=True)
class Pasted:
    """The texts a person gave: a job description and a résumé, each or both None."""

    job: str | None = None
    resume: str | None = None


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


def read_pasted(options: PracticeOptions, stdin=None) -> Pasted:
    """The job description and résumé files the options name, read (`-` is standard input,
    for one of the two)."""
    from simulator.errors import UserError
    from simulator.interview.job import read_job_file
    from simulator.interview.resume import read_resume_file

    if options.job == "-" and options.resume == "-":
        raise UserError("--job and --resume cannot both read standard input; give one of them as a file")
    return Pasted(job=read_job_file(options.job, stdin) if options.job else None,
                  resume=read_resume_file(options.resume, stdin) if options.resume else None)


def plan(settings: Config, options: PracticeOptions, store: Store | None, pasted: Pasted | None = None):
    """The interviewer and its plan. A broken bank, job or résumé file fails here, before any
    device is opened. Without a store, recent sessions are not avoided (what `plan` shows for a seed)."""
    from simulator.interview.interviewer import parse_banks, plan_for_job, recent_question_keys

    pasted = pasted or read_pasted(options)
    return plan_for_job(pasted.job, pasted.resume, banks=parse_banks(options.banks), questions=options.questions,
                        seed=options.seed, mode=options.mode, name=settings.interviewer,
                        recent=recent_question_keys(store) if store is not None else (), repeat=options.repeat)


def plan_for_bench(text: str, questions: int, seed: int) -> dict:
    """A job's plan as `bench --jobs` scores it (`evaluation.job_plans`): its seniority, and each
    main question with the line it was built from and the fields of the bank or skill it came from."""
    from simulator.interview.interviewer import plan_for_job
    from simulator.interview.job import load_skills

    interviewer = plan_for_job(text, questions=questions, seed=seed, repeat=True)
    skills = load_skills()
    bank_fields: dict[str, list[str]] = {}
    for f in skills.fields.values():
        for bank in f.banks:
            bank_fields.setdefault(bank, []).append(f.name)
    template_ids = {t.id for t in skills.templates}

    def fields_of(q: dict) -> list[str]:
        for s in skills.skills:  # a skill's question: job-<skill id>-<template id>
            if q["id"].startswith(f"job-{s.id}-") and q["id"][len(f"job-{s.id}-"):] in template_ids:
                return list(s.fields)
        return bank_fields.get(q["bank"], [])

    main = [t.question for t in interviewer.turns if t.question is not None and t.question["role"] == "main"]
    return {"seniority": interviewer.job.seniority,
            "questions": [{"text": q["text"], "words": q.get("job_words", ""), "fields": fields_of(q)} for q in main]}


def run_practice(settings: Config, options: PracticeOptions, view, store: Store | None = None) -> Session:
    """Questions spoken, answers recorded from the microphone and analysed, the session stored."""
    from simulator.app.sessions import check_model, open_store, recover, transcriber_loader
    from simulator.audio import devices
    from simulator.interview.interviewer import pressure_rate
    from simulator.interview.practice import MicrophoneSource
    from simulator.interview.session import SessionSettings, run_session

    rate = pressure_rate(settings.rate) if options.mode == "pressure" else settings.rate
    store = store or open_store(settings)
    pasted = read_pasted(options)
    interviewer = plan(settings, options, store, pasted)
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
                                     **interviewer.settings(),
                                     # The résumé is read, never stored, unless the person asks.
                                     **({"resume": pasted.resume} if options.keep_resume and pasted.resume else {})})
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
