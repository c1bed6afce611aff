"""faster-whisper (CTranslate2): the default engine. No torch, about 3x faster than openai-whisper."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import numpy as np

from simulator.transcribe.base import SAMPLE_RATE, TimedWord, join_fragments
from simulator.transcribe.hesitations import merge_hesitations
from simulator.transcribe.inventions import mark_invented
from simulator.transcribe.weights import DEFAULT_MODEL, resolve

# A short, filler-laden prompt makes Whisper write hesitations verbatim instead of cleaning them
# up. The denser the fillers, the more it keeps (measured on espeak answers: 31 of 56 um/uh/erm
# with a sentence-like prompt, 51 with this one). Kept short: long prompts and "I'm ..." openers
# seed loops (docs/sources.md). It costs words, though: on real telephone speech the verbatim
# pass alone had a word error rate of 19% against 14% for plain decoding, and invented endings in
# 22 clips of 61 against 5. Hence two passes (`passes="both"`): plain for the words, verbatim for
# the hesitations only.
VERBATIM_PROMPT = "Um, so, uh, I think, erm, we, uh, did it. Umm, and, uh, yeah."
PASSES = ("both", "plain", "verbatim")
TOKENS_PER_S = 6.0
MAX_TOKENS = 220  # Whisper's own limit is 448 for prompt and text together


class FasterWhisperTranscriber:
    engine = "faster-whisper"

    def __init__(self, model: str = DEFAULT_MODEL, compute_type: str = "int8", verbatim: bool = True,
                 beam_size: int = 5, cpu_threads: int = 0, passes: str | None = None):
        from faster_whisper import WhisperModel  # lazy: 0.06 s, but only when transcribing

        weights = resolve(model)
        self.model = weights.name
        self.compute_type = compute_type
        self.passes = passes or ("both" if verbatim else "plain")
        if self.passes not in PASSES:
            raise ValueError(f"passes must be one of {PASSES}")
        self.verbatim = self.passes != "plain"
        self.beam_size = beam_size
        # Two workers so the two passes over a chunk run at the same time, one per core: the
        # feedback after an answer waits for the slower pass, not for both in turn.
        both = self.passes == "both"
        self._model = WhisperModel(str(weights.ct2_dir), device="cpu", compute_type=compute_type,
                                   cpu_threads=cpu_threads or (1 if both else 0), num_workers=2 if both else 1)
        self._english_only = weights.name.endswith(".en")
        self._second = ThreadPoolExecutor(1, thread_name_prefix="verbatim-pass") if both else None

    def transcribe(self, audio: np.ndarray, offset: float = 0.0) -> Iterator[TimedWord]:
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        if self.passes != "both":
            return iter(self._pass(audio, offset, verbatim=self.passes == "verbatim"))
        return iter(self._both(audio, offset))

    def _both(self, audio: np.ndarray, offset: float) -> list[TimedWord]:
        fillers = self._second.submit(self._pass, audio, offset, verbatim=True)
        words = self._pass(audio, offset, verbatim=False)
        return merge_hesitations(words, fillers.result())

    def _pass(self, audio: np.ndarray, offset: float, *, verbatim: bool) -> list[TimedWord]:
        return mark_invented(list(join_fragments(self._decode(audio, offset, verbatim=verbatim))))

    def _decode(self, audio: np.ndarray, offset: float, *, verbatim: bool) -> Iterator[TimedWord]:
        segments, _info = self._model.transcribe(
            audio,
            language=None if self._english_only else "en",
            beam_size=self.beam_size,
            word_timestamps=True,
            initial_prompt=VERBATIM_PROMPT if verbatim else None,
            condition_on_previous_text=False,  # stops one bad window seeding loops in the next
            vad_filter=False,  # pauses are measured from the waveform; VAD here would hide them
            # No fallback to sampling at higher temperatures: a filler-laden answer often fails
            # the log-probability check, and sampled re-decodes made the output differ from run
            # to run and machine to machine (and took twice the time).
            temperature=0.0,
            # A chunk cannot hold more than about 6 tokens a second of speech; a decoder stuck in
            # a loop ("see you in the next video, see you in ...", seen on phone static) is cut
            # there instead of running to 448 tokens and delaying the feedback.
            max_new_tokens=min(MAX_TOKENS, 16 + int(TOKENS_PER_S * audio.size / SAMPLE_RATE)),
        )
        for segment in segments:
            for w in segment.words or ():
                text = w.word.strip()
                if text:
                    yield TimedWord(text, round(float(w.start) + offset, 3), round(float(w.end) + offset, 3),
                                    round(float(w.probability), 4))
