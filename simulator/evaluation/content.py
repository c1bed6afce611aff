"""How well the content feedback agrees with answers marked by hand (`interview-sim bench --content`).

The answers are transcripts (data/content/answers.json, marked before any rule was written; the
marking rules are in its `how_marked`). Each becomes timed words as a transcriber would give them,
fillers are labelled by the same code as a recorded answer's, and `judge_content` reads them with
the question and its strong answer (data/content/questions.json). No model, no audio.

Scored per answer and per STAR part: a part found counts as right when the answer has that part
and the sentence quoted for it is one marked with it; precision is right / found, recall is
right / marked. The same parts are also scored per sentence. The yes/no items (a measured result,
answered the question) and who acts in the action (I, we, mixed, none) are scored as accuracy.
Answers marked `held_out` are scored apart: they were run once, after the rules were written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from simulator.delivery.analyze import LabeledWord, read_words
from simulator.delivery.content import PARTS, ContentFeedback, QuestionBrief, judge_content

DATA = Path(__file__).resolve().parent / "data" / "content"
TARGETS = {"part_precision": 0.85, "part_recall": 0.85, "item_accuracy": 0.9}
_LETTER = {"S": "situation", "T": "task", "A": "action", "R": "result", "-": None}
WORD_S = 0.3  # each word takes this long in the timed words made from a transcript
SURE_P = 0.9  # every word of a written transcript is as sure as a clear recording's


@dataclass(frozen=True, slots=True)
class MarkedAnswer:
    id: str
    question_id: str
    question: dict
    source: str
    held_out: bool
    sentences: tuple[str, ...]
    parts: tuple[str | None, ...]  # per sentence
    ownership: str
    measured_result: bool
    answered: bool

    @property
    def transcript(self) -> str:
        return " ".join(self.sentences)


def load(folder: Path = DATA) -> list[MarkedAnswer]:
    questions = json.loads((folder / "questions.json").read_text(encoding="utf-8"))
    marked = json.loads((folder / "answers.json").read_text(encoding="utf-8"))["answers"]
    return [MarkedAnswer(a["id"], a["question"], questions[a["question"]], a["source"], bool(a["held_out"]),
                         tuple(t for _, t in a["sentences"]), tuple(_LETTER[p] for p, _ in a["sentences"]),
                         a["ownership"], bool(a["measured_result"]), bool(a["answered"])) for a in marked]


def timed_words(transcript: str) -> list[LabeledWord]:
    """A transcript as a transcriber's labelled words: one word per space, fillers marked."""
    texts = transcript.split()
    _tokens, labels, _phrases, _counts = read_words(texts)
    return [LabeledWord(t, i * WORD_S, (i + 1) * WORD_S - 0.05, SURE_P, label)
            for i, (t, label) in enumerate(zip(texts, labels))]


def judge_marked(answer: MarkedAnswer) -> ContentFeedback:
    return judge_content(timed_words(answer.transcript), QuestionBrief.from_question(answer.question))


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def score(answers: list[MarkedAnswer]) -> dict:
    per_answer = {p: {"right": 0, "found": 0, "marked": 0} for p in PARTS}
    per_sentence = {p: {"right": 0, "found": 0, "marked": 0} for p in PARTS}
    items = {"measured_result": [0, 0], "answered": [0, 0], "ownership": [0, 0]}
    disagreements: list[dict] = []
    split_errors = 0
    for a in answers:
        fb = judge_marked(a)
        got = [s.part for s in fb.sentences]
        if len(got) != len(a.parts):
            split_errors += 1
            disagreements.append({"answer": a.id, "item": "sentences", "marked": len(a.parts), "got": len(got)})
            got = (got + [None] * len(a.parts))[: len(a.parts)]
        for p in PARTS:
            marked_at = {i for i, x in enumerate(a.parts) if x == p}
            found_at = next((i for i, x in enumerate(got) if x == p), None)
            c = per_answer[p]
            c["marked"] += bool(marked_at)
            c["found"] += found_at is not None
            c["right"] += found_at is not None and found_at in marked_at
            if (found_at is not None) != bool(marked_at) or (found_at is not None and found_at not in marked_at):
                disagreements.append({"answer": a.id, "item": p, "marked": sorted(marked_at), "got": found_at})
            s = per_sentence[p]
            for i, x in enumerate(got):
                s["marked"] += a.parts[i] == p
                s["found"] += x == p
                s["right"] += x == p and a.parts[i] == p
        for item, truth, value in (("measured_result", a.measured_result, fb.measured_result),
                                   ("answered", a.answered, fb.answered),
                                   ("ownership", a.ownership, fb.ownership.owner)):
            items[item][1] += 1
            items[item][0] += truth == value
            if truth != value:
                disagreements.append({"answer": a.id, "item": item, "marked": truth, "got": value})

    def table(counts: dict) -> dict:
        return {p: {"precision": _ratio(c["right"], c["found"]), "recall": _ratio(c["right"], c["marked"]), **c}
                for p, c in counts.items()}

    return {"answers": len(answers), "questions": len({a.question_id for a in answers}),
            "parts_per_answer": table(per_answer), "parts_per_sentence": table(per_sentence),
            "items": {k: {"accuracy": _ratio(r, n), "right": r, "of": n} for k, (r, n) in items.items()},
            "sentence_split_errors": split_errors, "disagreements": disagreements}


def meets_targets(result: dict) -> bool:
    parts = result["parts_per_answer"].values()
    return (all((p["precision"] or 0) >= TARGETS["part_precision"] and (p["recall"] or 0) >= TARGETS["part_recall"]
                for p in parts)
            and all((i["accuracy"] or 0) >= TARGETS["item_accuracy"] for i in result["items"].values()))


def run_content(*, held_out: bool = False, folder: Path = DATA) -> dict:
    """The marked set's agreement, and with `held_out` the held-out set's beside it."""
    answers = load(folder)
    marked = score([a for a in answers if not a.held_out])
    out = {"targets": TARGETS, "marked": {**marked, "meets_targets": meets_targets(marked)}}
    if held_out:
        kept = score([a for a in answers if a.held_out])
        out["held_out"] = {**kept, "meets_targets": meets_targets(kept)}
    return out
