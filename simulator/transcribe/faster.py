"""faster-whisper (CTranslate2): the default engine. No torch, about 3x faster than openai-whisper."""

from __future__ import annotations

import functools
import os
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import numpy as np

from simulator.audio.level import split_at_pauses
from simulator.transcribe.base import SAMPLE_RATE, TimedWord, join_fragments
from simulator.transcribe.hesitations import merge_hesitations
from simulator.transcribe.inventions import mark_invented
from simulator.transcribe.loops import NO_REPEAT_NGRAM, cut_loops, find_loops
from simulator.transcribe.weights import DEFAULT_MODEL, resolve

# A short, filler-laden prompt makes Whisper write hesitations verbatim instead of cleaning them
# up. The denser the fillers, the more it keeps (measured on espeak answers: 31 of 56 um/uh/erm
# with a sentence-like prompt, 51 with this one). Kept short: long prompts and "I'm ..." openers
# seed loops (docs/sources.md). It costs words, though: on real telephone speech the verbatim
# pass alone had a word error rate of 19% against 14% for plain decoding, and invented endings in
# 22 clips of 61 against 5. Hence two passes (`passes="both"`): plain for the words, verbatim for
# the hesitations only. (Prompts ending on a filler after a full stop, "... yeah. Uh, so.", held the
# synthetic suite under more kernels and beams but made the feedback 0.3 s slower: README, "What
# was tried".)
VERBATIM_PROMPT = "Um, so, uh, I think, erm, we, uh, did it. Umm, and, uh, yeah."
# The longer the window the verbatim pass decodes, the more hesitations it drops, mostly those
# after a sentence end and a pause ("... forty minutes. Uh, I looked"): of the 56 in the synthetic
# answers (15-22 s long), decoded whole it kept 47-51 under int8/float32, beams 5/2 and an AMD
# CPU's kernels; in windows of at most 12 s, 52-54. Windows of 10 s kept 53-55, but a draft of
# 10-12 s then decoded three windows (two verbatim, one plain) instead of one both passes share,
# and an answer that ended during one waited for it: the feedback's median over eight answers
# went from 0.5 s to 1.0 s. At 12 s, the chunker's shortest chunk (ChunkPolicy.min_s), every
# draft and every answer's last piece is one window, and the median is 0.47 s. Windows of 6 or
# 8 s wrote hesitations nobody said. (README, "What was tried" and "Feedback latency".)
VERBATIM_WINDOW_S = 12.0
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
        # Two workers so the two passes over a chunk decode at the same time, one per core: the
        # feedback after an answer waits for the slower pass, not for both in turn. They read
        # the same audio, so the encoder (most of a short chunk's cost) runs once, on every core.
        both = self.passes == "both"
        if both:
            self._model = _two_pass_model()(str(weights.ct2_dir), device="cpu", compute_type=compute_type,
                                                  cpu_threads=1, num_workers=2)
            self._model.shared_encoder = SharedEncoder(str(weights.ct2_dir), compute_type,
                                                       cpu_threads or min(4, os.cpu_count() or 1))
        else:
            self._model = WhisperModel(str(weights.ct2_dir), device="cpu", compute_type=compute_type,
                                       cpu_threads=cpu_threads, num_workers=1)
        self._english_only = weights.name.endswith(".en")
        self._second = ThreadPoolExecutor(1, thread_name_prefix="verbatim-pass") if both else None

    def transcribe(self, audio: np.ndarray, offset: float = 0.0, *, second_look: bool = False) -> Iterator[TimedWord]:
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        if self.passes == "plain":
            return iter(self._pass(audio, offset, verbatim=False, second_look=second_look))
        if self.passes == "verbatim":
            return iter(self._verbatim(audio, offset, second_look))
        return iter(self._both(audio, offset, second_look))

    def _both(self, audio: np.ndarray, offset: float, second_look: bool) -> list[TimedWord]:
        fillers = self._second.submit(self._verbatim, audio, offset, second_look)
        words = self._pass(audio, offset, verbatim=False, second_look=second_look)
        return merge_hesitations(words, fillers.result())

    def _verbatim(self, audio: np.ndarray, offset: float, second_look: bool = False) -> list[TimedWord]:
        """The verbatim pass, over windows of at most VERBATIM_WINDOW_S cut at the longest pauses."""
        words: list[TimedWord] = []
        for start, end in split_at_pauses(audio, VERBATIM_WINDOW_S, SAMPLE_RATE):
            words.extend(self._pass(audio[start:end], offset + start / SAMPLE_RATE, verbatim=True,
                                    second_look=second_look))
        return words

    def _pass(self, audio: np.ndarray, offset: float, *, verbatim: bool, second_look: bool = False) -> list[TimedWord]:
        words = list(join_fragments(self._decode(audio, offset, verbatim=verbatim, second_look=second_look)))
        if find_loops(words):  # the loop ate the words said under it: decode once more, barred from looping
            words = cut_loops(list(join_fragments(self._decode(audio, offset, verbatim=verbatim, second_look=second_look,
                                                               no_repeat_ngram_size=NO_REPEAT_NGRAM))))
        return mark_invented(words)

    def _decode(self, audio: np.ndarray, offset: float, *, verbatim: bool, second_look: bool = False,
                no_repeat_ngram_size: int = 0) -> Iterator[TimedWord]:
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
            no_repeat_ngram_size=no_repeat_ngram_size,
            # Whisper skips a whole window as silence when its "no speech" score is over 0.6 and
            # its text under -1 a token: on noise (a car alarm, line static) that saves inventing
            # a sentence, on accented or quiet speech it lost nineteen seconds of a narrative. A
            # second look at speech the voice model heard (StreamingTranscriber._recheck) skips nothing.
            no_speech_threshold=None if second_look else 0.6,
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


