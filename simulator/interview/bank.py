"""The question bank's model: a `Question`, a `Bank` of them, and `BankError` for a broken file.

The files are found by `simulator.interview.bank_folder` and read and checked by
`simulator.interview.bank_file`; `simulator.interview.questions` is the one import for all three.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.errors import UserError

# Categories the interviewer's session plan looks for: greeting -> warm-up -> main -> closing.
WARM_UP = "warm-up"
CLOSING = "closing"

MIN_DIFFICULTY = 1
MAX_DIFFICULTY = 3


@dataclass(frozen=True)
class Question:
    id: str
    bank: str
    text: str
    category: str
    difficulty: int
    time_budget_s: float
    strong_answer: str
    follow_ups: tuple[str, ...] = ()
    curveball: bool = False

    @property
    def key(self) -> str:
        """`bank/id`: unique across banks, handy for a session history."""
        return f"{self.bank}/{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bank": self.bank,
            "category": self.category,
            "text": self.text,
            "difficulty": self.difficulty,
            "time_budget_s": self.time_budget_s,
            "strong_answer": self.strong_answer,
            "follow_ups": list(self.follow_ups),
            "curveball": self.curveball,
        }


@dataclass
class Bank:
    name: str
    title: str
    description: str
    path: Path
    questions: list[Question] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def get(self, question_id: str) -> Question | None:
        for q in self.questions:
            if q.id == question_id:
                return q
        return None

    def categories(self) -> list[str]:
        """The categories in file order, each once."""
        return list(dict.fromkeys(q.category for q in self.questions))

    def by_category(self, category: str) -> list[Question]:
        return [q for q in self.questions if q.category == category]


class BankError(UserError):
    """A bank file that cannot be used. `problems` holds every problem found, each
    already formatted as `file:line: what is wrong`; the message is the first one."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None,
                 problems: list[str] | None = None, hint: str | None = None):
        super().__init__(message, exit_code=2, hint=hint)
        self.path = path
        self.line = line
        self.problems = problems or [message]
