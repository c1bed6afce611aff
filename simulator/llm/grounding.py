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

Better still, the model is not left to copy: `quotable` offers the server the answer's
`phrases` to pick its quote from, and a server that follows schemas can then write no other.
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


_PHRASE_END = re.compile(r"[.?!;:,]$")  # a word that ends a clause
_JOINS = {"and", "but", "so", "because", "which", "who", "when", "while", "then", "after", "before", "until",
          "where", "or", "if", "since", "although", "though"}  # a clause too long is cut before one of these
LONGEST_PHRASE = 10  # words: a quote is a phrase, not the answer


def phrases(said: list[str]) -> list[str]:
    """What a model may quote of an answer (`said`: its spoken words, as recognised), offered to it
    to pick from: the answer cut at its punctuation into clauses, a clause longer than
    LONGEST_PHRASE cut again before a joining word ("and", "because", ...) or, with none, into
    even parts; each SHORTEST_RUN words or more, in the person's own spelling, each once."""
    clauses: list[list[str]] = [[]]
    for word in said:
        clauses[-1].append(word)
        if _PHRASE_END.search(word):
            clauses.append([])
    out: list[str] = []
    for clause in clauses:
        for part in _cut(clause):
            text = _AROUND.sub("", " ".join(part))
            if len(part) >= SHORTEST_RUN and text not in out:
                out.append(text)
    return out


def quotable(said: list[str]) -> dict:
    """The guide for a quote property (simulator.llm.endpoint.ask_json's `guide`): one of the
    answer's `phrases`; nothing when it has none (an empty list would allow no reply at all)."""
    choices = phrases(said)
    return {"enum": choices} if choices else {}


def _cut(clause: list[str]) -> list[list[str]]:
    if len(clause) <= LONGEST_PHRASE:
        return [clause]
    middle = len(clause) / 2
    joins = [i for i in range(SHORTEST_RUN, len(clause) - SHORTEST_RUN + 1) if norm(clause[i]) in _JOINS]
    at = min(joins, key=lambda i: abs(i - middle)) if joins else round(middle)
    return _cut(clause[:at]) + _cut(clause[at:])


def quoted_phrases(text: str) -> list[str]:
    """The parts of `text` in quotation marks: what it says the person said, word for word."""
    return [m.group(1) for m in _QUOTED.finditer(text)]
