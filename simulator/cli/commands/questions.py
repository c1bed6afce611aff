from __future__ import annotations

from simulator.cli.common import print_json

HELP = "List the interview questions in the banks."


def add_arguments(c) -> None:
    c.add_argument("--bank", metavar="NAME", action="append",
                   help="a bank name or the path to your own .toml file; repeat it or use commas "
                        "(default: every shipped bank)")
    c.add_argument("--json", action="store_true",
                   help="a list of objects: id, bank, category, text, difficulty, time_budget_s, "
                        "strong_answer, follow_ups, curveball")


def run(args) -> int:
    from simulator.app.practice import question_banks

    banks = question_banks(args.bank)
    if args.json:
        print_json([q.to_dict() for b in banks for q in b.questions])
        return 0
    for b in banks:
        print(f"{b.name}: {b.title} ({len(b)} question{'s' if len(b) != 1 else ''})")
        for q in b.questions:
            mark = " *curveball*" if q.curveball else ""
            print(f"  {q.id}  [{q.category}, {q.time_budget_s:g} s]{mark}  {q.text}")
    total = sum(len(b) for b in banks)
    print(f"{total} questions in {len(banks)} bank{'s' if len(banks) != 1 else ''}")
    return 0
