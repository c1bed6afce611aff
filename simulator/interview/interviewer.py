"""The session plan: a greeting, a warm-up, the main questions, a closing.

Seeded randomness (`seed`) makes a session reproducible.
"""

from __future__ import annotations

import random
from dataclasses import asdict

from simulator.interview.questions import Question, load_bank
from simulator.interview.session import Turn


def question_dict(q: Question) -> dict:
    d = asdict(q)
    d["follow_ups"] = list(q.follow_ups)
    return d


def plan_session(bank: str = "general", count: int = 3, seed: int | None = None,
                 interviewer: str = "Alex") -> list[Turn]:
    """Greeting, then `count` questions (a warm-up first when the bank has one), then a goodbye."""
    loaded = load_bank(bank)
    rng = random.Random(seed)
    warmups = [q for q in loaded.questions if q.category == "warm-up"]
    main = [q for q in loaded.questions if q.category not in ("warm-up", "closing")]
    rng.shuffle(warmups)
    rng.shuffle(main)
    chosen = (warmups[:1] + main)[:count] if count > 1 else (warmups[:1] or main)[:1]
    if len(chosen) < count:
        chosen = (chosen + [q for q in loaded.questions if q not in chosen])[:count]
    turns = [Turn(f"Hello, I am {interviewer}. Thank you for making the time today. Let's begin.")]
    turns += [Turn(q.text, question=question_dict(q)) for q in chosen]
    turns.append(Turn("Thank you, that is all my questions for today. Here is how you did."))
    return turns
