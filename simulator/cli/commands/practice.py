from __future__ import annotations

from simulator.app.options import MODES, InterviewOptions, argument_type
from simulator.cli.common import engine_options, llm_options, recordings_option, settings

HELP = "Answer spoken questions into your microphone and get feedback on each answer."
DEFAULTS = InterviewOptions()


def add_arguments(c) -> None:
    c.add_argument("--questions", type=argument_type("questions"), default=DEFAULTS.questions, metavar="N",
                   help=f"how many questions, counting the warm-up and the closing (default {DEFAULTS.questions}); "
                        "follow-ups come on top")
    c.add_argument("--bank", metavar="NAME", action="append",
                   help="question bank: a name (see `questions`) or the path to your own .toml file; repeat it "
                        "or use commas for several (default: general,composure,self-awareness,motivation)")
    c.add_argument("--mode", choices=MODES, default=DEFAULTS.mode,
                   help="pressure: shorter time budgets, a faster voice, more curveballs, and the "
                        "interviewer cuts in when your time is up")
    c.add_argument("--seed", type=argument_type("seed"),
                   help="make the session reproducible (the same seed and history give the "
                        "same questions; add --repeat to ask a past session's again)")
    c.add_argument("--repeat", action="store_true", help="allow questions asked in your recent sessions")
    c.add_argument("--job", metavar="FILE", help="a job description in plain text (- reads standard input): "
                                                 "questions about its duties and the skills it names; "
                                                 "see `plan --job`")
    c.add_argument("--resume", metavar="FILE", help="your résumé in plain text (- reads standard input): some "
                                                    "questions ask about what you did, quoting it; read, not stored "
                                                    "unless you add --keep-resume")
    c.add_argument("--keep-resume", action="store_true",
                   help="store the résumé's text with the session (the questions asked, which quote it, are "
                        "stored as every question is)")
    c.add_argument("--voice", metavar="ID", help="the interviewer's voice, a pyttsx3/espeak-ng id such as gmw/en-US "
                                                 "(`espeak-ng --voices` lists them; default: the config's voice)")
    c.add_argument("--rate", type=argument_type("rate"), metavar="WPM",
                   help="the interviewer's speaking rate, 80-400 words per minute (default: the config's rate, 170)")
    c.add_argument("--interviewer", metavar="NAME", help="the interviewer's name (default: the config's, Alex)")
    c.add_argument("--input-device", metavar="ID", help="microphone: index or part of its name (see `devices`)")
    c.add_argument("--output-device", metavar="ID", help="speaker: index or part of its name")
    c.add_argument("--max-answer", type=argument_type("max_answer_s"), default=DEFAULTS.max_answer_s,
                   metavar="SECONDS", help=f"longest answer before recording stops (default {DEFAULTS.max_answer_s:g})")
    c.add_argument("--silence-stop", type=argument_type("silence_stop_s"), default=DEFAULTS.silence_stop_s,
                   metavar="SECONDS",
                   help=f"stop after this much silence once you have spoken (default {DEFAULTS.silence_stop_s:g})")
    c.add_argument("--think-time", type=argument_type("think_s"), metavar="SECONDS",
                   help="time to think before your first word; then the interviewer gently prompts you and "
                        "keeps listening (default: the config's think_time, 30)")
    c.add_argument("--live", action="store_true",
                   help="show running pace and filler counts while you speak (off by default: some find it distracting)")
    c.add_argument("--no-speak", action="store_true", help="print the questions without speaking them")
    llm_options(c)
    recordings_option(c)
    engine_options(c)


def options(args) -> InterviewOptions:
    """The interview these arguments ask for, checked as the browser's start message is."""
    from simulator.app.practice import read_texts

    job, resume = read_texts(args.job, args.resume)
    return InterviewOptions.parse({
        "banks": args.bank, "questions": args.questions, "mode": args.mode, "seed": args.seed,
        "repeat": args.repeat, "job": job, "resume": resume, "keep_resume": args.keep_resume,
        "voice": args.voice, "rate": args.rate, "max_answer_s": args.max_answer,
        "silence_stop_s": args.silence_stop, "think_s": args.think_time,
        "llm_url": args.llm_url, "llm_model": args.llm_model, "allow_remote_llm": args.allow_remote_llm})


def run(args) -> int:
    from simulator.app.practice import device_speaker, microphone, run_interview
    from simulator.report.terminal import TerminalView

    resolved = settings(args)
    view = TerminalView()
    run_interview(resolved, options(args), microphone(resolved, args.input_device, view, live=args.live),
                  device_speaker(resolved, args.output_device, view, speak=not args.no_speak), view)
    return 0
