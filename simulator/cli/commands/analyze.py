from __future__ import annotations

from simulator.cli.common import engine_options, positive, print_json, settings, spinner, warn

HELP = "Delivery metrics for audio files (WAV, FLAC, MP3, OGG, M4A...)."


def add_arguments(c) -> None:
    c.add_argument("audio", nargs="+", metavar="AUDIO")
    c.add_argument("--json", action="store_true", help="machine-readable output (see README for the keys)")
    c.add_argument("--budget", type=positive(float), metavar="SECONDS", help="time budget to compare length with")
    c.add_argument("--question", metavar="TEXT", help="the question the recording answers: the content feedback "
                                                      "is held against it, and the follow-up an interviewer would "
                                                      "ask is printed, with why")
    engine_options(c)


def run(args) -> int:
    from simulator.app.analyze import FileError, analyze_files, follow_up_lines
    from simulator.delivery.content import QuestionBrief
    from simulator.cli.errors import explain
    from simulator.report.terminal import TerminalView, print_delivery

    paths = args.audio  # as given: the JSON's "file" is the path as typed
    view = None if args.json else TerminalView()
    results, failed = [], 0
    question = QuestionBrief(args.question.strip()) if args.question and args.question.strip() else None
    for path, outcome in zip(paths, analyze_files(paths, settings(args), budget_s=args.budget, question=question,
                                                  warn=lambda line: warn(f"warning: {line}"),
                                                  busy=spinner(args.json))):
        if isinstance(outcome, FileError):
            line, code = explain(outcome.error)
            if len(paths) == 1 or not args.json:
                warn(line)
            failed += 1
            if args.json:
                results.append({"file": path, "error": outcome.message})
            if len(paths) == 1:
                return code
        elif args.json:
            results.append({**outcome.to_dict(), **_follow_up(args, outcome)})
        else:
            view.out.rule(path)
            if outcome.channels and outcome.channels != "mono":
                view.out.print(f"Audio: {outcome.channels}", markup=False)
            print_delivery(view.out, outcome.delivery, outcome.engine, outcome.model, heading="Transcript: ")
            if args.question:
                view.out.print("\n".join(follow_up_lines(_follow_up(args, outcome)["follow_up"])), markup=False)
    if args.json:
        print_json(results[0] if len(paths) == 1 else results)
    return 2 if failed else 0


def _follow_up(args, analysis) -> dict:
    """`analyze --question`: the follow-up the interviewer's rules give for this recording."""
    if not args.question:
        return {}
    from simulator.app.analyze import follow_up

    return {"question": args.question, "follow_up": follow_up(args.question, args.budget, analysis)}
