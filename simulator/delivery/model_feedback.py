"""Content feedback written by the person's own model, on top of the rules' (`content.py`).

Sent: the question, what a strong answer covers (the bank's strong answer, or for a question
made from a job description or résumé, its line), and the answer's transcript (its words as
recognised, fillers left out); nothing else. Asked for JSON under SCHEMA: an assessment of what
the answer covered with the words of the answer it rests on (`quote`), the one next step, and
the outline of a strong answer. The quote is to be one of the answer's phrases (sent as an enum,
simulator.llm.grounding.quotable): with the test model, assessments kept went from 39 to 47 of
the content benchmark's 47 answers. Kept item by item:

- the reply follows the schema (checked here whatever the server promised);
- the assessment is kept only when its quote is words of the transcript, in order (three in four
  of its words, in runs: it is then shown as the person said it, simulator.llm.grounding.as_said);
  any item (assessment, next step, an outline point) that puts in
  quotation marks words that were not said is dropped;
- a point of the outline said again is kept once;
- nothing kept at all: ModelFailure, and the rules' feedback stands alone.

Never a number: every figure stays measured. Judged once, when the answer has been analysed;
views only read the stored `ModelFeedback`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Sequence

from simulator.delivery.content import QuestionBrief, SpokenWord
from simulator.llm.endpoint import LocalModel, ModelFailure, ask_json
from simulator.llm.grounding import as_said, grounded, norm, quotable, quoted_phrases

BUDGET_S = 20.0  # from sending to the checked reply; it runs while the interview goes on
# The schema's lengths bound the reply (servers that follow it stop each string there): at most
# about 1,000 characters of text, so a reply cut off at MAX_TOKENS is one that ignored them.
MAX_TOKENS = 400

SCHEMA = {
    "type": "object",
    "properties": {
        "quote": {"type": "string", "minLength": 1, "maxLength": 120},
        "assessment": {"type": "string", "minLength": 1, "maxLength": 240},
        "next_step": {"type": "string", "minLength": 1, "maxLength": 160},
        "outline": {"type": "array", "minItems": 1, "maxItems": 4,
                    "items": {"type": "string", "minLength": 1, "maxLength": 100}},
    },
    "required": ["quote", "assessment", "next_step", "outline"],
    "additionalProperties": False,
}

SYSTEM = ("You are an interview coach. Read the question, what a strong answer covers, and the candidate's "
          "answer. Reply in JSON: three to eight words copied exactly from the Answer, an assessment of what "
          "the answer covered resting on them, the one next step, and up to four short points a strong answer "
          "would cover.")
_EXAMPLE_USER = ("Question: Tell me about a time you solved a hard problem.\n"
                 "A strong answer covers: the problem, what you did yourself, and the result, with a number.\n"
                 "Answer: Our deploys kept failing at night. I wrote a script that checks the database before "
                 "each deploy, and the failures stopped.")
_EXAMPLE_REPLY = json.dumps({
    "quote": "I wrote a script",
    "assessment": "It names the problem and your own action, and says the failures stopped.",
    "next_step": "Say how often the deploys failed before and after.",
    "outline": ["The problem and why it mattered", "What you did yourself", "The result, with a number"]})
PREFIX = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": _EXAMPLE_USER},
          {"role": "assistant", "content": _EXAMPLE_REPLY}]


@dataclass(frozen=True, slots=True)
class ModelFeedback:
    """What the person's model wrote about one answer, as kept by the checks."""

    written_by: str  # the model's name
    assessment: str = ""  # what the answer covered ("" when dropped)
    quote: str = ""  # the answer's words it rests on
    next_step: str = ""
    outline: list[str] = field(default_factory=list)  # what a strong answer would cover
    dropped: list[str] = field(default_factory=list)  # items the checks left out, and why
    seconds: float = 0.0  # from sending to the checked reply

    @property
    def points(self) -> list[tuple[str, str]]:
        """(label, line) in reading order, as every view shows them."""
        out = []
        if self.assessment:
            out.append(("What it covered", f"{self.assessment} (\u201c{self.quote}\u201d)"))
        if self.next_step:
            out.append(("Next step", self.next_step))
        if self.outline:
            out.append(("A strong answer", "; ".join(self.outline)))
        return out

    @property
    def mark(self) -> str:
        return f"written by your model, {self.written_by}"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> ModelFeedback:
        return cls(written_by=str(d["written_by"]), assessment=str(d.get("assessment", "")),
                   quote=str(d.get("quote", "")), next_step=str(d.get("next_step", "")),
                   outline=[str(p) for p in d.get("outline", [])], dropped=[str(p) for p in d.get("dropped", [])],
                   seconds=float(d.get("seconds", 0.0)))


def messages(brief: QuestionBrief, words: Sequence[SpokenWord]) -> list[dict]:
    """Exactly what is sent for one answer's feedback."""
    strong = brief.strong_answer or brief.duty
    lines = [f"Question: {brief.text}"]
    if strong:
        lines.append(f"A strong answer covers: {strong}")
    lines.append(f"Answer: {' '.join(spoken_words(words))}")
    return [*PREFIX, {"role": "user", "content": "\n".join(lines)}]


def spoken_words(words: Sequence[SpokenWord]) -> list[str]:
    """The transcript as sent: the recognised words, fillers left out."""
    return [str(w.text).strip() for w in words if not w.filler and str(w.text).strip()]


def model_feedback(model: LocalModel, brief: QuestionBrief, words: Sequence[SpokenWord],
                   budget_s: float = BUDGET_S, stop=None) -> ModelFeedback:
    """The model's feedback on the answer of these words, checked (see the module docstring).
    `stop`: a threading.Event that cancels the call. Raises ModelFailure."""
    reply = ask_json(model, messages(brief, words), SCHEMA, "content_feedback", budget_s, MAX_TOKENS, stop=stop,
                     guide={"quote": quotable(spoken_words(words))})
    return check_feedback(reply.data, words, model.model or "your model", reply.seconds)


def check_feedback(data: dict, words: Sequence[SpokenWord], written_by: str, seconds: float = 0.0) -> ModelFeedback:
    """What of a schema-checked reply passes the grounding checks; ModelFailure when nothing does."""
    said = spoken_words(words)
    spoken = [w for w in (norm(s) for s in said) if w]
    dropped: list[str] = []

    def kept(label: str, text: str) -> str:
        text = " ".join(text.split())
        for phrase in quoted_phrases(text):
            if not grounded(phrase, spoken):
                dropped.append(f"{label}: it quotes \u201c{_short(phrase)}\u201d, which you did not say")
                return ""
        return text

    raw = " ".join(data["quote"].split()).strip("\"\u201c\u201d").strip()
    quote = as_said(raw, said)  # shown as the person said it
    assessment = kept("the assessment", data["assessment"])
    if assessment and not quote:
        dropped.append(f"the assessment: its quote \u201c{_short(raw)}\u201d is not words you said")
        assessment = ""
    next_step = kept("the next step", data["next_step"])
    outline: list[str] = []
    for point in data["outline"]:
        point = kept("a strong answer's point", point)
        if point and point.lower() not in (p.lower() for p in outline):  # a point said again is kept once
            outline.append(point)
    if not (assessment or next_step or outline):
        raise ModelFailure(dropped[0] if dropped else "it wrote nothing")
    return ModelFeedback(written_by, assessment, quote if assessment else "", next_step, outline, dropped,
                         round(seconds, 3))


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
