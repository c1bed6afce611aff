"""Decoder loops: the same word or phrase written again and again ("come, come, come, ...").

Whisper decoding greedily or with a beam can fall into repeating a unit until its token budget
runs out. Seen on real speech: fourteen "uh," at one instant, and on accented speech "a meat, a
meat, a meat, ..." over the words that were said. Real speech repeats a unit two or three times
("blah blah blah"); four times running it is a loop (none in the 101 real-speech development
recordings outside the decoder's own loops; README, "Long answers").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from simulator.transcribe.base import TimedWord
from simulator.transcribe.hesitations import normalize_word

LOOP_REPEATS = 4
MAX_UNIT = 8  # words in the repeated unit ("I'll see you in the next video," is seven)
# Decoding again with no three-token sequence allowed twice breaks a loop deterministically
# (sampling at higher temperatures, Whisper's own fallback, differs from run to run).
NO_REPEAT_NGRAM = 3


@dataclass(frozen=True, slots=True)
class Loop:
    first: int  # index of the loop's first word
    unit: int  # words in the repeated unit
    repeats: int


def find_loops(words: Sequence[TimedWord]) -> list[Loop]:
    """Every run of a unit of 1..MAX_UNIT words repeated LOOP_REPEATS times or more, in order."""
    norms = [normalize_word(w.text) for w in words]
    found: list[Loop] = []
    i = 0
    while i < len(norms):
        loop = _loop_at(norms, i)
        if loop is None:
            i += 1
        else:
            found.append(loop)
            i += loop.unit * loop.repeats
    return found


def _loop_at(norms: list[str], i: int) -> Loop | None:
    for unit in range(1, MAX_UNIT + 1):
        piece = norms[i:i + unit]
        if len(piece) < unit or not all(piece):
            return None
        k = 1
        while norms[i + k * unit:i + (k + 1) * unit] == piece:
            k += 1
        if k >= LOOP_REPEATS:
            return Loop(i, unit, k)
    return None


def cut_loops(words: Sequence[TimedWord]) -> list[TimedWord]:
    """`words` with every loop cut to its first unit."""
    out: list[TimedWord] = []
    i = 0
    for loop in find_loops(words):
        out.extend(words[i:loop.first + loop.unit])
        i = loop.first + loop.unit * loop.repeats
    out.extend(words[i:])
    return out
