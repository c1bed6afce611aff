"""Ctrl-C and SIGTERM at any moment: exit 130 or 143, one line, the audio and the session kept.

Each test runs `interview-sim` as its own process and sends it a real signal while it works,
including while Whisper transcribes on CTranslate2's native threads, where Python's own
Ctrl-C handling once ended in a segmentation fault (139) or a C++ abort (134).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import DATA, VENV_BIN, cli
from test_reliability import CLIP, Practice, play

pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.slow]

ANSWER_DONE = "transcribed with"  # the last line of an answer's feedback: answer 1 is stored


@pytest.fixture(scope="module")
def long_wav(tmp_path_factory) -> Path:
    """About five minutes of real speech: the test recordings, one after another, repeated."""
    pieces = []
    for name in ("jfk.wav", "librivox-0870.wav", "librivox-0890.wav"):
        samples, rate = soundfile.read(str(DATA / name), dtype="float32")
        assert rate == 16000
        pieces += [samples, np.zeros(rate // 2, np.float32)]
    once = np.concatenate(pieces)
    audio = np.tile(once, int(np.ceil(300 * 16000 / once.size)))[:300 * 16000]
    path = tmp_path_factory.mktemp("long") / "five-minutes.wav"
    soundfile.write(str(path), audio, 16000, subtype="PCM_16")
    return path


class Running:
    """An `interview-sim` process; its output lines are collected, with when each came."""

    def __init__(self, *args: str):
        self.started = time.monotonic()
        self.proc = subprocess.Popen([str(VENV_BIN / "interview-sim"), *args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._new = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self._new:
                self.lines.append(line)
                self._new.notify_all()

    def wait_for(self, text: str, timeout: float = 120) -> None:
        with self._new:
            ok = self._new.wait_for(lambda: any(text in line for line in self.lines) or self.proc.poll() is not None,
                                    timeout)
        assert ok and any(text in line for line in self.lines), f"never printed {text!r}:\n{''.join(self.lines)}"

    def signal_at(self, signum: int, seconds_after_start: float) -> None:
        time.sleep(max(0.0, self.started + seconds_after_start - time.monotonic()))
        self.send(signum)

    def send(self, signum: int) -> None:
        assert self.proc.poll() is None, f"ended before the signal:\n{''.join(self.lines)}{self.proc.stderr.read()}"
        self.sent = time.monotonic()
        self.proc.send_signal(signum)

    def end(self, timeout: float = 30) -> tuple[int, str, float]:
        """Exit code, stderr, and seconds from the signal to the exit."""
        try:
            self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        took = time.monotonic() - self.sent
        self._reader.join(10)
        return self.proc.returncode, self.proc.stderr.read(), took


def assert_clean_end(code: int, err: str, took: float, signum: int, out: str = "") -> str:
    assert code == 128 + signum, f"exit {code} (134: C++ abort, 139: segfault, <0: killed)\n{out}{err}"
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("interview-sim: "), err
    assert "Traceback" not in out + err and "terminate called" not in err
    assert took < 8.0, f"took {took:.1f} s to end after the signal"
    return lines[0]


@pytest.mark.parametrize("signum, at", [(signal.SIGINT, 1.0), (signal.SIGINT, 2.5), (signal.SIGINT, 4.0),
                                        (signal.SIGTERM, 2.5)])
def test_analyze_of_a_long_file_ends_cleanly_at_any_moment(long_wav, signum, at):
    app = Running("analyze", str(long_wav))
    app.signal_at(signum, at)
    code, err, took = app.end()
    line = assert_clean_end(code, err, took, signum, "".join(app.lines))
    assert line == ("interview-sim: interrupted" if signum == signal.SIGINT else "interview-sim: terminated (SIGTERM)")


def db_rows(recordings: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(recordings / "interview-sim.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def assert_kept_and_recoverable(recordings: Path) -> tuple[str, set[int]]:
    """The session and its audio survived the signal, `recover` recovers it and `sessions` lists it.
    Returns the session id and the answer numbers stored."""
    (sid, status), = db_rows(recordings, "SELECT id, status FROM sessions")
    assert status in ("incomplete", "in_progress"), status  # in_progress: recovered on the next start
    wavs = sorted((recordings / sid).glob("answer-*.wav"))
    for wav in wavs:
        info = soundfile.info(str(wav))
        assert info.frames > 0 and info.duration > 1.0, (wav, info)
    recovered = cli("recover", "--recordings-dir", str(recordings), timeout=120)
    assert recovered.returncode == 0 and "Traceback" not in recovered.stderr, recovered.stdout + recovered.stderr
    # Wide, so the table shows whole ids (the 80-column listing is another matter).
    listed = cli("sessions", "--recordings-dir", str(recordings), timeout=120, env={**os.environ, "COLUMNS": "200"})
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert sid in listed.stdout and "incomplete" in listed.stdout, listed.stdout
    assert "Traceback" not in listed.stderr
    (status,), = db_rows(recordings, "SELECT status FROM sessions")
    assert status == "incomplete"
    stored = {n for (n,) in db_rows(recordings, "SELECT number FROM answers")}
    # Every answer whose audio reached the disk is stored, now if not before.
    assert stored == {int(w.stem.split("-")[1]) for w in wavs}, (stored, wavs)
    return sid, stored


def assert_nothing_kept(recordings: Path, line: str) -> None:
    """A session that ended before any answer or audio is not kept (no half-made sessions): no
    row, no folder, and the one line names no session, since none is left to look for."""
    assert db_rows(recordings, "SELECT id FROM sessions") == []
    assert db_rows(recordings, "SELECT number FROM answers") == []
    left = [p.name for p in recordings.iterdir() if p.is_dir()]
    assert left == [], left
    assert line.split(";")[1:] == [" nothing was recorded, so no session was kept"], line


def demo(recordings: Path, *extra: str) -> Running:
    return Running("demo", "--recordings-dir", str(recordings), *extra)


def test_demo_ctrl_c_before_the_first_answer(virtual_audio, recordings):
    app = demo(recordings, "--no-speak")
    app.wait_for("Question 1 of 3")  # the model is loading, the candidate's answer rendering
    app.send(signal.SIGINT)
    code, err, took = app.end()
    line = assert_clean_end(code, err, took, signal.SIGINT, "".join(app.lines))
    assert_nothing_kept(recordings, line)


def wait_for_answer_audio(app: Running, recordings: Path, timeout: float = 120) -> None:
    """The first answer's WAV is written: from now until its feedback, Whisper transcribes it."""
    deadline = time.monotonic() + timeout
    while not list(recordings.glob("*/answer-01.wav")):
        assert app.proc.poll() is None and time.monotonic() < deadline, "".join(app.lines)
        time.sleep(0.01)


