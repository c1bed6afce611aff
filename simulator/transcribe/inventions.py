"""Words the decoder wrote that nobody said, told by the decoder's own evidence.

Whisper ends a window with a closing it has seen a million times at the end of subtitles
("Thank you.", "Thank you very much.", "Okay.", "Bye.", "Mm.") when the audio runs into
silence, static or room tone. Such an ending has a signature in the decoder's numbers: its first
word is improbable (Whisper itself was not sure anything was said), and its words are squeezed
into nothing or stretched over silence. openai-whisper scores the same signature to skip
hallucinated segments (`word_anomaly_score` in its transcribe.py); here it is applied to the
words at the end of each decoded window, where the closings appear.

Words over silence elsewhere are dropped later, against the waveform and the voice model
(`simulator.delivery.alignment`): this module only needs the words.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from simulator.transcribe.base import TimedWord
from simulator.transcribe.hesitations import is_hesitation

IMPROBABLE = 0.15  # a word Whisper gave less than this was, by its own account, likely not there
SHORT_S = 0.133  # shorter than this, a word was squeezed in (openai-whisper's figure)
LONG_S = 2.0  # longer than this, a word was stretched over silence
MAX_ENDING = 8  # words: invented endings are short sentences
_BREAK = re.compile(r"[.!?,…]$")


def anomaly(word: TimedWord) -> float:
    """openai-whisper's score: 1 for an improbable word, more for a squeezed or stretched one."""
    duration = word.end - word.start
    score = 1.0 if word.probability < IMPROBABLE else 0.0
    if duration < SHORT_S:
        score += (SHORT_S - duration) * 15
    if duration > LONG_S:
        score += duration - LONG_S
    return score


def invented_ending(words: Sequence[TimedWord]) -> int:
    """How many words at the end of one decoded window are an invented ending (0 if none).

    An ending is a run of at most MAX_ENDING words that starts a sentence (after a break, or
    the window's first word), opens with an improbable word that is not a hesitation (people
    do end on "uh", and Whisper is rarely sure of one), and scores as openai-whisper's
    anomalous segments do: 3 or more, or as much as its length. The longest such run is taken.
    """
    for k in range(max(0, len(words) - MAX_ENDING), len(words)):
        first = words[k]
        if first.probability >= IMPROBABLE or is_hesitation(first):
            continue
        if k > 0 and not _BREAK.search(words[k - 1].text):
            continue
        run = words[k:]
        score = sum(anomaly(w) for w in run)
        if score >= 3 or score + 0.01 >= len(run):
            return len(words) - k
    return 0


def mark_invented(words: Sequence[TimedWord]) -> list[TimedWord]:
    """The words of one decoded window, with those of an invented ending marked `invented`."""
    n = invented_ending(words)
    return [dataclasses.replace(w, invented=True) if i >= len(words) - n else w for i, w in enumerate(words)]
