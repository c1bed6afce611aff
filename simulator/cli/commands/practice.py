from __future__ import annotations

from simulator.cli.common import engine_options, positive, recordings_option, settings

HELP = "Answer spoken questions into your microphone and get feedback on each answer."


def add_arguments(c) -> None:
    c.add_argument("--questions", type=positive(int), default=5, metavar="N",
                   help="how many questions, counting the warm-up and the closing (default 5); "
                        "follow-ups come on top")
    c.add_argument("--bank", metavar="NAME", action="append",
                   help="question bank: a name (see `questions`) or the path to your own .toml file; repeat it "
                        "or use commas for several (default: general,composure,self-awareness,motivation)")
    c.add_argument("--mode", choices=["standard", "pressure"], default="standard",
                   help="pressure: shorter time budgets, a faster voice, more curveballs, and the "
                        "interviewer cuts in when your time is up")
    c.add_argument("--seed", type=int, help="make the session reproducible (the same seed and history give the "
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
    c.add_argument("--voice", metavar="ID", help="the interviewer's voice, a pyttsx3/espeak id such as gmw/en-US "
                                                 "(default: the config's voice)")
    c.add_argument("--rate", type=int, metavar="WPM", help="the interviewer's speaking rate, 80-400 words per "
                                                          "minute (default: the config's rate, 170)")
    c.add_argument("--interviewer", metavar="NAME", help="the interviewer's name (default: the config's, Alex)")
    c.add_argument("--input-device", metavar="ID", help="microphone: index or part of its name (see `devices`)")
    c.add_argument("--output-device", metavar="ID", help="speaker: index or part of its name")
    c.add_argument("--max-answer", type=positive(float), default=180.0, metavar="SECONDS",
                   help="longest answer before recording stops (default 180)")
    c.add_argument("--silence-stop", type=positive(float), default=4.0, metavar="SECONDS",
                   help="stop after this much silence once you have spoken (default 4)")
    c.add_argument("--think-time", type=positive(float), metavar="SECONDS",
                   help="time to think before your first word; then the interviewer gently prompts you and "
                        "keeps listening (default: the config's think_time, 30)")
    c.add_argument("--live", action="store_true",
                   help="show running pace and filler counts while you speak (off by default: some find it distracting)")
    c.add_argument("--no-speak", action="store_true", help="print the questions without speaking them")
    recordings_option(c)
    engine_options(c)


def run(args) -> int:
    from simulator.app.practice import PracticeOptions, run_practice
    from simulator.report.terminal import TerminalView

    resolved = settings(args)
    view = TerminalView()
    options = PracticeOptions(banks=args.bank, questions=args.questions, mode=args.mode, seed=args.seed,
                              repeat=args.repeat, max_answer_s=args.max_answer, silence_stop_s=args.silence_stop,
                              live=args.live, speak=not args.no_speak, input_device=args.input_device,
                              output_device=args.output_device, job=args.job,
                              resume=args.resume, keep_resume=args.keep_resume)
    run_practice(resolved, options, view)
    return 0
