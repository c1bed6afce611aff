"""The interviewer's voice: pyttsx3 (espeak-ng) on one thread, played through sounddevice.

pyttsx3 renders each line to a WAV (`save_to_file`) and we play it ourselves. That way the
person's chosen output device is honoured, we know exactly when speech ends (so the question
never leaks into the recorded answer), and the `aplay` trap (espeak's `say()` silently does
nothing without it) cannot bite. One engine lives on one worker thread: pyttsx3 hangs when an
engine is shared across threads.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.errors import EnvironmentProblem

DEFAULT_RATE = 170  # words per minute; set every time (the default varies between processes)
RENDER_TIMEOUT_S = 15.0  # longest wait for one line to be synthesised


@dataclass(frozen=True, slots=True)
class Speech:
    samples: np.ndarray  # float32 mono
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate


class Voice:
    """A voice and a speaking rate. Every Voice renders on the same single TTS thread: pyttsx3
    hands out one shared engine per driver, and that engine hangs or races when two threads
    use it (pyttsx3 issues #126, #403), so voice and rate are set before every line."""

    def __init__(self, rate: int = DEFAULT_RATE, voice: str | None = None):
        self.rate = rate
        self.voice = voice
        self._tmp = tempfile.TemporaryDirectory(prefix="interview-sim-tts-")
        self._count = 0

    def render(self, text: str) -> Future[Speech]:
        """Start rendering `text` on the TTS thread; the Future gives the audio."""
        return _worker().submit(self._render, text)

    def close(self) -> None:
        _worker().submit(lambda: None).result()  # let lines in flight finish with their files
        self._tmp.cleanup()

    def _render(self, text: str) -> Speech:
        import soundfile

        engine = _engine()
        engine.setProperty("rate", self.rate)
        if self.voice:
            engine.setProperty("voice", self.voice)
        self._count += 1
        path = os.path.join(self._tmp.name, f"line-{self._count}.wav")
        done = threading.Event()
        token = engine.connect("finished-utterance", lambda **_kwargs: done.set())
        try:
            engine.save_to_file(text, path)
            engine.runAndWait()
            # The espeak driver's runAndWait can return while espeak still synthesises on its own
            # thread (it does whenever another thread holds the GIL, e.g. the model loading while
            # the greeting renders): the file is whole only once the utterance has finished.
            done.wait(timeout=RENDER_TIMEOUT_S)
        finally:
            engine.disconnect(token)
        try:
            samples, sample_rate = soundfile.read(path, dtype="float32", always_2d=True)
        except (RuntimeError, soundfile.LibsndfileError):
            raise EnvironmentProblem("the text-to-speech engine produced no audio",
                                     hint="check espeak-ng: espeak-ng 'hello'") from None
        finally:
            with contextlib.suppress(OSError):
                os.remove(path)
        return Speech(samples[:, 0].copy(), int(sample_rate))


_WORKER: ThreadPoolExecutor | None = None
_ENGINE = None
_LOCK = threading.Lock()


def _worker() -> ThreadPoolExecutor:
    global _WORKER
    with _LOCK:
        if _WORKER is None:
            _WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts")
        return _WORKER


def _engine():
    """The process's one pyttsx3 engine; only ever touched on the TTS thread."""
    global _ENGINE
    if _ENGINE is None:
        try:
            import pyttsx3

            _ENGINE = pyttsx3.init()
        except (ImportError, OSError, RuntimeError) as exc:
            raise EnvironmentProblem(
                f"text to speech is unavailable ({exc})",
                hint="Debian/Ubuntu: apt-get install espeak-ng libespeak-ng1",
            ) from None
        # The espeak driver prints "Audio saved to ..." after every file. Silence that print in
        # its module alone: redirecting sys.stdout would swallow the whole program's output.
        driver = sys.modules.get("pyttsx3.drivers.espeak")
        if driver is not None:
            driver.print = lambda *args, **kwargs: None
    return _ENGINE


def list_voices() -> list[tuple[str, str]]:
    """(id, name) of every voice the engine offers."""
    import pyttsx3

    engine = pyttsx3.init()
    return [(v.id, v.name) for v in engine.getProperty("voices")]


class Speaker:
    """Says the interviewer's lines aloud on an output device, or reports that it cannot."""

    def __init__(self, voice: Voice, device: int | None, enabled: bool):
        self.voice = voice
        self.device = device
        self.enabled = enabled
        self._ready: dict[str, Future[Speech]] = {}  # lines rendered ahead, by text

    def prepare(self, text: str) -> None:
        """Start rendering a line that may be said soon (on the TTS thread, while the person
        answers), so `say` starts playing at once."""
        if self.enabled and text not in self._ready:
            self._ready[text] = self.voice.render(text)

    def say(self, text: str) -> bool:
        """Speak `text` and return when playback has ended."""
        if not self.enabled:
            return False
        from simulator.audio.playback import play

        future = self._ready.pop(text, None) or self.voice.render(text)
        speech = future.result()
        play(speech.samples, speech.sample_rate, self.device)
        return True
