"""How soon the person's own model gives a follow-up, and how many pass the checks
(`interview-sim bench --llm URL`).

The answers are the hand-marked transcripts of the content benchmark (data/content), made into
timed words as a transcriber would give them; each is sent as an interview sends it (its
question and its words, fillers left out). The clock runs from sending to the checked follow-up.
The budget is lifted here (BENCH_BUDGET_S) so a slow model's time is measured, not cut off;
`within_budget` counts those an interview would have asked.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from typing import Callable, Sequence

from simulator.evaluation.content import load, timed_words


@dataclass(frozen=True, slots=True)
class Timed:
    seconds: float
    text: str | None  # the follow-up, when it passed the checks
    reason: str = ""  # why it did not


BENCH_BUDGET_S = 30.0


def run_llm_bench(ask: Callable[[dict, Sequence], Timed], budget_s: float, limit: int | None = None) -> dict:
    """`ask(question, words)`: one follow-up, timed (simulator.app.practice.follow_up_timer)."""
    answers = load()[:limit] if limit else load()
    rows = []
    for a in answers:
        timed = ask(a.question, timed_words(a.transcript))
        rows.append({"answer": a.id, "question": a.question["text"], "seconds": round(timed.seconds, 3),
                     "follow_up": timed.text, "reason": timed.reason})
    times = sorted(r["seconds"] for r in rows)
    passed = [r for r in rows if r["follow_up"]]
    reasons: dict[str, int] = {}
    for r in rows:
        if not r["follow_up"]:
            key = re.sub(r'"[^"]*"', '"…"', r["reason"])  # one line per kind of failure, not per quote
            reasons[key] = reasons.get(key, 0) + 1
    return {"answers": len(rows), "budget_s": budget_s,
            "median_s": round(statistics.median(times), 3) if times else None,
            "p90_s": round(times[min(len(times) - 1, int(0.9 * len(times)))], 3) if times else None,
            "max_s": times[-1] if times else None,
            "passed_checks": len(passed),
            "within_budget": sum(1 for r in passed if r["seconds"] <= budget_s),
            "not_used": reasons, "rows": rows}
