"""Audio -> timed words -> Delivery: the one path every answer and every analysed file takes.

An `AnswerAnalyzer` is fed the audio block by block, while it is recorded or read. Two workers
keep up with it: the streaming transcriber (chunks cut at pauses) and the voice-activity pass
(energy and pitch per 10 ms frame). When the audio ends only the tail is left to do, so
feedback takes about the same time after any length of answer, and a long file is analysed
in bounded memory.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.audio.io import iter_blocks
from simulator.delivery.analyze import Delivery, analyze
from simulator.delivery.content import QuestionBrief
from simulator.delivery.speech import VoiceActivity, voice_activity
from simulator.transcribe.base import SAMPLE_RATE, Transcriber
from simulator.transcribe.streaming import StreamingTranscriber


@dataclass(slots=True)
class Analysis:
    delivery: Delivery
    engine: str
    model: str
    channels: str | None = None  # a file's: how its channels became one (audio.io.DownMix)

    def to_dict(self) -> dict:
        return {**self.delivery.to_dict(), "engine": self.engine, "model": self.model,
                **({"channels": self.channels} if self.channels else {})}


class AnswerAnalyzer:
    """Feed it blocks (mono float32, 16 kHz) as they arrive; `finish()` gives the Analysis."""

    def __init__(self, transcriber: Transcriber, *, bounded: bool = False):
        self.transcriber = transcriber
        self.stream = StreamingTranscriber(transcriber, max_pending_chunks=2 if bounded else 0)
        self._blocks: queue.Queue = queue.Queue(maxsize=32 if bounded else 0)
        self._activity: VoiceActivity | None = None
        self._error: BaseException | None = None
        self._samples = 0
        self._worker = threading.Thread(target=self._measure, name="voice-activity", daemon=True)
        self._worker.start()

    def feed(self, block: np.ndarray, t: float | None = None) -> None:
        self._samples += block.size
        self.stream.feed(block)
        self._blocks.put(block)

    def words_so_far(self) -> list:
        return self.stream.words_so_far()

    def finish(self, *, file: str | None = None, time_budget_s: float | None = None,
               input_overflows: int = 0, question: QuestionBrief | None = None) -> Analysis:
        self._blocks.put(None)
        words = self.stream.finish()
        self._worker.join()
        if self._error is not None:
            raise self._error
        delivery = analyze(self._activity, words, file=file, duration_s=self._samples / SAMPLE_RATE,
                           time_budget_s=time_budget_s, input_overflows=input_overflows,
                           unheard=[(u.start, u.end) for u in self.stream.unheard if not u.faint],
                           faint=[(u.start, u.end) for u in self.stream.unheard if u.faint], question=question)
        return Analysis(delivery, self.transcriber.engine, self.transcriber.model)

    def cancel(self, timeout: float = 1.0) -> None:
        """Stop both workers without finishing (Ctrl-C, SIGTERM), waiting at most about `timeout`."""
        self.stream.cancel(timeout)
        while True:  # the voice-activity pass is quick: drop what is queued and let it end
            try:
                self._blocks.get_nowait()
            except queue.Empty:
                break
        try:
            self._blocks.put_nowait(None)
        except queue.Full:
            pass
        self._worker.join(timeout)

    def _measure(self) -> None:
        def blocks():
            while (block := self._blocks.get()) is not None:
                yield block

        try:
            self._activity = voice_activity(blocks(), SAMPLE_RATE)
        except BaseException as exc:  # surfaced by finish(), on the caller's thread
            self._error = exc
            for _ in blocks():  # keep draining so feed() never blocks forever
                pass


def analyze_file(path: Path, transcriber: Transcriber, *, time_budget_s: float | None = None,
                 display_name: str | None = None, question: QuestionBrief | None = None) -> Analysis:
    analyzer = AnswerAnalyzer(transcriber, bounded=True)
    channels: list[str] = []
    try:
        for block in iter_blocks(path, block_s=1.0, channels=channels.append):
            analyzer.feed(block)
        analysis = analyzer.finish(file=display_name or str(path), time_budget_s=time_budget_s, question=question)
        analysis.channels = channels[0] if channels else None
        return analysis
    except BaseException:  # a bad file, Ctrl-C: no worker may go on transcribing behind our back
        analyzer.cancel()
        raise
