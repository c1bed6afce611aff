"""Is a quote from an answer really in it? Words a model says the person said must have been said.

Compared word by word after lower-casing and dropping the punctuation around each word, so
"cut costs," matches "Cut costs." A quote is grounded when its words appear, in order and next
to each other (an ellipsis may mark words left out between them), among the answer's spoken words (the caller leaves out the fillers: a quote of
"um" is no quote). Anything else, a changed figure ("20%" for "twenty percent"), a word turned
("you" for "I"), a word added, is not, and what relied on it is dropped.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")


def norm(word: str) -> str:
    return re.sub(r"^[^\w$£€]+|[^\w%]+$", "", word.lower().replace("’", "'"))


def words_of(text: str) -> list[str]:
    return [w for w in (norm(part) for part in text.split()) if w]


def grounded(quote: str, spoken: list[str]) -> bool:
    """`quote`'s words, a run of `spoken` (already normalised with `norm`); an ellipsis ("…" or
    "...") marks words left out, so each piece must be a run, in the order said. An empty quote
    is not grounded."""
    pieces = [words_of(piece) for piece in re.split(r"…|\.\.\.", quote)]
    pieces = [p for p in pieces if p]
    at = 0
    for said in pieces:
        n = len(said)
        found = next((i for i in range(at, len(spoken) - n + 1) if spoken[i: i + n] == said), None)
        if found is None:
            return False
        at = found + n
    return bool(pieces)


def quoted_phrases(text: str) -> list[str]:
    """The parts of `text` in quotation marks: what it says the person said, word for word."""
    return [m.group(1) for m in _QUOTED.finditer(text)]
