"""faster-whisper (CTranslate2): the default engine. No torch, about 3x faster than openai-whisper."""

from __future__ import annotations

from typing import Iterator

import numpy as np

from simulator.transcribe.base import TimedWord, join_fragments
from simulator.transcribe.weights import DEFAULT_MODEL, resolve

# A short, filler-laden prompt makes Whisper write hesitations verbatim instead of cleaning them
# up. The denser the fillers, the more it keeps: on 16 espeak answers (4 voices, 56 um/uh/erm)
# tiny.en int8 beam 5 kept 31 with FACTS.md's "Umm, let me think like, hmm... Okay, here's what
# I'm, like, thinking.", 46 with "Um, uh, hmm, er, ah." and 51 (0.91) with this one, none
# invented; on 16 held-out answers (other scripts, voices and rates) 24 -> 44 of 56 (0.79).
# Chunked as in the app: 35 -> 54 and 30 -> 43. Side effect measured: whole-file decoding
# with 4 s of trailing silence loses about 5% of words (the streaming path never sends
# silence-only tails). Kept short: long prompts and "I'm ..." openers seed loops (FACTS.md).
VERBATIM_PROMPT = "Um, so, uh, I think, erm, we, uh, did it. Umm, and, uh, yeah."


class FasterWhisperTranscriber:
    engine = "faster-whisper"

    def __init__(self, model: str = DEFAULT_MODEL, compute_type: str = "int8", verbatim: bool = True,
                 beam_size: int = 5, cpu_threads: int = 0):
        from faster_whisper import WhisperModel  # lazy: 0.06 s, but only when transcribing

        weights = resolve(model)
        self.model = weights.name
        self.compute_type = compute_type
        self.verbatim = verbatim
        self.beam_size = beam_size
        self._model = WhisperModel(str(weights.ct2_dir), device="cpu", compute_type=compute_type,
                                   cpu_threads=cpu_threads)
        self._english_only = weights.name.endswith(".en")

    def transcribe(self, audio: np.ndarray, offset: float = 0.0) -> Iterator[TimedWord]:
        return join_fragments(self._words(audio, offset))

    def _words(self, audio: np.ndarray, offset: float) -> Iterator[TimedWord]:
        segments, _info = self._model.transcribe(
            np.ascontiguousarray(audio, dtype=np.float32),
            language=None if self._english_only else "en",
            beam_size=self.beam_size,
            word_timestamps=True,
            initial_prompt=VERBATIM_PROMPT if self.verbatim else None,
            condition_on_previous_text=False,  # stops one bad window seeding loops in the next
            vad_filter=False,  # pauses are measured from the waveform; VAD here would hide them
        )
        for segment in segments:
            for w in segment.words or ():
                text = w.word.strip()
                if text:
                    yield TimedWord(text, round(float(w.start) + offset, 3), round(float(w.end) + offset, 3),
                                    round(float(w.probability), 4))
