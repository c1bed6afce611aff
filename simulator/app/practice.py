"""The interview engine: the one way any front end starts an interview.

`run_interview(settings, options, answers, speaker, view, store)` plans the interview, settles
everything the session needs (the voice and its rate, the stop rules, what is stored with the
session), and runs it. A front end passes only its three ends:

    answers   where answers come from: `AnswerLimits -> AnswerSource` (the CLI: `microphone(...)`;
              the browser: its tab's microphone over the WebSocket)
    speaker   how the interviewer's lines are heard: `Voice -> Speaker` (the CLI: `device_speaker(...)`;
              the browser: lines rendered here and played by the tab)
    view      how progress is shown (simulator.interview.session.View)

and, optionally, the store (default: the settings' folder) and a transcriber already loading
(the server's). What to ask is `options` (simulator.app.options.InterviewOptions), checked there.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

from simulator.app.options import InterviewOptions, OptionError
from simulator.config import Config
from simulator.errors import EnvironmentProblem

GREETING_SAMPLE = "Hello, I am {name}. Thank you for making the time today. Tell me about yourself."


@dataclass(frozen=True, slots=True)
class AnswerLimits:
    """The stop rules every answer of this interview is taken with."""

    max_s: float  # audio time, whatever the rate it arrives at
    silence_stop_s: float
    think_s: float  # no word by then: the interviewer's gentle prompt, once an answer


Answers = Callable[[AnswerLimits], object]  # -> an AnswerSource (simulator.interview.session)
Speaking = Callable[[object], object]  # a Voice -> a Speaker


def plan(settings: Config, options: InterviewOptions, store=None, model=None):
    """The interviewer and its plan: from the pasted job description and résumé when given (their
    own lines, said back), else the banks'. A broken bank fails here, before any device is opened.
    Without a store, recent sessions are not avoided (what `plan` shows for a seed). `model`: the
    person's own (`local_model`), which then writes the follow-ups."""
    from simulator.interview.interviewer import parse_banks, plan_for_job, recent_question_keys

    for name, text in (("job", options.job), ("resume", options.resume)):
        if text is not None and len(text.split()) < 5:
            raise OptionError(name, "has fewer than five words; paste the whole text")
    return plan_for_job(options.job, options.resume, banks=parse_banks(options.banks), questions=options.questions,
                        seed=options.seed, mode=options.mode, name=settings.interviewer,
                        recent=recent_question_keys(store) if store is not None else (), repeat=options.repeat,
                        model=model)


MODEL_LIST_BUDGET_S = 2.0  # asking the server which model it serves, once at the start


def with_model(interviewer, model, options: InterviewOptions, warn: Callable[[str], None]):
    """`model`, named (`named_model`), set as the interviewer's, which has then asked it once for
    main questions from the job description and résumé (kept when they pass the checks; `warn`
    says in one line what was not used and why). Returns the named model."""
    model = interviewer.model = named_model(model, warn)
    interviewer.write_plan_with_model(options.job, options.resume, warn)
    return model


def preview(settings: Config, options: InterviewOptions, warn: Callable[[str], None], store=None):
    """The interviewer these options would give, before it starts (`interview-sim plan`, the start
    page's preview): `plan`, and with the person's own model the main questions it writes, asked
    as the interview asks it (`with_model`; `warn` says what was not used)."""
    model = local_model(settings, options)  # refused before anything when not allowed
    interviewer = plan(settings, options, store, model)
    if model is not None:  # the plan is good: now the server is asked
        with_model(interviewer, model, options, warn)
    return interviewer


def local_model(settings: Config, options: InterviewOptions):
    """The person's own model server (`--llm` or the settings' llm_url), or None when they named
    none. An address off this machine's loopback is refused here (UserError) unless
    `allow_remote_llm`; nothing is sent (see `named_model`)."""
    from dataclasses import replace

    from simulator.llm.endpoint import check_url

    url = options.llm_url or settings.llm_url
    if not url:
        return None
    given_as = "--llm" if options.llm_url else "the llm_url setting"
    return replace(check_url(url, options.allow_remote_llm, given_as),
                   model=options.llm_model or settings.llm_model or "")