@pytest.mark.parametrize("signum, after", [(signal.SIGINT, 0.5), (signal.SIGTERM, 2.0)])
def test_demo_signal_while_the_first_answer_is_transcribed(virtual_audio, recordings, signum, after):
    app = demo(recordings, "--no-speak")
    wait_for_answer_audio(app, recordings)
    time.sleep(after)  # transcribing takes 5 to 8 s here (2 shared cores)
    app.send(signum)
    code, err, took = app.end()
    assert_clean_end(code, err, took, signum, "".join(app.lines))
    assert ANSWER_DONE not in "".join(app.lines), "the signal came after the transcription"
    _sid, stored = assert_kept_and_recoverable(recordings)
    assert stored == {1}  # recovered by `recover` from the WAV the demo wrote


def test_demo_ctrl_c_after_the_first_answer_keeps_it(virtual_audio, recordings):
    app = demo(recordings, "--no-speak")
    app.wait_for(ANSWER_DONE)
    app.send(signal.SIGINT)
    code, err, took = app.end()
    assert_clean_end(code, err, took, signal.SIGINT, "".join(app.lines))
    _sid, stored = assert_kept_and_recoverable(recordings)
    assert 1 in stored
    (stopped_by,), = db_rows(recordings, "SELECT stopped_by FROM answers WHERE number = 1")
    assert stopped_by == "demo"  # stored before the signal, not recovered


def test_demo_second_ctrl_c_during_the_clean_up_ends_at_once(virtual_audio, recordings):
    app = demo(recordings, "--no-speak")
    wait_for_answer_audio(app, recordings)
    time.sleep(3.0)
    app.send(signal.SIGINT)
    time.sleep(0.05)
    if app.proc.poll() is None:
        app.proc.send_signal(signal.SIGINT)
    code, err, took = app.end()
    assert_clean_end(code, err, took, signal.SIGINT, "".join(app.lines))
    assert took < 2.0
    assert_kept_and_recoverable(recordings)


def test_demo_sigterm_while_a_question_is_spoken(virtual_audio, recordings):
    app = demo(recordings)  # the interviewer speaks through the virtual speaker: PortAudio's thread runs
    app.wait_for("Question 1 of 3")
    time.sleep(1.0)
    app.send(signal.SIGTERM)
    code, err, took = app.end()
    line = assert_clean_end(code, err, took, signal.SIGTERM, "".join(app.lines))
    assert_nothing_kept(recordings, line)


def test_practice_sigterm_mid_answer_keeps_the_audio_for_the_next_start(virtual_audio, recordings):
    """Unlike Ctrl-C, SIGTERM does not wait for the answer's analysis: the WAV is closed whole
    and the next start analyses it."""
    app = Practice(recordings, "--questions", "3", "--silence-stop", "5", "--max-answer", "60")
    app.wait_listening()
    player = play(CLIP)
    time.sleep(6.0)
    sent = time.monotonic()
    app.proc.send_signal(signal.SIGTERM)
    code, out, err = app.finish()
    took = time.monotonic() - sent
    player.kill()
    line = assert_clean_end(code, err, took, signal.SIGTERM, out)
    assert "answer 1's audio is kept and analysed on the next start" in line
    sid, stored = assert_kept_and_recoverable(recordings)
    assert stored == {1}
    (stopped_by, duration), = db_rows(recordings, "SELECT stopped_by, duration_s FROM answers")
    assert stopped_by == "recovered" and 4.0 <= duration <= 7.0
    assert soundfile.info(str(recordings / sid / "answer-01.wav")).duration == pytest.approx(duration, abs=0.06)


def test_a_cancelled_stream_drops_its_queue_and_stops_after_the_segment_it_is_on(transcriber, long_wav):
    """What the signal path relies on: no transcription goes on behind the process's back."""
    from simulator.audio.io import iter_blocks
    from simulator.transcribe.streaming import StreamingTranscriber

    stream = StreamingTranscriber(transcriber)  # unbounded, as while recording: every chunk is queued
    for block in iter_blocks(long_wav, block_s=1.0):
        stream.feed(block)
    time.sleep(1.0)
    started = time.monotonic()
    assert stream.cancel(timeout=5.0), "the worker still runs"
    assert time.monotonic() - started < 3.0
    assert stream.chunks_transcribed < 5  # of about 36: the rest of the five minutes was dropped