class SharedEncoder:
    """Whisper's encoder output for a window of audio, computed once for both passes.

    On a short chunk the encoder is about half a pass or more (it always reads a full 30 s window):
    on the 2-core Intel Xeon it was first measured on (MKL), 0.39 s on one core and 0.25 s on two,
    against about 0.1 s to decode; on a 2-core AMD EPYC (oneDNN), 0.3-0.4 s on two, against
    0.25 s for one pass's beam search over 8 s of audio (README, "Feedback latency").
    The first pass to reach a window encodes it on every core; the other finds it here.
    """

    def __init__(self, model_dir: str, compute_type: str, threads: int, keep: int = 4):
        import ctranslate2

        self._model = ctranslate2.models.Whisper(model_dir, device="cpu", compute_type=compute_type,
                                                 intra_threads=threads, inter_threads=1)
        self._lock = threading.Lock()
        self._recent: deque = deque(maxlen=keep)  # (features, encoder output), newest last
        self.windows_encoded = self.windows_reused = 0

    def __call__(self, features: np.ndarray):
        import ctranslate2

        with self._lock:  # the other pass waits for the window being encoded rather than redo it
            for seen, output in self._recent:
                if seen.shape == features.shape and np.array_equal(seen, features):
                    self.windows_reused += 1
                    return output
            batch = np.ascontiguousarray(features[np.newaxis] if features.ndim == 2 else features)
            output = self._model.encode(ctranslate2.StorageView.from_array(batch), to_cpu=False)
            self._recent.append((features.copy(), output))
            self.windows_encoded += 1
            return output


@functools.cache
def _two_pass_model():
    """WhisperModel reading its encoder output from a SharedEncoder (made on first use: faster_whisper
    is imported lazily)."""
    from faster_whisper import WhisperModel

    class TwoPassModel(WhisperModel):
        shared_encoder: SharedEncoder

        def encode(self, features: np.ndarray):
            return self.shared_encoder(features)

    return TwoPassModel