def named_model(model, warn: Callable[[str], None]):
    """`model` with its name: when none was chosen, the first the server lists (its first request)."""
    from simulator.llm.endpoint import ModelFailure

    try:
        return model.with_listed_model(MODEL_LIST_BUDGET_S)
    except ModelFailure as exc:
        warn(f"your model at {model.url} did not say which model it serves ({exc.reason}); "
             "each follow-up is asked of it anyway, and the rules' is used when it does not answer")
        return model


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


def follow_up_timer(settings: Config, url: str | None, name: str | None, allow_remote: bool):
    """(the model's name and address, the interview's budget, `ask(question, words) -> Timed`,
    the feedback's budget, `feedback(question, words) -> Timed`): one follow-up and one answer's
    content feedback from the person's own model as an interview asks them, timed, with the
    budget lifted so a slow one is measured (`bench --follow-ups`)."""
    import time
    from dataclasses import replace

    from simulator.errors import UserError
    from simulator.delivery.content import QuestionBrief
    from simulator.delivery.model_feedback import BUDGET_S as FEEDBACK_BUDGET_S
    from simulator.delivery.model_feedback import model_feedback
    from simulator.evaluation.local_model import BENCH_BUDGET_S, Timed
    from simulator.interview.model_followups import BUDGET_S, model_follow_up
    from simulator.llm.endpoint import ModelFailure, check_url

    url = url or settings.llm_url
    if not url:
        raise UserError("bench --follow-ups needs your model server's address",
                        hint="add --llm URL, e.g. --llm http://127.0.0.1:11434")
    model = replace(check_url(url, allow_remote), model=name or settings.llm_model or "")
    try:
        model = model.with_listed_model(MODEL_LIST_BUDGET_S)  # bench wants a model that answers
    except ModelFailure as exc:
        raise EnvironmentProblem(f"your model at {model.url} does not answer: {exc.reason}") from None

    def ask(question: dict, words) -> Timed:
        start = time.monotonic()
        try:
            text = model_follow_up(model, question, words, BENCH_BUDGET_S).text
            return Timed(time.monotonic() - start, text)
        except ModelFailure as exc:
            return Timed(time.monotonic() - start, None, exc.reason)

    def feedback(question: dict, words) -> Timed:
        start = time.monotonic()
        try:
            written = model_feedback(model, QuestionBrief.from_question(question), words, BENCH_BUDGET_S)
            return Timed(time.monotonic() - start, " | ".join(text for _, text in written.points),
                         "; ".join(written.dropped))  # kept, with what the checks left out
        except ModelFailure as exc:
            return Timed(time.monotonic() - start, None, exc.reason)

    return f"{model.model or 'unnamed model'} at {model.url}", BUDGET_S, ask, FEEDBACK_BUDGET_S, feedback


