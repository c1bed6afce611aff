"""Is a quote from an answer really in it? Words a model says the person said must have been said.

Compared word by word after lower-casing and dropping the punctuation around each word, so
"cut costs," matches "Cut costs." A quote is grounded when its words appear, in order and next
to each other (an ellipsis may mark words left out between them), among the answer's spoken words (the caller leaves out the fillers: a quote of
"um" is no quote). Anything else, a changed figure ("20%" for "twenty percent"), a word turned
("you" for "I"), a word added, is not, and what relied on it is dropped.

A small model rarely copies a long stretch exactly: it adds an "and", drops a "short". `as_said`
turns its quote into the words the person said, when three in four of its words are runs of them: the
runs, in order, joined by "…" where words were left out. What is shown as a quote is then
always the person's words, never the model's paraphrase; a quote mostly not said stays unused.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"[\"“”]([^\"“”]+)[\"“”]")
_AROUND = re.compile(r"^[^\w$£€]+|[^\w%]+$")  # the punctuation around a word ("$" and "%" are part of it)


def norm(word: str) -> str:
    return _AROUND.sub("", word.lower().replace("’", "'"))


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


SHARE_SAID = 0.75  # a quote with more of its words changed says something the person did not
SHORTEST_RUN = 3  # fewer words in a row ("I did", "the team") match by chance, not because they were quoted


def as_said(quote: str, said: list[str]) -> str:
    """`quote` in the words of `said` (the answer's spoken words, as recognised): its runs of at
    least SHORTEST_RUN words that are runs of `said`, in the order said, joined by "…"; empty
    unless those runs hold at least SHARE_SAID of the quote's words. A quote that is `grounded` comes
    back as the same words, in the person's own spelling."""
    wanted = words_of(quote)
    spoken = [(norm(w), w) for w in said]
    spoken = [(n, w) for n, w in spoken if n]
    keys = [n for n, _ in spoken]
    runs: list[tuple[int, int]] = []  # (start in spoken, length)
    i = at = 0
    while i < len(wanted):
        start, length = at, 0
        for j in range(at, len(keys)):
            n = 0
            while i + n < len(wanted) and j + n < len(keys) and keys[j + n] == wanted[i + n]:
                n += 1
            if n > length:
                start, length = j, n
        if length < SHORTEST_RUN:
            i += 1  # a word the person did not say here
            continue
        if runs and sum(runs[-1]) == start:
            runs[-1] = (runs[-1][0], runs[-1][1] + length)  # only a word added between words said in a row
        else:
            runs.append((start, length))
        i, at = i + length, start + length
    if not wanted or sum(n for _, n in runs) < SHARE_SAID * len(wanted):
        return ""
    pieces = [" ".join(w for _, w in spoken[start: start + n]) for start, n in runs]
    return " … ".join(_AROUND.sub("", piece) for piece in pieces)


def quoted_phrases(text: str) -> list[str]:
    """The parts of `text` in quotation marks: what it says the person said, word for word."""
    return [m.group(1) for m in _QUOTED.finditer(text)]
