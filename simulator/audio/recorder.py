"""Record one answer to disk while it is spoken: a source, a crash-safe WAV sink, listeners.

A `BlockSource` delivers blocks into a queue: the PortAudio callback (`MicrophoneStream`, python-
sounddevice's rec_unlimited pattern) or anything else that receives audio (the browser's
WebSocket, in simulator.web). `take_answer` drains the queue on the caller's thread, appends to
a `CrashSafeWav` (its header refreshed every half second, so a killed process leaves a playable
file), feeds the listeners, and lets `AnswerEnd` decide when the answer is over: Enter (or a
button), silence after speech, the time limit, a cut-in, Ctrl-C, or a lost source.

Whether the person has spoken is decided by the voice-activity model (simulator.audio.vad), in
the drain loop: a beep, a click, a cough or a fan rises above any level threshold, and taking
one of those for the start of the answer let the silence rule end it before the first word.
"""

from __future__ import annotations

import contextlib
import math
import queue
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from simulator.audio.devices import sounddevice
from simulator.audio.level import LevelGate
from simulator.audio.vad import SPEECH_PROBABILITY, WINDOW_S, SpeechDetector
from simulator.errors import EnvironmentProblem, StoreUnwritable
from simulator.audio.format import SAMPLE_RATE

BLOCK_S = 0.05
HEADER_EVERY_S = 0.5
STALL_S = 5.0  # no audio for this long from an open stream: the device is gone (first blocks can take 2 s)
DEVICE_LOST = ("the microphone stopped delivering audio (unplugged or switched off?): this answer ends here "
               "and what was recorded is kept")
SPOKEN_S = 1.0  # speech heard before silence may end the answer: no cough or "hmm" is an answer
SPEECH_GOES_ON = SPEECH_PROBABILITY - 0.15  # Silero's own hysteresis: speech ends below this
ECHO_S = 0.3  # after the interviewer's prompt, the room's echo of it is not the person speaking
# libsndfile commands (sndfile.h); soundfile does not name them.
_SFC_UPDATE_HEADER_NOW = 0x1060


class BlockListener(Protocol):
    """Anything that wants the audio as it arrives (a live meter, a streaming transcriber)."""

    def feed(self, block: np.ndarray, t: float) -> None: ...


@dataclass(slots=True)
class RecordedAnswer:
    path: Path
    duration_s: float
    stopped_by: str  # "enter" | "silence" | "limit" | "cut-in" | "interrupt" | "device" | "disk"
    overflows: int  # blocks PortAudio reported lost because the machine fell behind
    spoke: bool  # was real speech heard (SPOKEN_S of it, by the voice-activity model)
    message: str = ""


@dataclass
class StopRules:
    max_s: float = 180.0
    silence_stop_s: float | None = 4.0  # None: never stop on silence
    cut_in_s: float | None = None  # the interviewer cuts in here (pressure mode's time budget)
    think_s: float | None = None  # no speech by then: `on_think` once (a gentle prompt), and listen on
    enter: threading.Event = field(default_factory=threading.Event)


class SpeechClock:
    """How much the person has said, and when they last spoke, in the recording's own time.

    Fed every block in order; Silero decides each 32 ms window: speech starts at
    SPEECH_PROBABILITY and goes on while windows stay above SPEECH_GOES_ON, so the quiet ends of
    words do not count as silence. As Silero's own segmenter does (speech_pad_ms), each stretch of
    speech counts a window more on either side: the soft onset and release of a word fall just
    outside the windows the model is sure of, and a short sentence is barely a second long.
    """

    def __init__(self):
        self.detector = SpeechDetector()
        self.speech_s = 0.0
        self.last_speech_s = 0.0  # end of the last speech window
        self.speaking = False
        self.deaf_until_s = 0.0  # windows before this are not the person (the interviewer's prompt)
        self._padded_at = -1.0  # end of the last release window counted

    @property
    def spoke(self) -> bool:
        return self.speech_s >= SPOKEN_S - 1e-9

    def feed(self, block: np.ndarray) -> None:
        probs = self.detector.feed(block)
        first = self.detector.windows - len(probs)
        for i, p in enumerate(probs):
            end = (first + i + 1) * WINDOW_S
            was_speaking = self.speaking
            self.speaking = end > self.deaf_until_s and p >= (SPEECH_GOES_ON if was_speaking else SPEECH_PROBABILITY)
            if self.speaking:
                # The window before a start is padding, unless it already is the last one's.
                onset = 0.0 if was_speaking or self._padded_at == end - WINDOW_S else WINDOW_S
                self.speech_s += WINDOW_S + onset
                self.last_speech_s = end
            elif was_speaking:
                self.speech_s += WINDOW_S  # the release
                self._padded_at = end