def run_interview(settings: Config, options: InterviewOptions, answers: Answers, speaker: Speaking, view,
                  store=None, *, transcriber: Callable[[], object] | None = None):
    """Plan, ask, listen, analyse and store one interview; returns the stored Session.

    Fails before the first question (one UserError) for a bad plan, a voice this machine does not
    have, no way to take answers, a folder that cannot be written or a model that cannot be had.
    Without `transcriber`, sessions a killed process left are recovered first (as every start does)
    and the settings' model loads while the interviewer greets the person.
    """
    from simulator.app.sessions import check_model, open_store, recover, transcriber_loader
    from simulator.interview.interviewer import pressure_rate
    from simulator.interview.session import SessionSettings, run_session
    from simulator.interview.tts import Voice

    voice_id = options.voice or settings.voice
    if options.voice:
        check_voice(options.voice)
    rate = options.rate or settings.rate
    if options.mode == "pressure":
        rate = pressure_rate(rate)
    limits = AnswerLimits(max_s=options.max_answer_s, silence_stop_s=options.silence_stop_s,
                          think_s=options.think_s or settings.think_time)
    own_store = store is None
    model = local_model(settings, options)  # refused before anything when not allowed
    store = open_store(settings) if own_store else store
    try:
        interviewer = plan(settings, options, store, model)
        if model is not None:  # the plan is good: now the server is asked
            from simulator.interview.model_followups import warm_up

            model = with_model(interviewer, model, options, view.warn)
            warm_up(model)  # while the interviewer greets: the first follow-up is then as quick as the rest
        source = answers(limits)
        store.ensure_writable()  # a read-only or full folder fails now, not after the first answer
        if transcriber is None:
            check_model(settings)
            transcriber = recover(store, transcriber_loader(settings), view.warn)
        voice = Voice(rate=rate, voice=voice_id)
        try:
            spoken = speaker(voice)
            for line in getattr(source, "introduction", ()):  # the source's own words: Enter, a button...
                view.listening(line)
            if options.mode == "pressure":
                view.listening("Pressure mode: shorter time budgets, and the interviewer cuts in when yours is up.")
            view.listening(f"Seed {interviewer.seed}: the same seed with repeat asks these questions again "
                           f"(`--seed {interviewer.seed} --repeat`).")
            for note in interviewer.notes:
                view.listening(f"Note: {note}.")
            if model is not None:
                view.listening(f"Your model ({model.model or 'unnamed'} at {model.url}) writes the follow-ups and "
                               "content feedback; it is sent each question, what a strong answer covers and your "
                               "answer's words, and the rules' stand when it cannot.")
                written = sum(1 for t in interviewer.turns if t.question is not None and t.question.get("written_by"))
                if written:
                    view.listening(f"{written} main question{'s were' if written != 1 else ' was'} written by your "
                                   "model from the job description and résumé you gave it.")
            session_settings = SessionSettings(
                kind="practice", bank=",".join(b.name for b in interviewer.banks), engine=settings.engine,
                model=settings.model,
                extra={"input_device": getattr(source, "device", None), "questions": options.questions,
                       "repeat": options.repeat, "voice": voice.voice, "rate": rate,
                       "max_answer_s": limits.max_s, "silence_stop_s": limits.silence_stop_s,
                       "think_s": limits.think_s, **interviewer.settings(),
                       # The résumé is read, never stored, unless the person asks.
                       **({"resume": options.resume} if options.keep_resume and options.resume else {})})
            feedback = None
            if model is not None:
                from simulator.interview.feedback_writer import FeedbackWriter

                feedback = FeedbackWriter(model, view.warn)
            return run_session(store, session_settings, interviewer, source, spoken, transcriber, view, feedback)
        finally:
            voice.close()
    finally:
        if own_store:
            store.close()


# -- the terminal's ends -------------------------------------------------------------------------

def microphone(settings: Config, chosen: str | None, view, *, live: bool = False) -> Answers:
    """Answers from this machine's microphone: the option's device, else the settings' (or the
    default). The device is looked up when the interview starts, after its plan is checked."""

    def open_microphone(limits: AnswerLimits):
        from simulator.audio import devices
        from simulator.interview.practice import MicrophoneSource

        device = (devices.resolve(chosen, "input") if chosen
                  else devices.resolve_or_default(settings.input_device, "input", view.warn))
        if not devices.has_device("input", device):
            raise EnvironmentProblem("no microphone (input device) found",
                                     hint="connect one, check `interview-sim devices`, or try `interview-sim demo`")
        return MicrophoneSource(device, limits.max_s, limits.silence_stop_s, on_tick=view.meter, live=live,
                                think_s=limits.think_s)

    return open_microphone


def device_speaker(settings: Config, chosen: str | None, view, *, speak: bool = True) -> Speaking:
    """The interviewer's lines on this machine's speaker; shown but not spoken without one."""

    def open_speaker(voice):
        from simulator.app.sessions import output_device
        from simulator.audio import devices
        from simulator.interview.tts import Speaker

        if not speak:
            return Speaker(voice, None, enabled=False)
        try:
            device = output_device(settings, chosen, view.warn)
            available = devices.has_device("output", device)
        except EnvironmentProblem as exc:
            available, device = False, None
            view.warn(exc.message)
        if not available:
            view.warn("no audio output device found: the questions are shown here but not spoken")
        return Speaker(voice, device, enabled=available)

    return open_speaker


