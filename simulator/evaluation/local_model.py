"""How soon the person's own model gives a follow-up and an answer's content feedback, and how
many pass the checks (`interview-sim bench --follow-ups --llm URL`).

The answers are the hand-marked transcripts of the content benchmark (data/content), made into
timed words as a transcriber would give them; each is sent as an interview sends it (its
question and its words, fillers left out; the feedback also its strong answer). The clock runs
from sending to the checked follow-up (or feedback). The budget is lifted here (BENCH_BUDGET_S)
so a slow model's time is measured, not cut off; `within_budget` counts those an interview would
have used.
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


def run_llm_bench(ask: Callable[[dict, Sequence], Timed], budget_s: float, limit: int | None = None,
                  feedback: Callable[[dict, Sequence], Timed] | None = None, feedback_budget_s: float = 0.0) -> dict:
    """`ask(question, words)`: one follow-up, timed; `feedback(question, words)`: one answer's
    content feedback, timed (simulator.app.practice.follow_up_timer)."""
    answers = load()[:limit] if limit else load()
    rows = []
    for a in answers:
        words = timed_words(a.transcript)
        timed = ask(a.question, words)
        row = {"answer": a.id, "question": a.question["text"], "seconds": round(timed.seconds, 3),
               "follow_up": timed.text, "reason": timed.reason}
        if feedback is not None:
            written = feedback(a.question, words)
            row.update({"feedback_seconds": round(written.seconds, 3), "feedback": written.text,
                        "feedback_reason": written.reason})
        rows.append(row)
    result = {"answers": len(rows), "budget_s": budget_s, **_figures(rows, "seconds", "follow_up", "reason", budget_s)}
    if feedback is not None:
        dropped: dict[str, int] = {}  # items the checks left out of feedback otherwise kept
        for r in rows:
            for item in (r["feedback_reason"].split("; ") if r["feedback"] and r["feedback_reason"] else []):
                key = re.sub(r'["“][^"”]*["”]', '"…"', item)
                dropped[key] = dropped.get(key, 0) + 1
        result["feedback"] = {"budget_s": feedback_budget_s,
                              **_figures(rows, "feedback_seconds", "feedback", "feedback_reason", feedback_budget_s),
                              "items_dropped": dropped}
    return {**result, "rows": rows}


def _figures(rows: list[dict], seconds: str, text: str, reason: str, budget_s: float) -> dict:
    times = sorted(r[seconds] for r in rows)
    passed = [r for r in rows if r[text]]
    reasons: dict[str, int] = {}
    for r in rows:
        if not r[text]:
            key = re.sub(r'["“][^"”]*["”]', '"…"', r[reason])  # one line per kind of failure, not per quote
            reasons[key] = reasons.get(key, 0) + 1
    return {"median_s": round(statistics.median(times), 3) if times else None,
            "p90_s": round(times[min(len(times) - 1, int(0.9 * len(times)))], 3) if times else None,
            "max_s": times[-1] if times else None,
            "passed_checks": len(passed),
            "within_budget": sum(1 for r in passed if r[seconds] <= budget_s),
            "not_used": reasons}