def speech_clock() -> SpeechClock:
    """A fresh SpeechClock; the first call loads the model (0.4 s), so call it once early."""
    try:
        return SpeechClock()
    except Exception as exc:  # onnxruntime or the model asset missing: a broken install
        raise EnvironmentProblem(f"cannot load the voice-activity model: {exc}",
                                 hint="reinstall interview-sim (faster-whisper ships the model)") from None


@contextlib.contextmanager
def _ctrl_c_sets(event: threading.Event):
    """While recording, Ctrl-C sets `event` instead of raising: a KeyboardInterrupt landing
    between writing a block and feeding it to the analysers would leave them out of step."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: event.set())
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _commit_header(out) -> None:
    """Write the current length into the WAV header and flush, so the file on disk is whole."""
    import soundfile

    out.flush()
    soundfile._snd.sf_command(out._file, _SFC_UPDATE_HEADER_NOW, soundfile._ffi.NULL, 0)


class CrashSafeWav:
    """A 16-bit mono WAV file appended block by block, whole on disk every HEADER_EVERY_S."""

    def __init__(self, path: Path):
        import soundfile

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        try:
            self._out = soundfile.SoundFile(str(path), "w", samplerate=SAMPLE_RATE, channels=1, subtype="PCM_16")
        except (soundfile.LibsndfileError, OSError) as exc:
            raise StoreUnwritable(f"cannot create {path}: {getattr(exc, 'error_string', None) or exc}") from None
        self.frames = 0
        self._last_header = time.monotonic()

    @property
    def duration_s(self) -> float:
        return self.frames / SAMPLE_RATE

    def write(self, block: np.ndarray) -> None:
        self._out.write(block)
        self.frames += block.size
        if time.monotonic() - self._last_header >= HEADER_EVERY_S:
            _commit_header(self._out)
            self._last_header = time.monotonic()

    def close(self) -> None:
        self._out.close()


class AnswerEnd:
    """When an answer is over, from the audio heard and the clock: the stop rules of StopRules.

    Fed every block in order (it keeps the SpeechClock); `decide(elapsed_s)` names the rule that
    ends the answer now, or None. Whatever delivers the audio, the same rules apply."""

    def __init__(self, rules: StopRules, clock: SpeechClock | None = None):
        self.rules = rules
        self.clock = clock or speech_clock()
        self.thought = False

    def feed(self, block: np.ndarray) -> None:
        self.clock.feed(block)

    def decide(self, elapsed: float) -> str | None:
        rules, clock = self.rules, self.clock
        if rules.enter.is_set():
            return "enter"
        if rules.cut_in_s is not None and elapsed >= rules.cut_in_s:
            return "cut-in"
        if elapsed >= rules.max_s:
            return "limit"
        if rules.silence_stop_s and clock.spoke and elapsed - clock.last_speech_s >= rules.silence_stop_s:
            return "silence"
        return None

    def time_to_think(self, elapsed: float) -> bool:
        """True once, when `think_s` has passed without speech: a patient interviewer does not nag."""
        if self.rules.think_s is None or self.thought or self.clock.spoke or elapsed < self.rules.think_s:
            return False
        self.thought = True
        return True

    def deaf_until(self, heard_s: float) -> None:
        """Audio up to `heard_s` (plus the room's echo) was heard while the interviewer spoke."""
        self.clock.deaf_until_s = heard_s + ECHO_S


class SourceLost(Exception):
    """The source stopped delivering audio for good (device unplugged, connection closed)."""


class BlockSource(Protocol):
    """Delivers mono float32 blocks at 16 kHz. Used as a context manager around the answer."""

    overflows: int  # blocks lost because the machine fell behind

    def __enter__(self): ...
    def __exit__(self, *exc) -> None: ...
    def get(self, timeout: float) -> np.ndarray | None:
        """The next block, or None after `timeout`; raises SourceLost when no more will come."""
    def queued_s(self) -> float:
        """Audio received but not yet taken."""


class MicrophoneStream:
    """A BlockSource on a PortAudio input stream; its callback only copies blocks into a queue."""

    def __init__(self, device: int | None):
        sd = sounddevice()
        self._sd = sd
        self.overflows = 0
        self._blocks: queue.Queue[np.ndarray] = queue.Queue()
        self._lost = threading.Event()
        self._last_block = time.monotonic()
        try:
            self._stream = sd.InputStream(samplerate=SAMPLE_RATE, channels=1, dtype="float32", device=device,
                                          blocksize=int(SAMPLE_RATE * BLOCK_S), callback=self._callback,
                                          finished_callback=self._lost.set)
        except (sd.PortAudioError, ValueError) as exc:
            raise EnvironmentProblem(f"cannot open the input device: {exc}",
                                     hint="run `interview-sim devices` and pick one with --input-device") from None

    def _callback(self, indata, frames, time_info, status):  # real-time: copy and go
        if status.input_overflow:
            self.overflows += 1
        self._blocks.put(indata[:, 0].copy())

    def close(self) -> None:
        """Release a stream that was opened but never started."""
        self._stream.close()

    def __enter__(self):
        try:
            self._stream.__enter__()
        except self._sd.PortAudioError as exc:
            raise SourceLost(f"{DEVICE_LOST} ({exc})") from None
        self._last_block = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._stream.__exit__(*exc)
        except self._sd.PortAudioError:
            pass  # the device is gone already; what was recorded is kept

    def get(self, timeout: float) -> np.ndarray | None:
        try:
            block = self._blocks.get(timeout=timeout)
        except queue.Empty:
            block = None
        if block is not None:
            self._last_block = time.monotonic()
        elif self._lost.is_set() or not self._stream.active or time.monotonic() - self._last_block >= STALL_S:
            raise SourceLost(DEVICE_LOST)
        return block

    def get_nowait(self) -> np.ndarray | None:
        try:
            return self._blocks.get_nowait()
        except queue.Empty:
            return None

    def queued_s(self) -> float:
        return self._blocks.qsize() * BLOCK_S

    def thought(self) -> None:
        self._last_block = time.monotonic()  # the stream ran on while the prompt played: those blocks are queued


def take_answer(source, path: Path, rules: StopRules, listeners: tuple[BlockListener, ...] = (),
                on_tick: Callable[[float, float, bool], None] | None = None,
                on_think: Callable[[], None] | None = None, clock: SpeechClock | None = None) -> RecordedAnswer:
    """Drain `source` into `path` until a stop rule fires (see `record_answer`)."""
    import soundfile

    gate = LevelGate()  # the meter's level only
    end = AnswerEnd(rules, clock)
    # The limits are on audio time: a source that delivers faster than real time (a browser's
    # socket) gets no more into the answer than the limit, however much it had queued.
    end_at_s = rules.max_s if rules.cut_in_s is None else min(rules.max_s, rules.cut_in_s)
    room = math.ceil(end_at_s * SAMPLE_RATE)
    stopped_by = "limit"
    message = ""
    rules.enter.clear()
    try:
        out = CrashSafeWav(path)
    except StoreUnwritable:
        close = getattr(source, "close", None)
        if close:
            close()  # opened but never started: release the device
        raise

    def feed(block: np.ndarray) -> None:
        block = block[: max(0, room - out.frames)]
        if not block.size:
            return
        t = out.duration_s
        out.write(block)
        for listener in listeners:
            listener.feed(block, t)
        gate.is_speech(block)
        end.feed(block)

    writable = True
    interrupted = threading.Event()
    try:
        try:
            with source, _ctrl_c_sets(interrupted):
                while True:
                    block = source.get(0.1)
                    if block is not None:
                        feed(block)
                    elapsed = end_at_s if out.frames >= room else out.duration_s
                    if on_tick:
                        on_tick(elapsed, gate.level_db, end.clock.speaking)
                    if interrupted.is_set():
                        stopped_by = "interrupt"
                        break
                    if (rule := end.decide(elapsed)) is not None:
                        stopped_by = rule
                        break
                    if end.time_to_think(elapsed) and on_think:
                        on_think()
                        # Blocks queued meanwhile were heard while the prompt played.
                        end.deaf_until(out.duration_s + source.queued_s())
                        if hasattr(source, "thought"):
                            source.thought()
        except KeyboardInterrupt:
            stopped_by = "interrupt"
        except SourceLost as exc:
            stopped_by, message = "device", str(exc)
        except (soundfile.LibsndfileError, OSError) as exc:  # disk full, folder gone
            writable = False
            stopped_by = "disk"
            message = (f"cannot write the recording any more ({getattr(exc, 'error_string', None) or exc}; "
                       f"is the disk full?): this answer ends at {out.duration_s:.1f} s "
                       "and what was saved is kept")
        # Whatever is still queued was recorded: keep it, up to the limit.
        while writable and out.frames < room and (block := source.get_nowait()) is not None:
            block = block[: room - out.frames]
            out.write(block)
            for listener in listeners:
                listener.feed(block, out.duration_s - block.size / SAMPLE_RATE)
    finally:
        out.close()
    return RecordedAnswer(path=path, duration_s=round(out.duration_s, 3), stopped_by=stopped_by,
                          overflows=source.overflows, spoke=end.clock.spoke, message=message)


def record_answer(path: Path, device: int | None, rules: StopRules,
                  listeners: tuple[BlockListener, ...] = (),
                  on_tick: Callable[[float, float, bool], None] | None = None,
                  on_think: Callable[[], None] | None = None) -> RecordedAnswer:
    """Record from the microphone until a stop rule fires. `on_tick(elapsed_s, level_db, speaking)`
    drives a meter; `on_think()` says something when `rules.think_s` passes without speech (it may
    play audio: what the microphone hears meanwhile is recorded, but not taken for the person
    speaking)."""
    clock = speech_clock()  # a broken voice-activity install fails before the device is opened
    return take_answer(MicrophoneStream(device), path, rules, listeners, on_tick, on_think, clock)
