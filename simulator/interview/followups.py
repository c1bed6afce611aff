"""Follow-ups grounded in what was said: the answer's own words, quoted back correctly.

Read from the typed Delivery (its `words` with their `filler` labels and probabilities, and its
`dropped_words`), never from the raw transcript, so a filler, a hallucinated word or a word the
recogniser was unsure of is never quoted. Rules, the first that applies wins:

1. "we" without "I" (two "we" or more, no "I")  -> "What was your own part in it?"
2. a claimed number or result ("we cut costs by 20%") -> "You said you cut costs by 20%. How did you measure that?"
3. a story question whose answer had no result   -> "What was the outcome?" (the rule the interviewer had)
4. a hedge on a key claim ("I think we halved it") -> "How confident are you that you halved it?"
5. a named thing ("the billing migration")        -> "What was hardest about the billing migration?"

A quote is turned to the second person ("I", "we" -> "you", "my", "our" -> "your", "I was" ->
"you were") only when every word of it is a plain word it knows how to turn; otherwise the rule
is not used. When a rule found something but its words were unsure (a dropped word inside, a
low-probability word, a filler at its heart), and no later rule applies, the follow-up is the
general "Can you tell me more about that?" with the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.delivery.analyze import Delivery

MIN_PROBABILITY = 0.5  # a word Whisper gave less than this is not quoted
MAX_QUOTE_WORDS = 14
GENERAL = "Can you tell me more about that?"

# kind: (budget cap in seconds, what a strong answer shows)
KINDS = {
    "ownership": (60.0, "Your own actions, said with \"I\": what you decided and did yourself."),
    "measure": (45.0, "How the figure was measured, from what baseline, and over what time."),
    "outcome": (45.0, "The result, measured if you can, and what you learned from it."),
    "confidence": (45.0, "How sure you are and why: the evidence, or how you would check."),
    "named": (60.0, "The hardest part of it, what you did about it, and what you learned."),
    "general": (60.0, "One more concrete detail: what you did, and how it turned out."),
    "model": (60.0, "A direct answer to the follow-up: one concrete detail, what you did, and how it turned out."),
}

_NUMBER = re.compile(r"^(\$|£|€)?\d[\d,.]*(%|k|m|x)?$|^(percent|half|double|twice|doubled|halved|thousand|"
                     r"million|hundred|dozen|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|"
                     r"forty|fifty|sixty|seventy|eighty|ninety)$")
_UNIT = re.compile(r"^(percent|per|cent|%|hours?|days?|weeks?|months?|years?|minutes?|seconds?|thousand|million|"
                   r"hundred|dollars?|pounds?|euros?|customers?|users?|people|times|a|week|month|day|year)$")
_RESULT_VERBS = {"reduced", "increased", "improved", "saved", "cut", "grew", "doubled", "halved", "raised",
                 "lowered", "dropped", "boosted", "shortened", "sped", "won", "closed", "hit", "delivered", "brought"}
_SUBJECTS = {"i": "you", "we": "you"}
_TURN = {"i": "you", "we": "you", "me": "you", "us": "you", "my": "your", "our": "your", "mine": "yours",
         "ours": "yours", "i'm": "you're", "i've": "you've", "i'd": "you'd", "i'll": "you'll", "we're": "you're",
         "we've": "you've", "we'd": "you'd", "we'll": "you'll", "myself": "yourself", "ourselves": "yourselves"}
_AFTER_SUBJECT = {"was": "were", "am": "are"}
_NEVER_IN_QUOTE = {"you", "your", "he", "she", "they", "him", "her", "them", "his", "their"}  # would read wrongly
_HEDGES = ("i think", "i guess", "i suppose", "i believe", "probably", "maybe", "perhaps", "sort of", "kind of")
_PROJECT_NOUNS = {"migration", "project", "launch", "rollout", "redesign", "system", "campaign", "upgrade", "audit",
                  "rewrite", "integration", "pilot", "programme", "program", "platform", "release", "initiative",
                  "merger", "reorganisation", "reorganization", "deal", "account", "contract", "implementation"}
_STOP_NAMED = {"the", "a", "an", "this", "that", "our", "my", "whole", "entire", "same", "new", "old", "first",
               "last", "next", "big", "main"}


@dataclass(frozen=True, slots=True)
class FollowUp:
    kind: str  # "summary" | "example" | "outcome" | "ownership" | "measure" | "confidence" | "named" | "general"
    text: str
    reason: str  # why, in words the person reads
    quote: str = ""  # the words of the answer it came from, as said
    written_by: str = ""  # the person's own model's name when it wrote this (the rules: empty)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str  # as transcribed, punctuation and all
    norm: str  # lowercase, no punctuation
    sure: bool  # not a filler, not low probability, no dropped word just before it
    filler: bool
    ends_sentence: bool
    ends_clause: bool


def _words(delivery: Delivery) -> list[_Word]:
    dropped = [(d.start, d.end) for d in delivery.dropped_words]
    out, last_end = [], 0.0
    raw = delivery.words
    for k, w in enumerate(raw):
        text = str(w.text).strip()
        if k + 1 < len(raw) and raw[k + 1].filler and text.endswith(","):
            text = text[:-1]  # "I, um, cut": the commas set the filler apart, not a clause
        norm = re.sub(r"[^a-z0-9%$£€'.,-]", "", text.lower().replace("’", "'")).strip(".,-")
        gap = any(last_end - 0.01 <= s and e <= w.start + 0.01 for s, e in dropped) if out else False
        filler = bool(w.filler)
        out.append(_Word(text, norm, not filler and not gap and float(w.probability) >= MIN_PROBABILITY,
                         filler, text.endswith((".", "?", "!")), text.endswith((",", ";", ":", ".", "?", "!"))))
        last_end = w.end
    return out


def _sentences(words: list[_Word]) -> list[list[_Word]]:
    out, current = [], []
    for w in words:
        current.append(w)
        if w.ends_sentence:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def _spoken(words: list[_Word]) -> list[_Word]:
    """Hesitations and discourse fillers are left out of a quote (never asked about)."""
    return [w for w in words if not w.filler]


def _quote(words: list[_Word]) -> str:
    return re.sub(r"[.,;:!?]+$", "", " ".join(w.text for w in words)).strip()


def _second_person(words: list[_Word]) -> str | None:
    """The clause said back to its speaker, or None when a word would not turn cleanly."""
    out = []
    for i, w in enumerate(words):
        n = w.norm.strip(".,;:!?")
        if n in _NEVER_IN_QUOTE or not w.sure:
            return None
        if n in _TURN:
            out.append(_TURN[n])
        elif n in _AFTER_SUBJECT and i and words[i - 1].norm.strip(",") in ("i", "we"):
            out.append(_AFTER_SUBJECT[n])
        else:
            out.append(re.sub(r"[.,;:!?]+$", "", w.text))
    return " ".join(out)


def _clause_from(sentence: list[_Word], start: int, stop_at_number: bool) -> list[_Word]:
    """From `start` to the end of the clause; for a claim, to the end of its figure and unit."""
    end = start
    seen_number = False
    while end < len(sentence):
        w = sentence[end]
        n = w.norm.strip(".,;:!?")
        if seen_number and stop_at_number and not _UNIT.match(n) and not _NUMBER.match(n):
            rest = next((j for j in range(end, len(sentence)) if sentence[j].ends_clause), len(sentence) - 1)
            if rest - end >= 4:  # "by 20% in three months" stays whole; a long tail is cut at the figure
                break
        seen_number = seen_number or bool(_NUMBER.match(n))
        end += 1
        if w.ends_clause or end - start >= MAX_QUOTE_WORDS:
            break
    return sentence[start:end]


def _subject_before(sentence: list[_Word], verb: int) -> int | None:
    """The "I" or "we" of a verb, at most three plain words before it ("we eventually managed to cut")."""
    for j in range(verb - 1, max(-1, verb - 5), -1):
        if sentence[j].norm in _SUBJECTS:
            return j
        if sentence[j].ends_clause:
            return None
    return None


def _measure(sentences: list[list[_Word]]) -> tuple[FollowUp | None, bool]:
    unsure = False
    for sentence in sentences:
        sentence = _spoken(sentence)
        for k, w in enumerate(sentence):
            if w.norm.strip(".,") not in _RESULT_VERBS:
                continue
            after = sentence[k + 1: k + 9]
            if not any(_NUMBER.match(x.norm.strip(".,;:!?")) for x in after):
                continue
            subject = _subject_before(sentence, k)
            if subject is None:
                unsure = True
                continue
            clause = _clause_from(sentence, subject, stop_at_number=True)
            said = _second_person(clause)
            if said is None:
                unsure = True
                continue
            return FollowUp("measure", f"You said {said}. How did you measure that?",
                            "you claimed a result with a number", _quote(clause)), unsure
    return None, unsure


def _hedged(sentences: list[list[_Word]]) -> tuple[FollowUp | None, bool]:
    unsure = False
    for sentence in sentences:
        sentence = _spoken(sentence)
        norms = [w.norm.strip(".,;:!?") for w in sentence]
        for hedge in _HEDGES:
            parts = hedge.split()
            for k in range(len(norms) - len(parts) + 1):
                if norms[k: k + len(parts)] != parts:
                    continue
                rest = sentence[k + len(parts):]
                # The claim: "I think we halved it" or "we probably halved it".
                if rest and rest[0].norm in _SUBJECTS:
                    clause = _clause_from(rest, 0, stop_at_number=False)
                    start = k
                elif k and sentence[k - 1].norm in _SUBJECTS and rest:
                    clause = [sentence[k - 1]] + _clause_from(rest, 0, stop_at_number=False)
                    start = k - 1
                else:
                    continue
                claim = [w.norm.strip(".,;:!?") for w in clause]
                if not (set(claim) & _RESULT_VERBS or any(_NUMBER.match(c) for c in claim)):
                    continue  # a hedge on an opinion, not on a claim of what happened
                said = _second_person(clause) if len(clause) >= 3 else None
                if said is None:
                    unsure = True
                    continue
                whole = sentence[start: k + len(parts) + len(clause) - (start < k)]
                return FollowUp("confidence", f"How confident are you that {said}?",
                                f'you hedged a key claim with "{hedge}"', _quote(whole)), unsure
    return None, unsure


def _named(sentences: list[list[_Word]]) -> tuple[FollowUp | None, bool]:
    unsure = False
    for sentence in sentences:
        sentence = _spoken(sentence)
        for k, w in enumerate(sentence):
            if w.norm.strip(".,;:!?") not in _PROJECT_NOUNS:
                continue
            j = k - 1
            while j >= 0 and k - j <= 3 and sentence[j].norm.isalpha() and not sentence[j].ends_clause \
                    and sentence[j].norm not in ("the", "our", "my", "that", "this"):
                j -= 1
            if j < 0 or sentence[j].norm not in ("the", "our", "my", "that", "this") or k - j < 2:
                continue
            if all(x.norm in _STOP_NAMED for x in sentence[j + 1: k]):
                continue  # "the project", "the new system": not a thing with a name
            phrase = sentence[j: k + 1]
            if not all(x.sure for x in phrase):
                unsure = True
                continue
            said = _second_person(phrase)
            if said is None:
                unsure = True
                continue
            if said.split()[0] in ("that", "this"):
                said = "the " + " ".join(said.split()[1:])
            return FollowUp("named", f"What was hardest about {said}?", "you named something you worked on",
                            _quote(phrase)), unsure
    return None, unsure


def _ownership(words: list[_Word]) -> FollowUp | None:
    spoken = _spoken(words)
    norms = [w.norm.strip(".,;:!?") for w in spoken]
    we = sum(1 for n in norms if n in ("we", "we're", "we've", "we'd", "we'll", "our", "us"))
    i = sum(1 for n in norms if n in ("i", "i'm", "i've", "i'd", "i'll", "me", "my", "myself"))
    if we < 2 or i:
        return None
    first = next(k for k, n in enumerate(norms) if n in ("we", "we're", "we've", "we'd", "we'll", "our", "us"))
    clause = _clause_from(spoken, first, stop_at_number=False)[:8]
    return FollowUp("ownership", "What was your own part in it?",
                    f'you said "we" {we} times and never "I"', _quote(clause))


def grounded_follow_up(question: dict, delivery: Delivery, story: bool) -> FollowUp | None:
    """The grounded follow-up for an answer (see the module docstring), or None.

    `story`: the question asked for a story, so an answer with no result is missing its ending."""
    words = _words(delivery)
    if not any(not w.filler for w in words):
        return None
    own = _ownership(words)
    if own is not None:
        return own
    sentences = _sentences(words)
    found, unsure = _measure(sentences)
    if found is not None:
        return found
    if story and not delivery.content.result:
        return FollowUp("outcome", "What was the outcome?",
                        "your story had no result: nothing like \"as a result\", \"in the end\" or what improved")
    for rule in (_hedged, _named):
        found, was_unsure = rule(sentences)
        if found is not None:
            return found
        unsure = unsure or was_unsure
    if unsure:
        return FollowUp("general", GENERAL, "something in your answer was worth asking about, but some of "
                                            "its words were unclear, so the interviewer asks in general")
    return None
