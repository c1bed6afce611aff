"""Record one answer to disk while it is spoken.

The PortAudio callback only copies blocks into a queue (python-sounddevice's rec_unlimited
pattern); the caller's thread drains the queue, appends to the WAV file, refreshes the file's
header every half second (so a killed process leaves a playable file), and decides when the
answer is over: Enter, silence after speech, the time limit, Ctrl-C, or a lost device.

Whether the person has spoken is decided by the voice-activity model (simulator.audio.vad), in
the drain loop: a beep, a click, a cough or a fan rises above any level threshold, and taking
one of those for the start of the answer let the silence rule end it before the first word.
"""

from __future__ import annotations

import contextlib
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


def record_answer(path: Path, device: int | None, rules: StopRules,
                  listeners: tuple[BlockListener, ...] = (),
                  on_tick: Callable[[float, float, bool], None] | None = None,
                  on_think: Callable[[], None] | None = None) -> RecordedAnswer:
    """Record until a stop rule fires. `on_tick(elapsed_s, level_db, speaking)` drives a meter;
    `on_think()` says something when `rules.think_s` passes without speech (it may play audio:
    what the microphone hears meanwhile is recorded, but not taken for the person speaking)."""
    import soundfile

    sd = sounddevice()
    blocks: queue.Queue[np.ndarray] = queue.Queue()
    overflows = 0
    lost = threading.Event()

    def callback(indata, frames, time_info, status):  # real-time: copy and go
        nonlocal overflows
        if status.input_overflow:
            overflows += 1
        blocks.put(indata[:, 0].copy())

    path.parent.mkdir(parents=True, exist_ok=True)
    gate = LevelGate()  # the meter's level only
    clock = speech_clock()
    thought = False
    frames_written = 0
    stopped_by = "limit"
    message = ""
    try:
        stream = sd.InputStream(samplerate=SAMPLE_RATE, channels=1, dtype="float32", device=device,
                                blocksize=int(SAMPLE_RATE * BLOCK_S), callback=callback,
                                finished_callback=lost.set)
    except (sd.PortAudioError, ValueError) as exc:
        raise EnvironmentProblem(f"cannot open the input device: {exc}",
                                 hint="run `interview-sim devices` and pick one with --input-device") from None
    rules.enter.clear()
    try:
        out = soundfile.SoundFile(str(path), "w", samplerate=SAMPLE_RATE, channels=1, subtype="PCM_16")
    except (soundfile.LibsndfileError, OSError) as exc:
        stream.close()  # opened but never started: release the device
        raise StoreUnwritable(f"cannot create {path}: {getattr(exc, 'error_string', None) or exc}") from None
    with out:
        last_header = last_block = time.monotonic()
        writable = True
        interrupted = threading.Event()
        try:
            with stream, _ctrl_c_sets(interrupted):
                while True:
                    try:
                        block = blocks.get(timeout=0.1)
                    except queue.Empty:
                        block = None
                    if block is not None:
                        last_block = time.monotonic()
                        out.write(block)
                        t = frames_written / SAMPLE_RATE
                        frames_written += block.size
                        for listener in listeners:
                            listener.feed(block, t)
                        gate.is_speech(block)
                        clock.feed(block)
                        if time.monotonic() - last_header >= HEADER_EVERY_S:
                            _commit_header(out)
                            last_header = time.monotonic()
                    elapsed = frames_written / SAMPLE_RATE
                    if on_tick:
                        on_tick(elapsed, gate.level_db, clock.speaking)
                    if interrupted.is_set():
                        stopped_by = "interrupt"
                        break
                    if rules.enter.is_set():
                        stopped_by = "enter"
                        break
                    if rules.cut_in_s is not None and elapsed >= rules.cut_in_s:
                        stopped_by = "cut-in"
                        break
                    if elapsed >= rules.max_s:
                        stopped_by = "limit"
                        break
                    if (rules.silence_stop_s and clock.spoke
                            and elapsed - clock.last_speech_s >= rules.silence_stop_s):
                        stopped_by = "silence"
                        break
                    if (rules.think_s is not None and not thought and not clock.spoke
                            and elapsed >= rules.think_s):
                        thought = True  # once: a patient interviewer does not nag
                        if on_think:
                            on_think()
                            # Blocks queued meanwhile were heard while the prompt played.
                            heard_s = (frames_written + blocks.qsize() * int(SAMPLE_RATE * BLOCK_S)) / SAMPLE_RATE
                            clock.deaf_until_s = heard_s + ECHO_S
                            last_block = time.monotonic()  # the stream ran on: those blocks are queued
                    if lost.is_set() or not stream.active or time.monotonic() - last_block >= STALL_S:
                        stopped_by, message = "device", DEVICE_LOST
                        break
        except KeyboardInterrupt:
            stopped_by = "interrupt"
        except sd.PortAudioError as exc:
            stopped_by, message = "device", f"{DEVICE_LOST} ({exc})"
        except (soundfile.LibsndfileError, OSError) as exc:  # disk full, folder gone
            writable = False
            stopped_by = "disk"
            message = (f"cannot write the recording any more ({getattr(exc, 'error_string', None) or exc}; "
                       f"is the disk full?): this answer ends at {frames_written / SAMPLE_RATE:.1f} s "
                       "and what was saved is kept")
        # Whatever is still queued was recorded: keep it.
        while writable:
            try:
                block = blocks.get_nowait()
            except queue.Empty:
                break
            out.write(block)
            for listener in listeners:
                listener.feed(block, frames_written / SAMPLE_RATE)
            frames_written += block.size
    return RecordedAnswer(path=path, duration_s=round(frames_written / SAMPLE_RATE, 3),
                          stopped_by=stopped_by, overflows=overflows, spoke=clock.spoke, message=message)