def run_demo(settings: Config, view, *, speak: bool = True, output_device: str | None = None, store=None):
    """A short interview answered by a synthetic candidate, through the same path as a person's."""
    from simulator.app.sessions import check_model, open_store, recover, transcriber_loader
    from simulator.interview.demo import DemoSource, demo_turns
    from simulator.interview.session import SessionSettings, run_session
    from simulator.interview.tts import Voice

    store = store or open_store(settings)
    store.ensure_writable()  # a read-only or full folder fails now, not after the first answer
    check_model(settings)
    load = recover(store, transcriber_loader(settings), view.warn)
    voice = Voice(rate=settings.rate, voice=settings.voice)
    spoken = device_speaker(settings, output_device, view, speak=speak)(voice)
    source = DemoSource()
    view.listening("Demo: a synthetic candidate answers three questions; its answers go through the "
                   "same transcription, metrics and storage as yours would.")
    session_settings = SessionSettings(kind="demo", bank="demo", engine=settings.engine, model=settings.model)
    try:
        return run_session(store, session_settings, demo_turns(), source, spoken, load, view)
    finally:
        voice.close()
        source.voice.close()


# -- what a front end shows before the interview -------------------------------------------------

def plan_dict(interviewer) -> dict:
    """The plan as data: the seed, the job read, each question and why it was chosen."""
    from simulator.interview.plan_view import plan_dict as as_dict

    return as_dict(interviewer)


def plan_lines(interviewer) -> list[str]:
    from simulator.interview.plan_view import plan_lines as as_lines

    return as_lines(interviewer)


def bank_choices() -> tuple[list[str], tuple[str, ...]]:
    """The shipped banks' names, and the default mix among them."""
    from simulator.interview.interviewer import DEFAULT_BANKS
    from simulator.interview.questions import list_banks

    return list_banks(), DEFAULT_BANKS


def question_banks(names: list[str] | None) -> list:
    """The banks named (`--bank a --bank b,c`), or every shipped bank; a broken one fails here."""
    from simulator.interview.interviewer import parse_banks
    from simulator.interview.questions import load_all, load_bank

    return [load_bank(name) for name in parse_banks(names)] if names else load_all()


def read_texts(job: str | None, resume: str | None) -> tuple[str | None, str | None]:
    """The job description and résumé files named on the command line, read (`-` is standard
    input, for one of the two)."""
    from simulator.errors import UserError
    from simulator.interview.job import read_job_file
    from simulator.interview.resume import read_resume_file

    if job == "-" and resume == "-":
        raise UserError("--job and --resume cannot both read standard input; give one of them as a file")
    return (read_job_file(job) if job else None), (read_resume_file(resume) if resume else None)


@functools.cache
def machine_voices() -> tuple[tuple[str, str], ...]:
    """(id, name) of every voice this machine's text-to-speech offers, by name."""
    from simulator.interview.tts import list_voices

    try:
        return tuple(sorted(list_voices(), key=lambda v: (v[1].lower(), v[0])))
    except Exception as exc:  # noqa: BLE001 - pyttsx3 or espeak-ng missing: said in one line
        raise EnvironmentProblem(f"cannot list the text-to-speech voices: {exc}",
                                 hint="Debian/Ubuntu: apt-get install espeak-ng libespeak-ng1") from None


def check_voice(voice: str) -> None:
    """A voice id this machine has (espeak-ng would silently use its default for any other)."""
    ids = {v[0] for v in machine_voices()}
    if voice not in ids:
        near = [i for i in sorted(ids) if i.lower().endswith(voice.lower().split("/")[-1])][:3]
        raise OptionError("voice", f"{voice!r} is not a voice of this machine"
                          + (f" (did you mean {', '.join(near)}?)" if near else ""),
                          hint="the browser lists them; `espeak-ng --voices` too")


def voice_sample(settings: Config, voice: str | None, rate: int | None) -> bytes:
    """A WAV of the interviewer's greeting in `voice` at `rate` (a "listen" button's answer)."""
    import io

    import soundfile

    from simulator.app.options import check_number
    from simulator.interview.tts import Voice

    if voice:
        check_voice(voice)
    if rate is not None:
        check_number("rate", rate)
    speaking = Voice(rate=rate or settings.rate, voice=voice or settings.voice)
    try:
        speech = speaking.render(GREETING_SAMPLE.format(name=settings.interviewer)).result()
    finally:
        speaking.close()
    wav = io.BytesIO()
    soundfile.write(wav, speech.samples, speech.sample_rate, format="WAV", subtype="PCM_16")
    return wav.getvalue()
