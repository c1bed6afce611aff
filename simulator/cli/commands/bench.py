from __future__ import annotations

from pathlib import Path

from simulator.cli.common import positive, print_json

HELP = ("Measure transcription speed and accuracy, and feedback latency after a long answer; "
        "or, with --jobs, the plans made for job descriptions of many fields.")


def add_arguments(c) -> None:
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.add_argument("--answer-seconds", type=positive(float), default=120.0, metavar="S",
                   help="length of the long answer for the feedback-latency test (default 120)")
    c.add_argument("--accuracy", action="store_true",
                   help="also run the delivery-metrics accuracy suite (pauses, pace, fillers against ground truth)")
    c.add_argument("--engines-only", action="store_true", help="skip the feedback-latency test")
    c.add_argument("--jobs", action="store_true",
                   help="only the job-plan benchmark: duties covered by a 7-question plan, questions from another "
                        "field and seniority, for job descriptions of many fields with hand-marked truth (seconds, "
                        "no model)")
    c.add_argument("--data", metavar="DIR", type=Path,
                   help="also measure on real speech with human transcripts: a folder of NAME.wav + NAME.json "
                        "(hesitations, word error rate, invented endings per model and decoding)")


def run(args) -> int:
    from simulator import bench as bench_mod
    from simulator.report.terminal import console

    if args.jobs:
        return _jobs(args)

    err = console(stderr=True)
    progress = (lambda text: None) if args.json or not err.is_terminal else (lambda text: err.print(f"[dim]… {text}[/dim]"))
    with_latency = not args.engines_only
    # With --data the latency is measured per model on the real speech instead (once is enough).
    result = bench_mod.run(answer_s=args.answer_seconds, progress=progress, latency=with_latency and not args.data)
    if args.data:
        result["real_speech"] = bench_mod.real_speech(args.data, progress=progress,
                                                      latency_s=args.answer_seconds if with_latency else None)
        if with_latency:
            result["feedback_latency_s"] = result["real_speech"]["feedback_latency_s"]["tiny.en"]
    if args.accuracy:
        result["accuracy"] = bench_mod.accuracy(progress)
        result["accuracy"]["summary"] = bench_mod.accuracy_summary(result["accuracy"])
    if args.json:
        print_json(result)
        return 0
    from simulator.report.tables import print_bench

    print_bench(console(), result)
    return 0


def _jobs(args) -> int:
    from simulator.app.practice import plan_for_bench
    from simulator.evaluation.job_plans import run_job_bench
    from simulator.report.terminal import console

    result = run_job_bench(plan_for_bench)
    if args.json:
        print_json(result)
        return 0
    from simulator.report.tables import print_job_bench

    print_job_bench(console(), result)
    return 0
