"""A résumé's own lines about what the person did, and the questions they make (issue 20).

A line is used when it starts with what the person did ("Led the move of checkout to a new
platform", "I manage a team of six"): it is said back in their words, "Your résumé says you led
the move of checkout to a new platform.", and a question about it follows. Nothing else of the
résumé is read. Lines that share words with the job come first.

The text is read where it lies and kept in memory; storing it with a session is the caller's
choice (`practice --keep-resume`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from simulator.errors import UserError
from simulator.interview.duties import BULLET, is_base_verb, is_past_verb, sentences

RESUME_BANK = "resume"

# What is asked after the résumé's line, chosen by the seed: (id, text, category, strong answer).
QUESTIONS = (
    ("hardest-decision", "What was the hardest decision in it?", "judgement",
     "The decision itself, the options weighed, why this one, and what came of it."),
    ("your-part", "What part of it was yours alone, and how did it turn out?", "achievement",
     "Your own actions, told apart from the team's, and a result you can describe or measure."),
    ("do-differently", "What would you do differently if you did it again?", "self-awareness",
     "An honest mistake or gap, what it cost, and what you now do instead."),
    ("what-went-wrong", "What went wrong along the way, and what did you do about it?", "failure",
     "A real setback, how you noticed it, what you did, and what changed afterwards."),
)
_STOP = frozenset("a an and the of to in on for with at by from as our your their my we you i it is are was "
                  "were be been this that these those or into over per each all new".split())
_MIN_WORDS = 4


@dataclass(frozen=True, slots=True)
class ResumeLine:
    words: str  # the résumé's line as written
    said: str  # "Your résumé says you led ..."

    def to_dict(self) -> dict:
        return {"words": self.words, "said": self.said}


@dataclass(frozen=True, slots=True)
class Resume:
    lines: tuple[ResumeLine, ...]  # what the person did, the lines nearest the job first

    def to_dict(self) -> dict:
        return {"lines": [line.to_dict() for line in self.lines]}


def read_resume_file(name: str, stdin=None) -> str:
    """The text of `--resume FILE`; `-` reads standard input."""
    from simulator.files import read_pasted_text

    return read_pasted_text(name, "--resume", "résumé", "save the résumé as plain text", stdin)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z][a-z'-]+", text.lower()) if w not in _STOP and len(w) > 2}


def read_resume(text: str, job_text: str = "") -> Resume:
    """The lines of `text` that say what the person did, said back; with `job_text`, the lines
    sharing most words with the job first (ties in the résumé's order)."""
    found: list[ResumeLine] = []
    paragraph: list[str] = []
    candidates: list[str] = []
    for raw in text.splitlines() + [""]:
        bullet = BULLET.match(raw)
        if bullet or not raw.strip():
            candidates += [s for p in paragraph for s in sentences(p)]
            paragraph.clear()
            if bullet:
                candidates.append(bullet.group(1))
            continue
        paragraph.append(raw.strip())
    for candidate in candidates:
        line = _said(candidate)
        if line is not None and all(line.words != f.words for f in found):
            found.append(line)
    job_words = _content_words(job_text)
    ranked = sorted(enumerate(found), key=lambda p: (-len(_content_words(p[1].words) & job_words), p[0]))
    return Resume(tuple(line for _, line in ranked))


def _said(candidate: str) -> ResumeLine | None:
    words = candidate.strip().rstrip(".;").strip()
    body = re.sub(r"^I\s+", "", words)
    if len(body.split()) < _MIN_WORDS:
        return None
    first = body.split(" ", 1)[0].strip(",")
    if not (is_past_verb(first) or is_base_verb(first)):
        return None
    return ResumeLine(words, f"Your résumé says you {first.lower()}{body[len(first):]}.")
