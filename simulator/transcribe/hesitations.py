"""Hesitation sounds as Whisper spells them, and putting back the ones a plain decoding drops.

Whisper is trained on clean transcripts: decoded plainly it writes the words well and drops
"um" and "uh"; decoded after a prompt full of fillers ("verbatim") it keeps them but loses and
invents words (measured on real telephone speech, README "Benchmark"). So each chunk is decoded
both ways and the verbatim pass contributes its hesitations only: `merge_hesitations`.
"""

from __future__ import annotations

import difflib
import re
from typing import Sequence

from simulator.transcribe.base import TimedWord

_SPELLINGS = [
    # Not "hum" and not "am": words too ("I am a software engineer" has no hesitation in it).
    ("um", re.compile(r"^(u+h*m+|a+h+m+|a{2,}m+|e+r+m+)$")),
    ("uh", re.compile(r"^(u+h+|e+r+|e+h+|a+h+|u+)$")),
    ("hmm", re.compile(r"^(h+m+|m+h*m+|m+)$")),
]


def normalize_word(text: str) -> str:
    return re.sub(r"[^a-z0-9']", "", text.lower().replace("’", "'")).strip("'")


def hesitation_kind(norm: str) -> str | None:
    """The canonical hesitation ("um", "uh", "hmm") a normalised spelling stands for, or None."""
    for name, pattern in _SPELLINGS:
        if pattern.match(norm):
            return name
    return None


def is_hesitation(word: TimedWord) -> bool:
    return hesitation_kind(normalize_word(word.text)) is not None


def merge_hesitations(words: Sequence[TimedWord], verbatim: Sequence[TimedWord]) -> list[TimedWord]:
    """`words` (a plain decoding) with the hesitations of `verbatim` (a filler-keeping decoding of
    the same audio) that it lacks, each put where the verbatim pass wrote it.

    The two word sequences are aligned on their text: a hesitation goes between the plain words
    that its verbatim neighbours matched, which is sturdier than its time alone (word times
    are off by about 100 ms and plain words stretch over the hesitation they dropped).
    """
    plain_norms = [normalize_word(w.text) for w in words]
    verbatim_norms = [normalize_word(w.text) for w in verbatim]
    matcher = difflib.SequenceMatcher(a=plain_norms, b=verbatim_norms, autojunk=False)
    insert_at: dict[int, list[TimedWord]] = {}
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        found = [verbatim[j] for j in range(b0, b1) if hesitation_kind(verbatim_norms[j]) and not verbatim[j].invented]
        already = sum(1 for i in range(a0, a1) if hesitation_kind(plain_norms[i]))
        if len(found) > already:
            insert_at.setdefault(a0, []).extend(found[already:])
    out: list[TimedWord] = []
    for i in range(len(words) + 1):
        out.extend(insert_at.get(i, ()))
        if i < len(words):
            out.append(words[i])
    return out
