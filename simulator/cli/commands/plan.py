from __future__ import annotations

from simulator.app.options import InterviewOptions, argument_type
from simulator.cli.common import llm_options, print_json, settings, warn

HELP = "Print the interview that would be asked, and why each question was chosen."


def add_arguments(c) -> None:
    c.add_argument("--job", metavar="FILE", help="a job description in plain text (- reads standard input)")
    c.add_argument("--resume", metavar="FILE", help="your résumé in plain text (- reads standard input): questions "
                                                    "about what you did, quoting it; read here, never stored")
    c.add_argument("--bank", metavar="NAME", action="append", help="question banks, as for `practice`")
    c.add_argument("--questions", type=argument_type("questions"), default=InterviewOptions().questions, metavar="N",
                   help="how many questions, counting the warm-up and the closing (default 5)")
    c.add_argument("--seed", type=argument_type("seed"),
                   help="the seed `practice --seed N --repeat` would use (default: a random one)")
    c.add_argument("--json", action="store_true", help="the job read and the questions, machine-readable")
    llm_options(c)


def run(args) -> int:
    from simulator.app.practice import plan_dict, plan_lines, preview, read_texts

    job, resume = read_texts(args.job, args.resume)
    options = InterviewOptions.parse({"banks": args.bank, "questions": args.questions, "seed": args.seed,
                                      "repeat": True, "job": job, "resume": resume, "llm_url": args.llm_url,
                                      "llm_model": args.llm_model, "allow_remote_llm": args.allow_remote_llm})
    interviewer = preview(settings(args), options, warn)
    if args.json:
        print_json(plan_dict(interviewer))
    else:
        print("\n".join(plan_lines(interviewer)))
    return 0
