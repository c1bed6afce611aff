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

from simulator.audio.recorder import BlockListener, RecordedAnswer
from simulator.delivery.content import QuestionBrief
from simulator.errors import EnvironmentProblem, Interrupted
from simulator.interview.feedback_writer import FeedbackWriter
from simulator.store import Answer, Session, Store


@dataclass(frozen=True, slots=True)
class Turn:
    """One thing the interviewer says, and whether an answer is expected after it."""

    text: str
    question: dict | None = None  # id, bank, text, category, time_budget_s, strong_answer ...
    number: int | None = None  # the planned question's number; a follow-up has its question's
    cut_in_s: float | None = None  # the interviewer cuts the answer off here (pressure mode)
    cut_in_line: str | None = None  # ... and says this


THINK_PROMPT = "Take your time. Whenever you are ready."


class AnswerSource(Protocol):
    prompt: str  # what the person sees while the answer is being taken
    # Optional: `on_think`, set here to the gentle prompt for a person still thinking.

    def answer(self, turn: Turn, number: int, path: Path, listener: BlockListener) -> RecordedAnswer:
        """Take one answer into `path`, feeding its audio (mono float32, 16 kHz) to `listener`."""


class View(Protocol):
    def interviewer(self, text: str, spoken: bool) -> None: ...
    def question(self, number: int, total: int, turn: Turn) -> None: ...
    def listening(self, text: str) -> None: ...
    def analysing(self) -> None: ...
    def answer(self, answer: Answer, analysis) -> None: ...
    def summary(self, session: Session) -> None: ...
    def warn(self, text: str) -> None: ...
    def model_feedback(self, number: int, feedback) -> None: ...  # the person's model's, when it comes


class Speaker(Protocol):
    def say(self, text: str) -> bool: ...  # False when nothing could be played
    # Optional: `prepare(text)` starts rendering a line that may be said soon.


class Plan(Protocol):
    """What the interviewer says next. `last` is the stored answer to the previous turn when that
    turn was a question (None otherwise), so the plan can react to what was said."""

    turns: list[Turn]  # the planned turns, follow-ups not included
    total: int  # planned questions, follow-ups not included

    def next_turn(self, last: Answer | None) -> Turn | None: ...  # None: the interview is over
    def upcoming(self) -> list[str]: ...  # lines that may be said next, rendered ahead


class FixedPlan:
    """Turns said in order whatever the answers (the demo's plan)."""

    def __init__(self, turns: list[Turn]):
        from dataclasses import replace

        self.turns: list[Turn] = []
        self.total = 0
        for turn in turns:
            if turn.question is not None:
                self.total += 1
                turn = replace(turn, number=turn.number or self.total)
            self.turns.append(turn)
        self._next = 0

    def next_turn(self, last: Answer | None) -> Turn | None:
        if self._next >= len(self.turns):
            return None
        self._next += 1
        return self.turns[self._next - 1]

    def upcoming(self) -> list[str]:
        return [t.text for t in self.turns[self._next: self._next + 1]]


def as_plan(turns: list[Turn] | Plan) -> Plan:
    return FixedPlan(list(turns)) if isinstance(turns, (list, tuple)) else turns


def _prepare(speaker: Speaker, lines: list[str]) -> None:
    prepare = getattr(speaker, "prepare", None)
    if prepare is not None:
        for line in lines:
            prepare(line)


@dataclass
class SessionSettings:
    kind: str  # practice | demo
    bank: str | None = None
    engine: str = "faster-whisper"
    model: str = "tiny.en"
    extra: dict = field(default_factory=dict)


