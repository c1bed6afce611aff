"""Decoder loops: the same word or phrase written again and again ("come, come, come, ...").

Whisper decoding greedily or with a beam can fall into repeating a unit until its token budget
runs out. Seen on real speech: fourteen "uh," at one instant, and on accented speech "a meat, a
meat, a meat, ..." over the words that were said. Real speech repeats a unit two or three times
("blah blah blah"); four times running it is a loop, and a phrase of three words or more said
three times running is one too ("see you in the next video" x3). None of the 101 real-speech
development recordings has either outside the decoder's own loops (README, "Long answers").
Hesitations between the repeats do not hide a loop: the decoder strews them into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from simulator.transcribe.base import TimedWord
from simulator.transcribe.hesitations import is_hesitation, normalize_word

LOOP_REPEATS = 4
PHRASE_REPEATS = 3  # for a unit of PHRASE_WORDS words or more
PHRASE_WORDS = 3
MAX_UNIT = 8  # words in the repeated unit ("I'll see you in the next video," is seven)
# Decoding again with no three-token sequence allowed twice breaks a loop deterministically
# (sampling at higher temperatures, Whisper's own fallback, differs from run to run).
NO_REPEAT_NGRAM = 3


@dataclass(frozen=True, slots=True)
class Loop:
    first: int  # index in the words of the loop's first word
    end: int  # index after its last repeat
    keep: int  # index after its first unit: what cut_loops keeps of it


def find_loops(words: Sequence[TimedWord]) -> list[Loop]:
    """Every run of a unit of 1..MAX_UNIT words repeated LOOP_REPEATS times or more (PHRASE_REPEATS
    for a phrase), in order: among all the words ("uh, uh, uh, uh"), then among the words other
    than hesitations, which the decoder strews into a loop of words."""
    loops = _scan(words, list(range(len(words))))
    inside = {i for loop in loops for i in range(loop.first, loop.end)}
    loops += _scan(words, [i for i, w in enumerate(words) if i not in inside and not is_hesitation(w)])
    return sorted(loops, key=lambda loop: loop.first)


def _scan(words: Sequence[TimedWord], indices: list[int]) -> list[Loop]:
    norms = [normalize_word(words[i].text) for i in indices]
    found: list[Loop] = []
    k = 0
    while k < len(norms):
        run = _loop_at(norms, k)
        if run is None:
            k += 1
            continue
        unit, repeats = run
        last = k + unit * repeats  # position in `indices` after the loop
        found.append(Loop(indices[k], indices[last - 1] + 1, indices[k + unit]))
        k = last
    return found


def _loop_at(norms: list[str], i: int) -> tuple[int, int] | None:
    """(unit, repeats) of the loop starting at norms[i], or None."""
    for unit in range(1, MAX_UNIT + 1):
        piece = norms[i:i + unit]
        if len(piece) < unit or not all(piece):
            return None
        k = 1
        while norms[i + k * unit:i + (k + 1) * unit] == piece:
            k += 1
        if k >= (PHRASE_REPEATS if unit >= PHRASE_WORDS else LOOP_REPEATS):
            return unit, k
    return None


def cut_loops(words: Sequence[TimedWord]) -> list[TimedWord]:
    """`words` with every loop cut to its first unit (and the hesitations strewn in it)."""
    out: list[TimedWord] = []
    i = 0
    for loop in find_loops(words):
        out.extend(words[i:loop.keep])
        i = loop.end
    out.extend(words[i:])
    return out
