"""An interviewer that waits: noises are not an answer, thinking time is allowed, room tone is not speech.

Each test runs `interview-sim practice --questions 2` (a warm-up and a closing: no follow-ups) as
its own process on the virtual audio device and plays, with paplay, real speech and sounds made
here with numpy into the virtual microphone. The first answer is the one under test; the second
is ended with Ctrl-C as soon as it is being recorded.
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import DATA, VENV_BIN, similarity

pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.slow]

RATE = 16000
LISTENING = "Recording: speak now"
PROMPT = "Take your time. Whenever you are ready."
JFK = DATA / "jfk.wav"  # 11 s; speech from 0.3 s to 10.5 s: "... ask not what your country can do for you ..."
SECOND = DATA / "librivox-0870.wav"  # 7.1 s
MAX_WER = 0.15  # tiny.en on the whole clip: 0 to 1 word in 22 wrong ("asked not")
_rng = np.random.default_rng(11)


def db(level: float) -> float:
    return 10 ** (level / 20)


def tone(freq: float, seconds: float, level: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return np.sqrt(2) * db(level) * np.sin(2 * np.pi * freq * t)  # `level` is the RMS


def noise(seconds: float, level: float) -> np.ndarray:
    return db(level) * _rng.standard_normal(int(seconds * RATE))


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE))


def cough() -> np.ndarray:
    """Two loud broadband bursts with sharp attacks and fast decays, then a click: as loud as
    speech, and nothing like it."""
    parts = []
    for _ in range(2):
        n = int(0.18 * RATE)
        burst = np.convolve(_rng.standard_normal(n) * np.exp(-np.arange(n) / (0.04 * RATE)), np.ones(4) / 4, "same")
        parts += [0.25 * burst / np.max(np.abs(burst)), silence(0.1)]
    click = silence(0.05)
    click[:40] = 0.5 * np.sign(_rng.standard_normal(40))
    return np.concatenate(parts + [click])


def clip(path: Path) -> np.ndarray:
    audio, rate = soundfile.read(str(path), dtype="float64")
    assert rate == RATE
    return audio


def wav(path: Path, *parts: np.ndarray) -> Path:
    soundfile.write(str(path), np.clip(np.concatenate(parts), -1, 1).astype(np.float32), RATE)
    return path


class Practice:
    """A running `interview-sim practice --questions 2`, its output collected on a thread."""

    def __init__(self, recordings: Path, *extra: str):
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "interview-sim"), "practice", "--questions", "2", "--seed", "5", "--max-answer", "90",
             "--recordings-dir", str(recordings), *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[tuple[float, str]] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append((time.monotonic(), line))
                self._changed.notify_all()

    def wait_for(self, text: str, count: int = 1, timeout: float = 120) -> float:
        """When the `count`th line containing `text` was printed."""
        with self._changed:
            ok = self._changed.wait_for(lambda: len(self.seen(text)) >= count, timeout)
        assert ok, f"never printed {text!r}:\n{self.output()}"
        return self.seen(text)[count - 1]

    def seen(self, text: str) -> list[float]:
        return [t for t, line in self.lines if text in line]

    def ctrl_c_second_answer(self) -> tuple[int, str]:
        self.wait_for(LISTENING, count=2)
        time.sleep(1.5)  # the recorder has surely opened its stream and taken over Ctrl-C
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(120)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        out = self.output()
        err = self.proc.stderr.read()
        assert self.proc.returncode == 130 and "Traceback" not in out + err, out + err
        return self.proc.returncode, out

    def output(self) -> str:
        return "".join(line for _, line in self.lines)


def play(path: Path) -> subprocess.Popen:
    return subprocess.Popen(["paplay", "--device=mic_feed", str(path)])


def answers(recordings: Path) -> list[tuple[int, str, float, dict]]:
    db_ = sqlite3.connect(recordings / "interview-sim.db")
    try:
        rows = db_.execute("SELECT number, stopped_by, duration_s, delivery FROM answers ORDER BY number").fetchall()
    finally:
        db_.close()
    return [(n, stopped_by, duration, json.loads(delivery)) for n, stopped_by, duration, delivery in rows]


def words(delivery: dict) -> str:
    return " ".join(re.findall(r"[a-z']+", delivery["transcript"].lower()))


def assert_all_words(delivery: dict, *clips: Path) -> None:
    """Every clip's words, in order, in the one answer (as near as tiny.en hears them)."""
    from simulator.transcribe.wer import wer

    reference = " ".join(path.with_suffix(".txt").read_text() for path in clips)
    assert wer(reference, delivery["transcript"]) <= MAX_WER, delivery["transcript"]


