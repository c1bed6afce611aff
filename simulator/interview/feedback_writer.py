"""The person's own model writes each answer's content feedback on a worker, while the interview goes on.

`start` is called once the follow-up to an answer has been decided (so the follow-up had the
server to itself); the feedback then has its own budget (simulator.delivery.model_feedback.BUDGET_S)
and nothing waits on it. `ready` hands over what has come, without waiting. A feedback not ready
when the model is next asked for a follow-up (`clear_way`) is cancelled, so the follow-up keeps
its 2.5 s; at the session's end `finish` waits at most END_WAIT_S for what is left. Whatever is
not used (refused, slow, malformed, ungrounded, dropped) is said in one line by `on_note`, and
the rules' feedback stands alone.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from simulator.delivery.content import MIN_WORDS, QuestionBrief
from simulator.delivery.model_feedback import BUDGET_S, ModelFeedback, model_feedback, spoken_words
from simulator.llm.endpoint import LocalModel, ModelFailure

END_WAIT_S = 10.0  # at the session's end, the longest wait for a feedback still being written


class _Job:
    def __init__(self, number: int):
        self.number = number
        self.stop = threading.Event()
        self.done = threading.Event()
        self.result: ModelFeedback | None = None
        self.reason = ""


class FeedbackWriter:
    def __init__(self, model: LocalModel, on_note: Callable[[str], None], budget_s: float = BUDGET_S):
        self.model, self.on_note, self.budget_s = model, on_note, budget_s
        self._jobs: list[_Job] = []

    def start(self, answer) -> None:
        """Ask for the feedback on a stored answer (simulator.store.Answer) of at least MIN_WORDS
        words (fillers left out); a shorter one is not sent."""
        d = answer.delivery
        brief = QuestionBrief.from_question(answer.question)
        if d is None or brief is None or len(spoken_words(d.words)) < MIN_WORDS:
            return
        job = _Job(answer.number)

        def run() -> None:
            try:
                job.result = model_feedback(self.model, brief, d.words, self.budget_s, stop=job.stop)
            except ModelFailure as exc:
                job.reason = exc.reason
            finally:
                job.done.set()

        self._jobs.append(job)
        threading.Thread(target=run, daemon=True, name="local-model-feedback").start()

    def ready(self) -> list[tuple[int, ModelFeedback]]:
        """The feedback that has come since last asked, as (answer number, feedback); no wait."""
        out = []
        for job in [j for j in self._jobs if j.done.is_set()]:
            self._jobs.remove(job)
            if job.result is not None:
                out.append((job.number, job.result))
            elif not job.stop.is_set():
                self._not_used(job.number, job.reason)
        return out

    def clear_way(self) -> None:
        """Before a follow-up is asked of the model: a feedback still being written is dropped."""
        for job in [j for j in self._jobs if not j.done.is_set()]:
            self._drop(job, "not ready when your model was asked for the next follow-up")

    def finish(self, wait_s: float = END_WAIT_S) -> list[tuple[int, ModelFeedback]]:
        """At the session's end: what comes within `wait_s`; the rest is dropped, said in one line each."""
        deadline = time.monotonic() + wait_s
        for job in list(self._jobs):
            job.done.wait(max(0.0, deadline - time.monotonic()))
        out = self.ready()
        for job in list(self._jobs):
            self._drop(job, f"not ready {wait_s:g} s after the last answer")
        return out

    def cancel(self) -> None:
        """The session ended abruptly: nothing more is wanted, nothing is said."""
        for job in self._jobs:
            job.stop.set()
        self._jobs.clear()

    def _drop(self, job: _Job, why: str) -> None:
        job.stop.set()
        self._jobs.remove(job)
        self._not_used(job.number, why)

    def _not_used(self, number: int, reason: str) -> None:
        self.on_note(f"your model's feedback on answer {number} was not used ({reason}): the rules' feedback stands")
