"""One interview driven from a browser tab, through the same engine as `practice`.

`run_interview` (simulator.app.practice) plans and runs the interview exactly as for the
terminal; only its three ends are the browser's here:
- `BrowserSource` takes each answer from the tab's microphone: 16 kHz mono 16-bit PCM arrives
  over the WebSocket into `BrowserAudio`, a BlockSource that `take_answer` drains into the same
  crash-safe WAV file, the same streaming analysis and the same stop rules as the microphone's;
- `BrowserSpeaker` renders the interviewer's lines with the engine's Voice and has the tab play
  them, waiting until it has;
- `WebView` sends what the terminal would print as JSON events.

The interview runs on a thread of its own; `Channel` is the one link between it and the socket
(the event loop's side puts audio and controls in, the thread's side puts events out).
Closing the tab ends the answer being taken like a lost microphone: its audio is kept, analysed
and stored, and the session ends as incomplete when the interviewer next speaks to nobody.
"""

from __future__ import annotations

import base64
import io
import math
import queue
import threading
import time
from pathlib import Path
from typing import Callable

import numpy as np

from simulator.audio.format import SAMPLE_RATE
from simulator.audio.recorder import (BlockListener, RecordedAnswer, SourceLost, StopRules, speech_clock,
                                      take_answer)
from simulator.errors import EnvironmentProblem

TICK_S = 0.2  # the meter and clock on the page
FIRST_AUDIO_S = 10.0  # the tab must start its microphone within this (permission prompt aside)
STALL_S = 5.0  # then no audio for this long: the tab's microphone is gone
CLOSED = "the browser tab closed or lost its connection: this answer ends here and what was recorded is kept"
_LOST = object()


class Disconnected(Exception):
    """The tab is gone: the interview ends (run_session saves it as incomplete)."""