def run_session(store: Store, settings: SessionSettings, turns: list[Turn] | Plan, source: AnswerSource,
                speaker: Speaker, load_transcriber: Callable[[], object], view: View,
                feedback: FeedbackWriter | None = None) -> Session:
    """`turns`: a fixed list of turns, or a Plan (the Interviewer) that picks each next turn.
    `feedback`: the person's own model writing each answer's content feedback, on a worker."""
    plan = as_plan(turns)
    turns = plan.turns
    from simulator.pipeline import AnswerAnalyzer

    from simulator.recovery import owner_info

    # The owner lets a later start tell a live session from one a killed process left behind;
    # the plan lets it say which question a recovered answer was for.
    session = store.new_session(settings.kind, {**asdict(settings), **settings.extra, "owner": owner_info(),
                                                "plan": [t.question for t in turns if t.question is not None]})
    # The model loads while the interviewer speaks: it is ready when the first answer ends.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="model")
    transcriber_future: Future = pool.submit(load_transcriber)
    if hasattr(plan, "on_note"):  # the interviewer's one-line notes (a model's follow-up not used)
        plan.on_note = view.warn
    if feedback is not None:
        feedback.on_note = view.warn
        if hasattr(plan, "before_model"):  # a follow-up asked of the model has the server to itself
            plan.before_model = feedback.clear_way

    def take_feedback(found) -> None:
        for n, written in found:
            store.set_model_feedback(session.id, n, written)
            view.model_feedback(n, written)

    thinking = hasattr(source, "on_think")
    if thinking:
        source.on_think = lambda: _think_prompt(speaker, view)
    last: Answer | None = None
    number = 0
    status = "incomplete"
    analyzer = None
    stored = 0  # answers with a row: the one being taken when a signal comes has only its audio
    ended_by_ctrl_c = False
    interrupted: Interrupted | None = None
    try:
        while (turn := plan.next_turn(last)) is not None:
            if feedback is not None:
                if last is not None:  # its follow-up is decided: the model may write its feedback now
                    feedback.start(last)
                take_feedback(feedback.ready())
            last = None
            if turn.question is None:
                _prepare(speaker, [turn.text, *plan.upcoming()])  # this line first, then the next
                view.interviewer(turn.text, speaker.say(turn.text))
                continue
            number += 1
            view.question(turn.number or number, plan.total, turn)
            speaker.say(turn.text)  # returns when playback has ended: nothing of it is recorded
            # The next lines render while the person answers (and the prompt, in case they need it).
            _prepare(speaker, [*plan.upcoming(), *([THINK_PROMPT] if thinking else [])])
            path = store.answer_path(session.id, number)
            _note_question(path, turn.question)  # so a recovered answer knows its question
            # Transcription runs while the person speaks; only the tail is left when they stop.
            analyzer = AnswerAnalyzer(transcriber_future.result())
            view.listening(source.prompt)
            recorded = source.answer(turn, number, path, analyzer)
            if recorded.stopped_by == "cut-in" and turn.cut_in_line:
                view.interviewer(turn.cut_in_line, speaker.say(turn.cut_in_line))
            if recorded.message:
                view.warn(recorded.message)
            view.analysing()
            analysis = analyzer.finish(file=path.name, time_budget_s=(turn.question or {}).get("time_budget_s"),
                                       input_overflows=recorded.overflows,
                                       question=QuestionBrief.from_question(turn.question))
            answer = Answer(session_id=session.id, number=number, question=turn.question, audio=path,
                            duration_s=recorded.duration_s, stopped_by=recorded.stopped_by,
                            overflows=recorded.overflows, engine=analysis.engine, model=analysis.model,
                            delivery=analysis.delivery)
            store.add_answer(answer)
            stored = number
            view.answer(answer, analysis)
            if feedback is not None:
                take_feedback(feedback.ready())
            last = answer
            if recorded.stopped_by == "interrupt":
                view.warn(f"stopped with Ctrl-C: answer {number} is kept; the session is saved as incomplete")
                ended_by_ctrl_c = True
                break
        else:
            status = "complete"
        if feedback is not None and status == "complete":
            if last is not None:
                feedback.start(last)  # the last answer's: there is no follow-up to wait for
            take_feedback(feedback.finish())
        elif feedback is not None:  # stopped with Ctrl-C: what has come is kept, nothing is waited for
            take_feedback(feedback.ready())
            feedback.cancel()
    except BaseException as exc:
        if feedback is not None:
            feedback.cancel()
        if analyzer is not None:
            analyzer.cancel()  # its transcription is not wanted now: the audio is kept for recovery
        if isinstance(exc, Interrupted):
            interrupted = exc
        raise
    finally:
        kept = store.finish_session(session.id, status)
        pool.shutdown(wait=False, cancel_futures=True)
        if interrupted is not None:
            # A session with no answer and no audio is not kept: the line must not name it.
            interrupted.note = (_kept(session.id, number, stored, store) if kept
                                else "nothing was recorded, so no session was kept")
    session = store.session(session.id)
    view.summary(session)
    if ended_by_ctrl_c:  # the session ended as the person asked, but the process ends as Ctrl-C does
        import signal

        raise Interrupted(signal.SIGINT, f"session {session.id} is saved as incomplete")
    return session


def _kept(session_id: str, number: int, stored: int, store: Store) -> str:
    """What an interrupted session keeps, in words."""
    text = f"session {session_id} is saved as incomplete"
    if number > stored and store.answer_path(session_id, number).exists():
        text += f"; answer {number}'s audio is kept and analysed on the next start"
    return text


def _think_prompt(speaker: Speaker, view: View) -> None:
    """Said while the answer is being recorded: a failing speaker must not end the answer."""
    try:
        spoken = speaker.say(THINK_PROMPT)
    except EnvironmentProblem:
        spoken = False
    view.interviewer(THINK_PROMPT, spoken)


def _note_question(path: Path, question: dict) -> None:
    import json

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.with_suffix(".question.json").write_text(json.dumps(question), encoding="utf-8")
    except (OSError, TypeError, ValueError):
        pass  # only a label for recovery; the plan in the settings is the fallback


class EnterKey:
    """Sets an event each time the person presses Enter (a daemon thread reads stdin)."""

    def __init__(self):
        self.event = threading.Event()
        if sys.stdin is not None and sys.stdin.isatty():
            threading.Thread(target=self._read, daemon=True, name="enter-key").start()

    def _read(self) -> None:
        for _line in sys.stdin:
            self.event.set()
