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
