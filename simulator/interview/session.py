"""One interview, start to finish: ask, listen, transcribe, measure, store, show.

`practice` records the person through the microphone; `demo` answers with synthesised sample
answers. Both go through the same loop, so the demo proves the real path.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from simulator.audio.recorder import RecordedAnswer
from simulator.store import Answer, Session, Store


@dataclass(frozen=True, slots=True)
class Turn:
    """One thing the interviewer says, and whether an answer is expected after it."""

    text: str
    question: dict | None = None  # id, bank, text, category, time_budget_s, strong_answer ...


class AnswerSource(Protocol):
    prompt: str  # what the person sees while the answer is being taken

    def answer(self, turn: Turn, number: int, path: Path) -> RecordedAnswer: ...


class View(Protocol):
    def interviewer(self, text: str, spoken: bool) -> None: ...
    def question(self, number: int, total: int, turn: Turn) -> None: ...
    def listening(self, text: str) -> None: ...
    def analysing(self) -> None: ...
    def answer(self, answer: Answer, analysis) -> None: ...
    def summary(self, session: Session) -> None: ...
    def warn(self, text: str) -> None: ...


class Speaker(Protocol):
    def say(self, text: str) -> bool: ...  # False when nothing could be played


@dataclass
class SessionSettings:
    kind: str  # practice | demo
    bank: str | None = None
    engine: str = "faster-whisper"
    model: str = "tiny.en"
    extra: dict = field(default_factory=dict)


def run_session(store: Store, settings: SessionSettings, turns: list[Turn], source: AnswerSource,
                speaker: Speaker, load_transcriber: Callable[[], object], view: View) -> Session:
    from simulator.pipeline import analyze_file

    session = store.new_session(settings.kind, {**asdict(settings), **settings.extra})
    # The model loads while the interviewer speaks: it is ready when the first answer ends.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
    transcriber_future: Future = pool.submit(load_transcriber)
    questions = [t for t in turns if t.question is not None]
    number = 0
    status = "incomplete"
    try:
        for turn in turns:
            if turn.question is None:
                view.interviewer(turn.text, speaker.say(turn.text))
                continue
            number += 1
            view.question(number, len(questions), turn)
            speaker.say(turn.text)
            path = store.answer_path(session.id, number)
            view.listening(source.prompt)
            recorded = source.answer(turn, number, path)
            if recorded.message:
                view.warn(recorded.message)
            view.analysing()
            transcriber = transcriber_future.result()
            analysis = analyze_file(path, transcriber,
                                    time_budget_s=(turn.question or {}).get("time_budget_s"),
                                    display_name=path.name)
            answer = Answer(session_id=session.id, number=number, question=turn.question, audio=path,
                            duration_s=recorded.duration_s, stopped_by=recorded.stopped_by,
                            overflows=recorded.overflows, engine=analysis.engine, model=analysis.model,
                            delivery=analysis.to_dict())
            store.add_answer(answer)
            view.answer(answer, analysis)
            if recorded.stopped_by == "interrupt":
                break
        else:
            status = "complete"
    finally:
        store.finish_session(session.id, status)
        pool.shutdown(wait=False, cancel_futures=True)
    session = store.session(session.id)
    view.summary(session)
    return session


class EnterKey:
    """Sets an event each time the person presses Enter (a daemon thread reads stdin)."""

    def __init__(self):
        self.event = threading.Event()
        if sys.stdin is not None and sys.stdin.isatty():
            threading.Thread(target=self._read, daemon=True, name="enter-key").start()

    def _read(self) -> None:
        for _line in sys.stdin:
            self.event.set()
