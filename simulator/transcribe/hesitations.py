"""Hesitation sounds as Whisper spells them, and putting back the ones a plain decoding drops.

Whisper is trained on clean transcripts: decoded plainly it writes the words well and drops
"um" and "uh"; decoded after a prompt full of fillers ("verbatim") it keeps them but loses and
invents words (measured on real telephone speech, README "Benchmark"). So each chunk is decoded
both ways and the verbatim pass contributes its hesitations only: `merge_hesitations`.
"""

from __future__ import annotations

import bisect
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


SAME_HESITATION_S = 0.6  # a plain pass's hesitation this close to a verbatim one is the same sound


def merge_hesitations(words: Sequence[TimedWord], verbatim: Sequence[TimedWord]) -> list[TimedWord]:
    """`words` (a plain decoding) with the hesitations of `verbatim` (a filler-keeping decoding of
    the same audio), each put where the verbatim pass wrote it.

    The verbatim pass is the authority on hesitations: the plain pass's own (rare) ones are kept
    only where the verbatim pass heard none. Each verbatim hesitation is placed next to the
    nearest of its neighbouring words that both passes wrote alike (aligned on their text),
    which is sturdier than its time alone: word times are off by about 100 ms, and plain words
    stretch over the hesitation they dropped.
    """
    heard = [w for w in verbatim if is_hesitation(w) and not w.invented]
    plain = [w for w in words
             if not is_hesitation(w) or all(abs(w.start - h.start) > SAME_HESITATION_S for h in heard)]
    if not heard:
        return plain
    skeleton = [j for j, w in enumerate(verbatim) if not is_hesitation(w)]
    matcher = difflib.SequenceMatcher(a=[normalize_word(w.text) for w in plain],
                                      b=[normalize_word(verbatim[j].text) for j in skeleton], autojunk=False)
    twin: dict[int, int] = {}  # verbatim index -> plain index, for words both passes wrote alike
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            twin[skeleton[block.b + k]] = block.a + k
    anchored = sorted(twin)
    insert_at: dict[int, list[TimedWord]] = {}
    for j, w in enumerate(verbatim):
        if not is_hesitation(w) or w.invented:
            continue
        pos = bisect.bisect_left(anchored, j)
        before = anchored[pos - 1] if pos > 0 else None
        after = anchored[pos] if pos < len(anchored) else None
        if after is not None and before is not None and after - j == j - before:
            # As near in the text on both sides (the verbatim pass may have skipped the words
            # between): the side nearer in time; fillers come before what they delay.
            nearer_after = plain[twin[after]].start - w.end <= w.start - plain[twin[before]].end
            at = twin[after] if nearer_after else twin[before] + 1
        elif after is not None and (before is None or after - j < j - before):
            at = twin[after]
        elif before is not None:
            at = twin[before] + 1
        else:
            at = bisect.bisect_left([p.start for p in plain], w.start)
        insert_at.setdefault(at, []).append(w)
    out: list[TimedWord] = []
    for i in range(len(plain) + 1):
        out.extend(insert_at.get(i, ()))
        if i < len(plain):
            out.append(plain[i])
    return _one_per_pause(out, {id(w) for ws in insert_at.values() for w in ws})


def _one_per_pause(words: list[TimedWord], from_verbatim: set[int]) -> list[TimedWord]:
    """The plain pass's own hesitations dropped where the verbatim pass put one between the same
    two words: the same sound written twice (their times disagree too much to tell)."""
    out: list[TimedWord] = []
    i = 0
    while i < len(words):
        k = i
        while k < len(words) and is_hesitation(words[k]):
            k += 1
        run = words[i:k]
        if any(id(w) in from_verbatim for w in run):
            run = [w for w in run if id(w) in from_verbatim]
        out.extend(run)
        if k < len(words):
            out.append(words[k])
        i = k + 1
    return out
