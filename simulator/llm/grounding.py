"""Is a quote from an answer really in it? Words a model says the person said must have been said.

Compared word by word after lower-casing and dropping the punctuation around each word, so
"cut costs," matches "Cut costs." A quote is grounded when its words appear, in order and next
to each other, among the answer's spoken words (the caller leaves out the fillers: a quote of
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
    """`quote`'s words, a run of `spoken` (already normalised with `norm`). An empty quote is not."""
    said = words_of(quote)
    if not said:
        return False
    n = len(said)
    return any(spoken[i: i + n] == said for i in range(len(spoken) - n + 1))


def quoted_phrases(text: str) -> list[str]:
    """The parts of `text` in quotation marks: what it says the person said, word for word."""
    return [m.group(1) for m in _QUOTED.finditer(text)]
