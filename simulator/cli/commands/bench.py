from __future__ import annotations

from simulator.cli.common import positive, print_json

HELP = "Measure transcription speed and accuracy, and feedback latency after a long answer."


def add_arguments(c) -> None:
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.add_argument("--answer-seconds", type=positive(float), default=120.0, metavar="S",
                   help="length of the long answer for the feedback-latency test (default 120)")
    c.add_argument("--accuracy", action="store_true",
                   help="also run the delivery-metrics accuracy suite (pauses, pace, fillers against ground truth)")
    c.add_argument("--engines-only", action="store_true", help="skip the feedback-latency test")


def run(args) -> int:
    from simulator import bench as bench_mod
    from simulator.report.terminal import console

    err = console(stderr=True)
    progress = (lambda text: None) if args.json or not err.is_terminal else (lambda text: err.print(f"[dim]… {text}[/dim]"))
    result = bench_mod.run(answer_s=args.answer_seconds, progress=progress, latency=not args.engines_only)
    if args.accuracy:
        result["accuracy"] = bench_mod.accuracy(progress)
        result["accuracy"]["summary"] = bench_mod.accuracy_summary(result["accuracy"])
    if args.json:
        print_json(result)
        return 0
    from simulator.report.tables import print_bench

    print_bench(console(), result)
    return 0
