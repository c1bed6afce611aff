"""What every transcription engine produces: timed words.

Audio in is always mono float32 at `SAMPLE_RATE`; times out are seconds from the start of
that audio (plus the caller's `offset`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Protocol

import numpy as np

from simulator.audio.format import SAMPLE_RATE  # noqa: F401 - engines read audio in this format


@dataclass(frozen=True, slots=True)
class TimedWord:
    text: str  # as the engine wrote it, surrounding whitespace stripped, punctuation kept
    start: float
    end: float
    probability: float
    # The decoder's own evidence says this word ends the window with something nobody said
    # (transcribe/inventions.py); the alignment drops it.
    invented: bool = False


# Whisper stretches a word over speech it wrote nothing for: on a real caller "you?" lay over 2.3 s
# of "... how are you? Wait a second while I invoke my personal assistant", the rest unwritten.
# A word is said within this much time a letter (and at least SAID_MIN_S): the longest words of
# the LibriVox alignments shipped with the evaluation take 0.12-0.17 s a letter, 0.81 s at most.
SAID_S_PER_LETTER = 0.15
SAID_MIN_S = 0.5


def said_end(word: TimedWord) -> float:
    """Where `word` can have been said by at the latest: its end, or sooner when it is stretched
    past any length a word is said in (speech beyond that is speech with no word)."""
    start, end = min(word.start, word.end), max(word.start, word.end)
    letters = sum(c.isalnum() for c in word.text)
    return min(end, start + max(SAID_MIN_S, SAID_S_PER_LETTER * letters))


@dataclass(slots=True)
class Transcript:
    words: list[TimedWord]
    engine: str
    model: str
    language: str = "en"
    extra: dict = field(default_factory=dict)  # engine-specific facts worth storing

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


class Transcriber(Protocol):
    """An engine with its model loaded. `transcribe` is lazy: words come as they are decoded."""

    engine: str  # "faster-whisper" or "openai-whisper"
    model: str  # a short model name, e.g. "tiny.en"

    def transcribe(self, audio: np.ndarray, offset: float = 0.0, *, second_look: bool = False) -> Iterator[TimedWord]:
        """`second_look`: the audio is speech the voice model heard and a first decoding wrote no
        words for; Whisper's own "no speech" skip, which lost it, is off."""
        ...


# An apostrophe piece that can only end a word: "o" "'clock", "ma" "'am", "it" "'s".
_WORD_END = re.compile(r"^['’](s|t|m|d|re|ve|ll|clock|am)\b", re.IGNORECASE)


def join_fragments(words: Iterable[TimedWord]) -> Iterator[TimedWord]:
    """Whisper sometimes writes one spoken word as two ("mid" "-sized", "5" "%", "o" "'clock"):
    join them, so the word is counted once."""
    held: TimedWord | None = None
    for w in words:
        if held is not None and (w.text.startswith("-") and len(w.text) > 1 or w.text.startswith("%")
                                 or _WORD_END.match(w.text) and held.text[-1:].isalpha()):
            held = TimedWord(held.text + w.text, held.start, w.end, min(held.probability, w.probability),
                              held.invented or w.invented)
            continue
        if held is not None:
            yield held
        held = w
    if held is not None:
        yield held
