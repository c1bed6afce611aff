from __future__ import annotations

from simulator.cli.common import positive, print_json, settings

HELP = "Print the interview that would be asked, and why each question was chosen."


def add_arguments(c) -> None:
    c.add_argument("--job", metavar="FILE", help="a job description in plain text (- reads standard input)")
    c.add_argument("--resume", metavar="FILE", help="your résumé in plain text (- reads standard input): questions "
                                                    "about what you did, quoting it; read here, never stored")
    c.add_argument("--bank", metavar="NAME", action="append", help="question banks, as for `practice`")
    c.add_argument("--questions", type=positive(int), default=5, metavar="N",
                   help="how many questions, counting the warm-up and the closing (default 5)")
    c.add_argument("--seed", type=int, help="the seed `practice --seed N --repeat` would use (default: a random one)")
    c.add_argument("--json", action="store_true", help="the job read and the questions, machine-readable")


def run(args) -> int:
    from simulator.app.practice import PracticeOptions, plan
    from simulator.interview.plan_view import plan_dict, plan_lines

    options = PracticeOptions(banks=args.bank, questions=args.questions, seed=args.seed, repeat=True, job=args.job,
                              resume=args.resume)
    interviewer = plan(settings(args), options, None)
    if args.json:
        print_json(plan_dict(interviewer))
    else:
        print("\n".join(plan_lines(interviewer)))
    return 0