def test_a_beep_then_thinking_then_the_answer_is_one_answer(virtual_audio, recordings, tmp_path):
    # The reproduction: a faint beep armed silence-stop, which cut the answer at 3.9 s.
    sound = wav(tmp_path / "beep-think-answer.wav", tone(1000, 0.2, -40), noise(5.0, -60), clip(JFK))
    app = Practice(recordings, "--no-speak", "--silence-stop", "3")
    app.wait_for(LISTENING)
    time.sleep(0.3)
    player = play(sound)
    app.ctrl_c_second_answer()
    player.kill()
    (_, stopped_by, duration, first), (_, _, _, second) = answers(recordings)
    assert_all_words(first, JFK)
    assert stopped_by == "silence"
    # 0.3 + 16.2 s played, speech ends 0.5 s before the end, then the 3 s that stopped it.
    assert 0.3 + 5.2 + 10.5 + 3.0 - 0.5 <= duration <= 0.3 + 16.2 + 3.0 + 2.0, duration
    assert not {"country", "americans"} & set(words(second).split()), second["transcript"]


def test_a_cough_in_the_middle_does_not_end_the_answer(virtual_audio, recordings, tmp_path):
    burst = cough()
    gap = np.concatenate([silence(0.5), burst, silence(1.5 - 0.5 - burst.size / RATE)])
    sound = wav(tmp_path / "answer-cough-answer.wav", clip(JFK), gap, clip(SECOND))
    app = Practice(recordings, "--no-speak", "--silence-stop", "3")
    app.wait_for(LISTENING)
    time.sleep(0.3)
    player = play(sound)
    app.ctrl_c_second_answer()
    player.kill()
    (_, stopped_by, duration, first), _ = answers(recordings)
    assert_all_words(first, JFK, SECOND)
    assert stopped_by == "silence"
    played = 0.3 + 11.0 + 1.5 + 7.1
    assert played + 3.0 - 0.5 <= duration <= played + 3.0 + 2.0, duration


def test_an_answer_over_steady_room_noise_ends_by_silence(virtual_audio, recordings, tmp_path):
    # A fan at -50 dBFS from before the answer to long after it: neither speech nor a reason to wait.
    speech = clip(JFK)
    sound = wav(tmp_path / "answer-in-a-noisy-room.wav", noise(2.0, -50), speech + noise(speech.size / RATE, -50),
                noise(15.0, -50))
    app = Practice(recordings, "--no-speak", "--silence-stop", "3")
    app.wait_for(LISTENING)
    time.sleep(0.3)
    player = play(sound)
    app.ctrl_c_second_answer()
    player.kill()
    (_, stopped_by, duration, first), _ = answers(recordings)
    # The noise costs tiny.en a word or two ("and" for "ask"); the answer is still all there.
    heard = words(first)
    assert "fellow" in heard and "not what your country can do for you" in heard, first["transcript"]
    assert "what you can do for your country" in heard, first["transcript"]
    assert stopped_by == "silence"
    speech_ends = 0.3 + 2.0 + 10.5
    assert speech_ends + 3.0 - 0.5 <= duration <= speech_ends + 3.0 + 2.5, duration


def test_long_thinking_gets_a_gentle_prompt_and_the_same_answer_goes_on(virtual_audio, recordings, tmp_path):
    """Spoken: the prompt must be heard on the speaker, so this one runs with the voice on."""
    from simulator.interview.tts import Voice

    voice = Voice()
    try:
        said = voice.render(PROMPT).result()
    finally:
        voice.close()
    sound = wav(tmp_path / "think-40-s.wav", noise(40.0, -60), clip(JFK))
    app = Practice(recordings, "--silence-stop", "3", "--think-time", "30")
    t_listening = app.wait_for(LISTENING)
    # The question has finished playing: from here the speaker carries only the prompt.
    capture_path = tmp_path / "speaker.wav"
    capture = subprocess.Popen(["parecord", "--device=speaker.monitor", "--file-format=wav", "--channels=1",
                                f"--rate={said.sample_rate}", str(capture_path)])
    time.sleep(0.3)
    player = play(sound)
    try:
        t_prompt = app.wait_for(f"Interviewer: {PROMPT}", timeout=60)
        time.sleep(0.3)
    finally:
        capture.terminate()
        capture.wait(10)
    app.ctrl_c_second_answer()
    player.kill()
    out = app.output()
    # Said once, after the thinking time (the line is printed when it has been said), while the
    # first answer was being recorded.
    assert len(app.seen(PROMPT)) == 1, out
    assert 30.0 <= t_prompt - t_listening <= 30.0 + 2.0 + said.duration_s + 2.0, t_prompt - t_listening
    assert t_prompt < app.seen("Recorded ")[0], out
    heard, _ = soundfile.read(str(capture_path), dtype="float32")
    assert similarity(heard, said.samples) > 0.5, "the prompt was not heard on the speaker"

    (_, stopped_by, duration, first), _ = answers(recordings)
    assert_all_words(first, JFK)
    assert stopped_by == "silence"
    assert 0.3 + 40.0 + 10.5 + 3.0 - 0.5 <= duration <= 0.3 + 51.0 + 3.0 + 2.0, duration
    # The recording was never restarted: the first word is measured from the end of the question.
    assert 40.0 <= first["time_to_first_word_s"] <= 42.0, first["time_to_first_word_s"]
