"""Words as language: tokens with their punctuation context, hedges, and repetitions.

Whisper punctuates what it hears: commas mark the little breaks that set off a discourse
marker ("I was, like, thinking"), so the context rules in `fillers.py` read them from here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from simulator.transcribe.hesitations import normalize_word

_BREAK_AFTER = re.compile(r"[,.;:!?…—–-]$|\.\.\.$")
_SENTENCE_END = re.compile(r"[.!?…]$")


@dataclass(frozen=True)
class Token:
    raw: str  # as written, whitespace stripped
    norm: str  # lowercase letters, digits and apostrophes only
    pause_after: bool  # the writer put a break after this token (comma, full stop, dash ...)
    sentence_end: bool


def tokenize(texts: Sequence[str]) -> list[Token]:
    tokens = []
    for text in texts:
        raw = text.strip()
        core = raw.rstrip("\"'”’)")
        norm = normalize_word(raw)
        tokens.append(Token(raw, norm, bool(_BREAK_AFTER.search(core)), bool(_SENTENCE_END.search(core))))
    return tokens


# Hosman (1989) and the coaching tools in docs/sources.md: hedges lower perceived authority.
HEDGES = ("i guess", "i suppose", "i think", "i believe", "i feel like", "maybe", "perhaps", "probably",
          "sort of", "kind of", "kinda", "sorta", "somewhat", "a little bit", "more or less")
# "a kind of tool", "what sort of team": a noun phrase, not a hedge.
_DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "what", "which", "some", "any", "every",
                "one", "no", "same", "other", "another", "my", "our", "your", "their", "his", "her", "its", "all"}


@dataclass
class PhraseCounts:
    count: int = 0
    by_phrase: dict[str, int] = field(default_factory=dict)


def find_hedges(tokens: Sequence[Token], skip: Sequence[bool] = ()) -> tuple[PhraseCounts, list[int]]:
    """Hedge phrases and the index of each one's first token. `skip` marks tokens not to read (fillers)."""
    norms = [t.norm for t in tokens]
    found: Counter[str] = Counter()
    where: list[int] = []
    phrases = sorted((p.split() for p in HEDGES), key=len, reverse=True)
    i = 0
    while i < len(norms):
        hit = None
        for words in phrases:
            n = len(words)
            if norms[i: i + n] != words or any(skip[i: i + n]):
                continue
            phrase = " ".join(words)
            prev = norms[i - 1] if i else ""
            nxt = norms[i + n] if i + n < len(norms) else ""
            if phrase in ("sort of", "kind of") and prev in _DETERMINERS:
                continue
            if phrase == "i think" and nxt in ("about", "of", "through"):  # thinking as an activity
                continue
            if phrase == "i believe" and nxt == "in":
                continue
            hit = (phrase, n)
            break
        if hit:
            found[hit[0]] += 1
            where.append(i)
            i += hit[1]
        else:
            i += 1
    return PhraseCounts(sum(found.values()), dict(found.most_common())), where


# Doubled on purpose in ordinary speech ("very very", "that that", "had had").
_DOUBLES_OK = {"very", "really", "that", "had", "so", "no", "yes", "yeah", "bye", "ha", "is", "many", "much",
               "far", "more", "again", "over", "too", "knock", "well", "okay"}


@dataclass
class Repetition:
    text: str
    start: float
    end: float
    count: int  # how many times in a row


def find_repetitions(tokens: Sequence[Token], starts: Sequence[float], ends: Sequence[float],
                     skip: Sequence[bool] = ()) -> list[Repetition]:
    """Stutter-like repeats of a word or two-word phrase: "I I", "the the", "we were we were".

    Tokens marked in `skip` (hesitations) are read through: "I, um, I" is a repeat.
    """
    idx = [i for i, t in enumerate(tokens) if t.norm and not (skip and skip[i])]
    norms = [tokens[i].norm for i in idx]
    out: list[Repetition] = []
    k = 0
    while k < len(norms):
        done = False
        for size in (2, 1):
            unit = norms[k: k + size]
            if len(unit) < size or (size == 1 and unit[0] in _DOUBLES_OK) or unit[0].isdigit():
                continue
            times = 1
            while norms[k + times * size: k + (times + 1) * size] == unit:
                times += 1
            if times > 1:
                last = idx[k + times * size - 1]
                out.append(Repetition(" ".join(unit), round(starts[idx[k]], 3), round(ends[last], 3), times))
                k += times * size
                done = True
                break
        if not done:
            k += 1
    return out
