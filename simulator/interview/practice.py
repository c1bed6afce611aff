"""Answers from the person, through the microphone."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from simulator.audio.recorder import BlockListener, RecordedAnswer, StopRules, record_answer, speech_clock
from simulator.interview.session import EnterKey, Turn


class MicrophoneSource:
    prompt = "● Recording: speak now (press Enter when you have finished)"

    def __init__(self, device: int | None, max_answer_s: float, silence_stop_s: float | None,
                 on_tick: Callable[..., None] | None = None, live: bool = False, think_s: float | None = None):
        self.device = device
        self.max_answer_s = max_answer_s
        self.silence_stop_s = silence_stop_s
        self.think_s = think_s  # no word by then: `on_think` (run_session's gentle prompt), once an answer
        self.on_think: Callable[[], None] | None = None
        self.on_tick = on_tick
        self.live = live  # show running pace and fillers while the person speaks
        self.enter = EnterKey()
        speech_clock()  # the voice-activity model loads now, not in the first answer's first second

    @property
    def introduction(self) -> list[str]:
        """What the person is told before the first question (the engine shows it)."""
        return [f"Answer after each question. Recording stops when you press Enter, after "
                f"{self.silence_stop_s:g} s of silence, or at {self.max_answer_s:g} s. Ctrl-C ends the session."]

    def answer(self, turn: Turn, number: int, path: Path, listener: BlockListener) -> RecordedAnswer:
        rules = StopRules(max_s=self.max_answer_s, silence_stop_s=self.silence_stop_s, enter=self.enter.event,
                          cut_in_s=turn.cut_in_s, think_s=self.think_s)
        return record_answer(path, self.device, rules, listeners=(listener,), on_tick=self._ticker(listener),
                             on_think=self.on_think)

    def _ticker(self, listener: BlockListener) -> Callable[[float, float, bool], None] | None:
        if not (self.live and self.on_tick and hasattr(listener, "words_so_far")):
            return self.on_tick
        from simulator.delivery.live import live_figures

        shown = {"at": -1.0, "figures": None}

        def tick(elapsed: float, level_db: float, speaking: bool) -> None:
            if elapsed - shown["at"] >= 1.0:  # words arrive chunk by chunk: once a second is plenty
                shown["at"], shown["figures"] = elapsed, live_figures(listener.words_so_far())
            self.on_tick(elapsed, level_db, speaking, shown["figures"])

        return tick
