"""Main questions written by the person's own model from the job description and résumé, kept
only when they pass the checks.

Sent, once, before the interview starts: the job description and the résumé as pasted (each cut
at MAX_TEXT_CHARS characters) and how many questions are wanted; nothing else. Asked for: JSON
`{"questions": [{"question": ..., "why": ...}]}` under `schema(count)`. A question is kept when

- the reply follows the schema (checked here whatever the server promised),
- it is a question (ends with "?"), 3 to 40 words, not one already in the plan or in the reply,
  and neither it nor its why is the worked example's (a small model may copy it),
- its "why" names at least one content word (not a stopword) of the job description or résumé;

the others are dropped, and the interviewer's rules fill their places, so the plan keeps its
count. When none is kept, ModelFailure says why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Sequence

from simulator.llm.endpoint import LocalModel, ModelFailure, ask_json
from simulator.llm.grounding import words_of

BUDGET_S = 9.0  # asked once, before the greeting: the person waits at most this long after pressing start
TOKENS_PER_QUESTION = 90  # a question and its why: about 60 tokens; more is a reply running on
MAX_TEXT_CHARS = 2000  # a job description's first lines hold its duties; small servers have 2048-token contexts
MAX_QUESTION_WORDS = 40
QUESTION_CHARS, WHY_CHARS = 200, 160

# Words that say nothing about a job: a "why" made of these alone is tied to no line of it.
STOPWORDS = frozenset("""
a about after all also an and any are as at be been being but by can could did do does for from
had has have how i if in into is it its me more most my no not of on or our out over should so
some such than that the their them then there these they this those to too up us very was we were
what when where which while who why will with would you your yours job role position candidate
question questions interview ask asks asked because tests test shows show see description résumé
résumé's resume""".split())

SYSTEM = ("You are a job interviewer preparing an interview. From the job description and the résumé, write "
          "interview questions. For each, say why in a few words that name words of the job description or "
          "résumé. Reply in JSON.")
# One worked example: small models follow a shown reply far better than a described one.
_EXAMPLE_USER = ("Job description:\nWarehouse supervisor. You will plan shifts for a team of twelve and keep "
                 "stock counts accurate.\n\nRésumé:\nRan the night shift at a parcel depot.\n\nWrite 2 questions.")
_EXAMPLE_REPLY = json.dumps({"questions": [
    {"question": "How would you plan shifts for a team of twelve?", "why": "the job plans shifts for twelve"},
    {"question": "What did you learn running the night shift at the depot?", "why": "your résumé's night shift"}]},
    ensure_ascii=False)

_EXAMPLE_QUESTIONS = [words_of(q["question"]) for q in json.loads(_EXAMPLE_REPLY)["questions"]]
_EXAMPLE_WHYS = [words_of(q["why"]) for q in json.loads(_EXAMPLE_REPLY)["questions"]]


@dataclass(frozen=True, slots=True)
class PlannedQuestion:
    text: str
    why: str
    words: str  # the words of the job description or résumé its why names
    source: str  # "job" or "resume": where those words are


def schema(count: int) -> dict:
    item = {"type": "object",
            "properties": {"question": {"type": "string", "minLength": 1, "maxLength": QUESTION_CHARS},
                           "why": {"type": "string", "minLength": 1, "maxLength": WHY_CHARS}},
            "required": ["question", "why"], "additionalProperties": False}
    return {"type": "object",
            "properties": {"questions": {"type": "array", "minItems": 1, "maxItems": count, "items": item}},
            "required": ["questions"], "additionalProperties": False}


def messages(job_text: str | None, resume_text: str | None, count: int) -> list[dict]:
    """Exactly what is sent for the plan."""
    parts = []
    if job_text:
        parts.append("Job description:\n" + job_text.strip()[:MAX_TEXT_CHARS])
    if resume_text:
        parts.append("Résumé:\n" + resume_text.strip()[:MAX_TEXT_CHARS])
    parts.append(f"Write {count} question{'s' if count != 1 else ''}.")
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": _EXAMPLE_USER},
            {"role": "assistant", "content": _EXAMPLE_REPLY}, {"role": "user", "content": "\n\n".join(parts)}]


def model_questions(model: LocalModel, job_text: str | None, resume_text: str | None, count: int,
                    taken: Sequence[str] = (), budget_s: float = BUDGET_S) -> tuple[list[PlannedQuestion], list[str]]:
    """Up to `count` questions the model writes for this job and résumé that pass the checks (see
    the module docstring; `taken`: the plan's questions, not to be asked again), and why each
    dropped one was dropped. Raises ModelFailure when none passes."""
    reply = ask_json(model, messages(job_text, resume_text, count), schema(count), "plan", budget_s,
                     TOKENS_PER_QUESTION * count + 20)
    kept: list[PlannedQuestion] = []
    dropped: list[str] = []
    seen = [words_of(t) for t in taken]
    for item in reply.data["questions"][:count]:
        try:
            planned = check_question(" ".join(item["question"].split()), " ".join(item["why"].split()),
                                     job_text or "", resume_text or "", seen)
        except ModelFailure as exc:
            dropped.append(exc.reason)
            continue
        kept.append(planned)
        seen.append(words_of(planned.text))
    if not kept:
        raise ModelFailure("nothing passed the checks: " + (dropped[0] if dropped else "it wrote no question"))
    return kept, dropped


def check_question(text: str, why: str, job_text: str, resume_text: str, seen: list[list[str]]) -> PlannedQuestion:
    """The question when it passes the checks, else ModelFailure."""
    count = len(text.split())
    if not text.endswith("?"):
        raise ModelFailure(f"\"{_short(text)}\" is not a question")
    if not 3 <= count <= MAX_QUESTION_WORDS:
        raise ModelFailure(f"a question was {count} words long")
    if words_of(text) in seen:
        raise ModelFailure(f"\"{_short(text)}\" was asked twice")
    if words_of(text) in _EXAMPLE_QUESTIONS or words_of(why) in _EXAMPLE_WHYS:
        raise ModelFailure("it copied the worked example")
    said = set(content_words(why))
    for source, source_text in (("job", job_text), ("resume", resume_text)):
        named = [w for w in dict.fromkeys(content_words(source_text)) if w in said]
        if named:
            return PlannedQuestion(text, why, ", ".join(named), source)
    raise ModelFailure(f"the why \"{_short(why)}\" names no word of the job description or résumé")


def content_words(text: str) -> list[str]:
    return [w for w in words_of(text) if w not in STOPWORDS and any(c.isalpha() for c in w)]


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
