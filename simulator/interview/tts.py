"""The interviewer's voice: pyttsx3 (espeak-ng) renders each line, sounddevice plays it.

pyttsx3 renders each line to a WAV (`save_to_file`) and we play it ourselves. That way the
person's chosen output device is honoured, we know exactly when speech ends (so the question
never leaks into the recorded answer), and the `aplay` trap (espeak's `say()` silently does
nothing without it) cannot bite. Each Voice keeps its engine in a helper process of its own
(see `Voice`), driven from one thread.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from simulator.errors import EnvironmentProblem

DEFAULT_RATE = 170  # words per minute; set every time (the default varies between processes)
RENDER_TIMEOUT_S = 15.0  # longest wait for one line to be synthesised
RENDER_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Speech:
    samples: np.ndarray  # float32 mono
    sample_rate: int

    @property
    def duration_s(self) -> float:
        return self.samples.size / self.sample_rate


class Voice:
    """A voice and a speaking rate, rendered by pyttsx3 in a helper process of its own.

    Why a process: pyttsx3's espeak driver runs espeak-ng asynchronously, and a rate or voice
    changed after the first line is applied late or not at all (measured: 5 of 7 rate changes
    in one engine were ignored or lagged). Setting them once, before the first line, in a
    fresh process gives the same audio every time (docs/sources.md: 40 of 40). One helper per Voice
    also keeps each engine on one thread, as pyttsx3 needs.
    """

    def __init__(self, rate: int = DEFAULT_RATE, voice: str | None = None):
        self.rate = rate
        self.voice = voice
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tts")
        self._process: subprocess.Popen | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="interview-sim-tts-")
        self._count = 0

    def render(self, text: str) -> Future[Speech]:
        """Start rendering `text` on this voice's thread; the Future gives the audio."""
        return self._worker.submit(self._render, text)

    def close(self) -> None:
        # Lines rendered ahead are no longer wanted: drop them, and end the helper so a line in
        # flight returns at once (its reader sees end-of-file) instead of holding up the exit.
        self._worker.shutdown(wait=False, cancel_futures=True)
        if self._process is not None:
            with contextlib.suppress(OSError):
                self._process.stdin.close()
            try:
                # An idle helper exits at end-of-file at once; one busy with a line rendered
                # ahead would finish it first, which nobody will hear.
                self._process.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._worker.shutdown(wait=True)
        self._tmp.cleanup()

    def _render(self, text: str) -> Speech:
        import soundfile

        self._count += 1
        path = os.path.join(self._tmp.name, f"line-{self._count}.wav")
        reply = self._ask({"text": text, "path": path})
        if reply != "ok":
            raise EnvironmentProblem(f"text to speech failed: {reply}",
                                     hint="Debian/Ubuntu: apt-get install espeak-ng libespeak-ng1")
        try:
            samples, sample_rate = soundfile.read(path, dtype="float32", always_2d=True)
        except (RuntimeError, soundfile.LibsndfileError):
            raise EnvironmentProblem("the text-to-speech engine produced no audio",
                                     hint="check espeak-ng: espeak-ng 'hello'") from None
        finally:
            with contextlib.suppress(OSError):
                os.remove(path)
        return Speech(samples[:, 0].copy(), int(sample_rate))

    def _ask(self, request: dict) -> str:
        if self._process is None or self._process.poll() is not None:
            args = [sys.executable, "-m", "simulator.interview.tts", "--serve", str(self.rate), self.voice or ""]
            self._process = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, text=True, bufsize=1)
        try:
            self._process.stdin.write(json.dumps(request) + "\n")
            self._process.stdin.flush()
            reply = self._process.stdout.readline().strip()
        except (BrokenPipeError, OSError):
            reply = ""
        if not reply:
            err = self._process.stderr.read().strip().splitlines() if self._process.poll() is not None else []
            return err[-1] if err else "the text-to-speech helper stopped"
        return reply


def _serve(rate: int, voice: str | None) -> None:
    """The helper process: one engine, rate and voice set once, then one line per request."""
    try:
        import pyttsx3

        engine = pyttsx3.init()
    except (ImportError, OSError, RuntimeError) as exc:
        print(f"text to speech is unavailable ({exc})", file=sys.stderr)
        raise SystemExit(1) from None
    # The espeak driver prints "Audio saved to ..." on stdout, which carries our replies.
    driver = sys.modules.get("pyttsx3.drivers.espeak")
    if driver is not None:
        driver.print = lambda *args, **kwargs: None
    engine.setProperty("rate", rate)
    if voice:
        engine.setProperty("voice", voice)
    done = threading.Event()
    engine.connect("finished-utterance", lambda **_kwargs: done.set())
    for line in sys.stdin:
        request = json.loads(line)
        try:
            for _attempt in range(RENDER_ATTEMPTS):
                done.clear()
                engine.save_to_file(request["text"], request["path"])
                engine.runAndWait()
                # runAndWait can return while espeak still synthesises on its own thread: the
                # file is whole only once the utterance has finished.
                if not done.wait(timeout=RENDER_TIMEOUT_S):
                    raise TimeoutError(f"no speech after {RENDER_TIMEOUT_S:.0f} s")
                # The espeak driver sometimes ends a line the moment it starts, on the previous
                # line's end (3 second lines in 24 fresh helpers): an empty file, a silent
                # question. Said again, it comes whole.
                if _frames(request["path"]) > 0:
                    break
            else:
                raise RuntimeError(f"espeak returned no audio {RENDER_ATTEMPTS} times")
            reply = "ok"
        except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
            reply = f"{type(exc).__name__}: {exc}".replace("\n", " ")
        sys.stdout.write(reply + "\n")
        sys.stdout.flush()


def _frames(path: str) -> int:
    import wave

    try:
        with wave.open(path) as f:
            return f.getnframes()
    except (OSError, EOFError, wave.Error):
        return 0


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


if __name__ == "__main__" and sys.argv[1:2] == ["--serve"]:
    _serve(int(sys.argv[2]), (sys.argv[3] or None) if len(sys.argv) > 3 else None)
