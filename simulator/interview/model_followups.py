"""Follow-ups written by the person's own model, kept only when they pass the checks.

Sent: the question asked and the answer's transcript (its words as recognised, fillers left
out), nothing else. Asked for: JSON `{"quote": ..., "follow_up": ...}` under SCHEMA, guided
(`guide`): the quote is to be one of the answer's phrases (simulator.llm.grounding.quotable,
sent as an enum), the follow-up one question (QUESTION, sent as a pattern). A server that follows
schemas then cannot write a quote the person did not say: with the test model, follow-ups
passing the checks went from 21 to 38 of the content benchmark's 47 answers, and to 47 with the
question's pattern and FREQUENCY_PENALTY. Kept when

- the reply follows the schema (checked here whatever the server promised),
- the quote is words of the transcript (three in four of its words, in runs of three or more:
  it is then shown as the person said it, simulator.llm.grounding.as_said; a server that
  ignores the guide may send a near copy), and anything the follow-up puts in quotation marks
  is words of the transcript, exactly, and
- the follow-up is on topic by these checks: a question (ends with "?"), 3 to 40 words, not
  the question that was just asked said again;

else ModelFailure says why, and the interviewer asks the rules' follow-up instead. It is asked
once: in a trial on the 47 answers, before the guide, asking again, told which check failed,
made no more pass (21 either way, even with 6 s to do it in).
"""

from __future__ import annotations

import json
import threading
from typing import Sequence

from simulator.delivery.analyze import LabeledWord
from simulator.interview.followups import FollowUp
from simulator.llm.endpoint import LocalModel, ModelFailure, ask_json
from simulator.llm.grounding import as_said, grounded, norm, quotable, quoted_phrases, words_of

BUDGET_S = 2.5  # the follow-up is ready this soon after the answer's words are, or the rules' is asked
MAX_TOKENS = 120  # a quote and a question: about 60 tokens; more is a reply running on
KIND = "model"
REASON = "written by your model"

# One question, beginning as a question does, ending with its question mark, of at most about
# 40 words (an answer's words said on, not asked about, began "and so, my fellow..."). Without quotation
# marks, backslashes or line breaks: llama.cpp's grammar from a pattern does not escape them, and
# its JSON broke (measured).
QUESTION = r'^(What|How|Why|When|Where|Who|Which|Can|Could|Would|Did|Do|Does|Have|Tell|Walk) [^?"\\\n]{2,240}[?]$'
# Measured on the 47 answers with the test model, guided: 40 passed with no penalty, 44 at 0.3, 47
# at 0.8; the seven lost at 0 were loops, one clause said again until the question was 45-60 words.
FREQUENCY_PENALTY = 0.8
SCHEMA = {
    "type": "object",
    "properties": {
        "quote": {"type": "string", "minLength": 1, "maxLength": 200},
        "follow_up": {"type": "string", "minLength": 1, "maxLength": 300},
    },
    "required": ["quote", "follow_up"],
    "additionalProperties": False,
}

SYSTEM = ("You are a job interviewer. After each answer, copy three to eight words exactly as the candidate "
          "said them in the Answer, and ask one short follow-up question about them, ending with \"?\". "
          "Reply in JSON.")
# One worked example: small models follow a shown reply far better than a described one.
_EXAMPLE_USER = ("Question: Tell me about a time you solved a hard problem.\nAnswer: Our deploys kept failing at "
                 "night. I wrote a script that checks the database before each deploy, and the failures stopped.")
_EXAMPLE_REPLY = json.dumps({"quote": "I wrote a script",
                             "follow_up": "What did the script check, and how did you test it?"})


def spoken_words(words: Sequence[LabeledWord]) -> list[str]:
    """The transcript as sent: the answer's recognised words (a Delivery's `words`), fillers left out."""
    return [str(w.text).strip() for w in words if not w.filler and str(w.text).strip()]


PREFIX = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": _EXAMPLE_USER},
          {"role": "assistant", "content": _EXAMPLE_REPLY}]


def guide(words: Sequence[LabeledWord]) -> dict[str, dict]:
    """What the server is asked to write under, beyond SCHEMA (see the module docstring)."""
    return {"quote": quotable(spoken_words(words)), "follow_up": {"pattern": QUESTION}}


def messages(question: dict, words: Sequence[LabeledWord]) -> list[dict]:
    """Exactly what is sent for one follow-up."""
    return prompt(question.get("text", ""), " ".join(spoken_words(words)))


def prompt(question: str, answer: str) -> list[dict]:
    return [*PREFIX, {"role": "user", "content": f"Question: {question}\nAnswer: {answer}"}]


WARM_UP_BUDGET_S = 60.0  # Ollama loads the model at its first request: that can take this long


def warm_up(model: LocalModel) -> threading.Thread:
    """Send the fixed start of every follow-up's prompt (PREFIX, no word of the person's) once,
    on a daemon thread, while the interviewer greets: the server loads the model and keeps that
    prompt read, so the first follow-up is not the one that misses the budget. Its outcome does
    not matter (the reply is one token, so it is cut off): each follow-up is checked on its own."""

    def send() -> None:
        try:
            ask_json(model, prompt("", ""), SCHEMA, "follow_up", WARM_UP_BUDGET_S, max_tokens=1)
        except ModelFailure:
            pass

    thread = threading.Thread(target=send, daemon=True, name="local-model-warm-up")
    thread.start()
    return thread


def model_follow_up(model: LocalModel, question: dict, words: Sequence[LabeledWord],
                    budget_s: float = BUDGET_S) -> FollowUp:
    """The model's follow-up to the answer of these words (a Delivery's), checked (see the module
    docstring). Raises ModelFailure."""
    reply = ask_json(model, messages(question, words), SCHEMA, "follow_up", budget_s, MAX_TOKENS,
                     guide=guide(words), frequency_penalty=FREQUENCY_PENALTY)
    text, quote = check_follow_up(reply.data["follow_up"], reply.data["quote"], question, words)
    return FollowUp(KIND, text, REASON, quote, written_by=model.model or "your model")


def check_follow_up(text: str, quote: str, question: dict, words: Sequence[LabeledWord]) -> tuple[str, str]:
    """(the question, its quote as the person said it) when they pass the grounding and topic
    checks, else ModelFailure."""
    text = " ".join(text.split())
    raw = quote.strip().strip("\"“”").strip()
    said = spoken_words(words)
    quote = as_said(raw, said)
    if not quote:
        raise ModelFailure(f"its quote \"{_short(raw)}\" is not words you said")
    spoken = [w for w in (norm(s) for s in said) if w]
    for phrase in quoted_phrases(text):
        if not grounded(phrase, spoken):
            raise ModelFailure(f"it quotes \"{_short(phrase)}\", which you did not say")
    count = len(text.split())
    if not text.endswith("?"):
        raise ModelFailure("it did not write a question")
    if not 3 <= count <= 40:
        raise ModelFailure(f"its question was {count} words long")
    if words_of(text) == words_of(question.get("text", "")):
        raise ModelFailure("it asked the same question again")
    return text, quote


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
