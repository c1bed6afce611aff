from __future__ import annotations

from pathlib import Path

from simulator.cli.common import llm_options, positive, print_json

HELP = ("Measure transcription speed and accuracy, and feedback latency after a long answer; "
        "or, with --jobs, the plans made for job descriptions of many fields; or, with --follow-ups, "
        "the time to a follow-up and to content feedback from your own model.")


def add_arguments(c) -> None:
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.add_argument("--answer-seconds", type=positive(float), default=120.0, metavar="S",
                   help="length of the long answer for the feedback-latency test (default 120)")
    c.add_argument("--accuracy", action="store_true",
                   help="also run the delivery-metrics accuracy suite (pauses, pace, fillers against ground truth)")
    c.add_argument("--content", action="store_true",
                   help="only the content-feedback agreement with hand-marked answers (no model, no audio)")
    c.add_argument("--held-out", action="store_true",
                   help="with --content: also score the answers kept aside while the rules were written")
    c.add_argument("--engines-only", action="store_true", help="skip the feedback-latency test")
    c.add_argument("--jobs", action="store_true",
                   help="only the job-plan benchmark: duties covered by a 7-question plan, questions from another "
                        "field and seniority, for job descriptions of many fields with hand-marked truth (seconds, "
                        "no model)")
    c.add_argument("--follow-ups", action="store_true",
                   help="only the time to a follow-up and to an answer's content feedback from your own model (--llm URL "
                        "or the config's llm_url), on the content benchmark's answers, and how many pass the checks")
    c.add_argument("--limit", type=positive(int), metavar="N", help="with --follow-ups: the first N answers only")
    llm_options(c)
    c.add_argument("--data", metavar="DIR", type=Path,
                   help="also measure on real speech with human transcripts: a folder of NAME.wav or NAME.flac + NAME.json "
                        "(hesitations per utterance segment, word error rate beside whole-file decoding, utterances lost, "
                        "loops, unheard speech, invented endings per model and decoding)")


def run(args) -> int:
    from simulator import bench as bench_mod
    from simulator.report.terminal import console

    if args.held_out and not args.content:
        from simulator.cli.common import warn

        warn("--held-out goes with --content")
        return 2
    if args.content:
        from simulator.evaluation.content import run_content

        result = run_content(held_out=args.held_out)
        if args.json:
            print_json(result)
        else:
            from simulator.report.tables import print_content_bench

            print_content_bench(console(), result)
        return 0
    if args.jobs:
        return _jobs(args)
    if args.follow_ups:
        return _follow_ups(args)

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


def _follow_ups(args) -> int:
    from simulator.app.practice import follow_up_timer
    from simulator.cli.common import settings
    from simulator.evaluation.local_model import run_llm_bench
    from simulator.report.terminal import console

    label, budget_s, ask, feedback_budget_s, feedback = follow_up_timer(settings(args), args.llm_url, args.llm_model,
                                                                      args.allow_remote_llm)
    result = {"model": label, **run_llm_bench(ask, budget_s, args.limit, feedback, feedback_budget_s)}
    if args.json:
        print_json(result)
        return 0
    from simulator.report.tables import print_follow_up_bench

    print_follow_up_bench(console(), result)
    return 0