class Channel:
    """Between the socket (event loop) and the interview (its own thread)."""

    def __init__(self, post: Callable[[object], None]):
        self._post = post  # thread-safe: hands an event (dict) or audio (bytes) to the socket's sender
        self.closed = threading.Event()
        self.finish = threading.Event()  # the "I have finished" button
        self.audio: BrowserAudio | None = None  # the answer being taken, if any
        self._played: queue.Queue = queue.Queue()
        self.analysing_at: float | None = None  # when the last answer ended (for the benchmark)

    # -- the interview's side ----------------------------------------------------------------

    def send(self, event: dict) -> None:
        if not self.closed.is_set():
            self._post(event)

    def wait_played(self, line: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while not self.closed.is_set():
            try:
                if self._played.get(timeout=max(0.0, min(0.5, deadline - time.monotonic()))) == line:
                    return True
            except queue.Empty:
                if time.monotonic() >= deadline:
                    return False
        return False

    # -- the socket's side -------------------------------------------------------------------

    def received_audio(self, data: bytes) -> None:
        target = self.audio
        if target is not None:
            target.received(data)

    def received(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "played":
            self._played.put(message.get("line"))
        elif kind == "finish":
            self.finish.set()
        elif kind == "mic-error" and self.audio is not None:
            self.audio.lost(str(message.get("message") or "the browser's microphone failed")[:300])

    def close(self) -> None:
        self.closed.set()
        target = self.audio
        if target is not None:
            target.lost(CLOSED)
        self._played.put(None)


class BrowserAudio:
    """A BlockSource fed by the tab: what the socket received for this answer, in order.

    A tab may send faster than real time (a fast upload of a recording, a hostile page): no more
    than `limit_s` of audio is ever held, and what comes past it is dropped as it arrives, so the
    answer and the memory it takes stay within the limit whatever is sent."""

    def __init__(self, channel: Channel, limit_s: float):
        self.channel = channel
        self.overflows = 0
        self._blocks: queue.Queue = queue.Queue()  # int16 arrays as received; (_LOST, why) at the end
        self._room = math.ceil(limit_s * SAMPLE_RATE)  # samples this answer may still receive
        self._last = time.monotonic()
        self._started = False

    def received(self, data: bytes) -> None:
        """The socket's side: a message of 16-bit PCM."""
        samples = min(len(data) // 2, self._room)
        if samples > 0:
            self._room -= samples
            self._blocks.put(np.frombuffer(data[: samples * 2], dtype="<i2"))

    def lost(self, why: str) -> None:
        self._blocks.put((_LOST, why))

    def __enter__(self):
        self._last = time.monotonic()
        self.channel.audio = self
        if self.channel.closed.is_set():
            self.lost(CLOSED)
        return self

    def __exit__(self, *exc) -> None:
        self.channel.audio = None

    def get(self, timeout: float) -> np.ndarray | None:
        try:
            item = self._blocks.get(timeout=timeout)
        except queue.Empty:
            item = None
        if isinstance(item, tuple):
            raise SourceLost(item[1])
        if item is not None:
            self._started = True
            self._last = time.monotonic()
            return item.astype(np.float32) / 32768.0
        quiet = time.monotonic() - self._last
        if quiet >= (STALL_S if self._started else FIRST_AUDIO_S):
            raise SourceLost("no audio came from the browser's microphone"
                             + (" any more" if self._started else "") + ": this answer ends here")
        return None

    def get_nowait(self) -> np.ndarray | None:
        while True:
            try:
                item = self._blocks.get_nowait()
            except queue.Empty:
                return None
            if not isinstance(item, tuple):
                return item.astype(np.float32) / 32768.0

    def queued_s(self) -> float:
        return sum(b.size for b in list(self._blocks.queue) if not isinstance(b, tuple)) / SAMPLE_RATE

    def thought(self) -> None:
        self._last = time.monotonic()


class BrowserSource:
    """The AnswerSource of the engine: each answer from the tab's microphone."""

    prompt = "Recording: speak now (or press \"I have finished\")"
    device = "browser"

    def __init__(self, channel: Channel, limits):
        self.channel = channel
        self.limits = limits  # simulator.app.practice.AnswerLimits
        self.on_think: Callable[[], None] | None = None
        speech_clock()  # the voice-activity model loads now, not in the first answer's first second

    def answer(self, turn, number: int, path: Path, listener: BlockListener) -> RecordedAnswer:
        from simulator.delivery.live import live_figures

        rules = StopRules(max_s=self.limits.max_s, silence_stop_s=self.limits.silence_stop_s,
                          cut_in_s=turn.cut_in_s, think_s=self.limits.think_s, enter=self.channel.finish)
        self.channel.send({"type": "listen", "number": number, "max_s": rules.max_s, "cut_in_s": rules.cut_in_s})
        shown = {"tick": -1.0, "figures": -1.0}

        def tick(elapsed: float, level_db: float, speaking: bool) -> None:
            if elapsed - shown["tick"] < TICK_S:
                return
            shown["tick"] = elapsed
            event = {"type": "tick", "elapsed": round(float(elapsed), 2), "level_db": round(float(level_db), 1),
                     "speaking": bool(speaking)}
            if elapsed - shown["figures"] >= 1.0 and hasattr(listener, "words_so_far"):
                shown["figures"] = elapsed  # words arrive chunk by chunk: once a second is plenty
                f = live_figures(listener.words_so_far())
                event.update(words=f.words, wpm=f.wpm, fillers=f.hesitations + f.discourse_fillers)
            self.channel.send(event)

        limit_s = rules.max_s if rules.cut_in_s is None else min(rules.max_s, rules.cut_in_s)
        recorded = take_answer(BrowserAudio(self.channel, limit_s), path, rules, (listener,), on_tick=tick,
                               on_think=self.on_think)
        self.channel.analysing_at = time.monotonic()
        self.channel.send({"type": "stopped", "by": recorded.stopped_by, "duration_s": recorded.duration_s})
        return recorded


class BrowserSpeaker:
    """The interviewer's lines, rendered by pyttsx3 here and played by the tab."""

    def __init__(self, voice, channel: Channel):
        self.voice = voice
        self.channel = channel
        self._ready: dict = {}
        self._lines = 0

    def prepare(self, text: str) -> None:
        if text not in self._ready:
            self._ready[text] = self.voice.render(text)

    def say(self, text: str) -> bool:
        """Have the tab play `text`; returns when it has (False if it could not)."""
        import soundfile

        if self.channel.closed.is_set():
            return False
        try:
            speech = (self._ready.pop(text, None) or self.voice.render(text)).result()
        except EnvironmentProblem as exc:
            self.channel.send({"type": "warn", "text": f"{exc.message}: the question is shown but not spoken"})
            return False
        wav = io.BytesIO()
        soundfile.write(wav, speech.samples, speech.sample_rate, format="WAV", subtype="PCM_16")
        self._lines += 1
        self.channel.send({"type": "say", "line": self._lines, "text": text,
                           "audio": "data:audio/wav;base64," + base64.b64encode(wav.getvalue()).decode("ascii")})
        return self.channel.wait_played(self._lines, speech.duration_s + 10.0)


class WebView:
    """The engine's View, as events for the page. Whatever the interviewer says next to a closed
    tab (a question, a follow-up, the closing line) ends the interview as incomplete; the answer
    already taken is still analysed and stored (those steps never raise here). A prompt said
    during an answer does not: that answer is still being taken, and is kept."""

    def __init__(self, channel: Channel):
        self.channel = channel

    def _turn(self) -> None:
        if self.channel.closed.is_set() and self.channel.audio is None:
            raise Disconnected

    def interviewer(self, text: str, spoken: bool) -> None:
        self._turn()
        self.channel.send({"type": "interviewer", "text": text, "spoken": spoken})

    def question(self, number: int, total: int, turn) -> None:
        self._turn()
        q = turn.question or {}
        self.channel.send({"type": "question", "number": number, "total": total, "text": turn.text,
                           "category": q.get("category"), "budget_s": q.get("time_budget_s"),
                           "reason": q.get("reason") if q.get("follow_up_of") else None,
                           "written_by": q.get("written_by"), "quote": q.get("quote") if q.get("written_by") else None,
                           "why": q.get("why")})

    def listening(self, text: str) -> None:
        self.channel.send({"type": "note", "text": text})

    def analysing(self) -> None:
        self.channel.send({"type": "analysing"})

    def answer(self, answer, analysis) -> None:
        from simulator.report.html import answer_metrics

        d = answer.delivery
        self.channel.send({
            "type": "card", "session": answer.session_id, "number": answer.number,
            "duration_s": answer.duration_s, "stopped_by": answer.stopped_by,
            "transcript": d.transcript if d is not None else "",
            "words": [{"text": w.text, "start": w.start, "end": w.end, "filler": w.filler}
                      for w in (d.words if d is not None else [])],
            "metrics": [{"key": m.key, "label": m.label, "display": m.display, "target": m.target,
                         "status": m.status, "note": m.note} for m in answer_metrics(answer)],
            "content": [{"label": label, "text": text} for label, text in (d.content.points if d is not None else [])],
            "latency_s": (round(time.monotonic() - self.channel.analysing_at, 3)
                          if self.channel.analysing_at is not None else None),
        })

    def model_feedback(self, number: int, feedback) -> None:
        """What the person's model wrote about an answer, when it comes: added to that answer's card."""
        self.channel.send({"type": "model_feedback", "number": number, "mark": feedback.mark,
                           "points": [{"label": label, "text": text} for label, text in feedback.points]})

    def summary(self, session) -> None:
        self.channel.send({"type": "summary", "session": session.id, "status": session.status,
                           "answers": len(session.answers)})

    def warn(self, text: str) -> None:
        self.channel.send({"type": "warn", "text": text})

    def meter(self, *args) -> None:  # the ticks go out from BrowserSource
        pass


def interview(channel: Channel, settings, options, transcriber) -> None:
    """Run one interview for this tab through the engine; a closed tab ends it quietly."""
    from simulator.app.practice import run_interview

    try:
        run_interview(settings, options, lambda limits: BrowserSource(channel, limits),
                      lambda voice: BrowserSpeaker(voice, channel), WebView(channel), transcriber=transcriber)
    except Disconnected:
        pass  # the engine saved the session as incomplete; nobody is there to tell
