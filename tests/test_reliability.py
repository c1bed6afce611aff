"""Never lose an answer: SIGKILL, Ctrl-C, input overflows and a vanishing microphone.

Each test drives `interview-sim practice` as its own process on the virtual audio device and
plays a real recording into the virtual microphone, as tests/test_practice_e2e.py does.
"""

from __future__ import annotations

import json
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

pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.slow]

LISTENING = "Recording: speak now"
CLIP = DATA / "jfk.wav"  # 11 s: "and so my fellow americans ask not what your country can do for you ..."


class Practice:
    """A running `interview-sim practice`, its output collected on a thread."""

    def __init__(self, recordings: Path, *extra: str, env: dict | None = None):
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "interview-sim"), "practice", "--no-speak", "--seed", "3",
             "--recordings-dir", str(recordings), *extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=env)
        self.lines: list[str] = []
        self.listening = threading.Event()
        self.listening_at = 0.0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            if LISTENING in line and not self.listening.is_set():
                self.listening_at = time.monotonic()
                self.listening.set()

    def wait_listening(self, timeout: float = 180) -> float:
        assert self.listening.wait(timeout), "practice never started recording:\n" + self.output()
        return self.listening_at

    def finish(self, timeout: float = 180) -> tuple[int, str, str]:
        try:
            self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
        self._reader.join(10)
        return self.proc.returncode, self.output(), self.proc.stderr.read()

    def output(self) -> str:
        return "".join(self.lines)


def play(path: Path, device: str = "mic_feed") -> subprocess.Popen:
    return subprocess.Popen(["paplay", f"--device={device}", str(path)])


def db_rows(recordings: Path, sql: str, *params) -> list[tuple]:
    db = sqlite3.connect(recordings / "interview-sim.db")
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def words_of(text: str) -> set[str]:
    return {w.strip(".,?!").lower() for w in text.split()}


def test_sigkill_mid_answer_loses_at_most_a_second_and_is_recovered(virtual_audio, recordings):
    app = Practice(recordings, "--questions", "2", "--silence-stop", "5", "--max-answer", "60")
    t0 = app.wait_listening()
    player = play(CLIP)
    time.sleep(6.0)  # about half the clip: "... ask not what your country can do for you"
    t_kill = time.monotonic()
    app.proc.send_signal(signal.SIGKILL)
    player.kill()
    code, out, err = app.finish()
    assert code == -signal.SIGKILL
    elapsed = t_kill - t0

    # Left behind: a session still in progress, its WAV on disk, no answer row.
    (sid, status), = db_rows(recordings, "SELECT id, status FROM sessions")
    assert status == "in_progress"
    assert db_rows(recordings, "SELECT count(*) FROM answers") == [(0,)]
    wav = recordings / sid / "answer-01.wav"
    header_s = soundfile.info(str(wav)).duration  # what the last header refresh promised
    assert header_s >= elapsed - 1.0, (header_s, elapsed)

    # `recover` (as the next practice or demo does when it starts): audio kept, analysed, session
    # incomplete. Listing alone never recovers.
    assert json.loads(cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout)[0]["status"] \
        == "in_progress"
    result = cli("recover", "--recordings-dir", str(recordings))
    assert result.returncode == 0, result.stderr
    notices = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(notices) == 1 and f"recovered session {sid}" in notices[0] and "incomplete" in notices[0], result.stderr
    result = cli("sessions", "--json", "--recordings-dir", str(recordings))
    listing = json.loads(result.stdout)
    assert [(s["id"], s["status"], s["answers"]) for s in listing] == [(sid, "incomplete", 1)]

    from simulator.store import Store

    answer = Store(recordings).session(sid).answers[0]
    recovered_s = soundfile.info(str(answer.audio)).duration
    lost = elapsed - recovered_s
    print(f"\nSIGKILL after {elapsed:.2f} s of recording: header said {header_s:.2f} s, "
          f"recovered {recovered_s:.2f} s, lost at most {lost:.2f} s")
    assert lost <= 1.0, (elapsed, recovered_s)
    assert recovered_s <= elapsed + 0.2
    assert answer.stopped_by == "recovered" and answer.duration_s == pytest.approx(recovered_s, abs=0.01)
    assert answer.question.get("id"), answer.question  # the plan says which question it answered
    heard = words_of(answer.delivery.transcript)
    assert {"fellow", "americans", "ask"} <= heard, answer.delivery.transcript

    # Recovering again changes nothing and says nothing.
    again = cli("sessions", "--json", "--recordings-dir", str(recordings))
    assert again.returncode == 0 and again.stderr.strip() == ""
    assert json.loads(again.stdout) == listing


def test_practice_start_recovers_an_abandoned_session_and_leaves_live_ones(virtual_audio, recordings):
    from simulator.recovery import owner_info
    from simulator.store import Store

    store = Store(recordings)
    dead = subprocess.run(["true"])  # a pid that has exited
    gone_owner = {**owner_info(), "pid": 2 ** 22 - 7, "started": 1}
    abandoned = store.new_session("practice", {"owner": gone_owner, "plan": [{"id": "q1", "text": "Why?"}]})
    live = store.new_session("practice", {"owner": owner_info()})  # this test process: alive
    for sid in (abandoned.id, live.id):
        wav = recordings / sid / "answer-01.wav"
        wav.write_bytes(CLIP.read_bytes())
    store.close()
    del dead

    app = Practice(recordings, "--questions", "1", "--max-answer", "1")
    code, out, err = app.finish()
    assert code == 0, out + err
    assert f"recovered session {abandoned.id}" in out and "1 answer kept" in out, out

    store = Store(recordings)
    got = store.session(abandoned.id)
    assert got.status == "incomplete" and [a.number for a in got.answers] == [1]
    assert got.answers[0].question == {"id": "q1", "text": "Why?"}
    assert "country" in got.answers[0].delivery.transcript.lower()
    assert store.session(live.id).status == "in_progress" and not store.session(live.id).answers
    assert (recordings / live.id / "answer-01.wav").read_bytes() == CLIP.read_bytes()


def test_ctrl_c_mid_answer_keeps_the_answer_and_the_session(virtual_audio, recordings):
    app = Practice(recordings, "--questions", "3", "--silence-stop", "5", "--max-answer", "60")
    t0 = app.wait_listening()
    player = play(CLIP)
    time.sleep(7.0)
    t_int = time.monotonic()
    app.proc.send_signal(signal.SIGINT)
    code, out, err = app.finish()
    player.kill()
    assert code == 130, out + err  # the session ends as asked; the process ends as Ctrl-C does
    assert "Traceback" not in out + err
    assert "stopped with Ctrl-C: answer 1 is kept" in out, out
    (sid, status), = db_rows(recordings, "SELECT id, status FROM sessions")
    assert err.strip() == f"interview-sim: interrupted; session {sid} is saved as incomplete", err
    assert status == "incomplete"
    (number, stopped_by, duration, delivery), = db_rows(
        recordings, "SELECT number, stopped_by, duration_s, delivery FROM answers")
    assert (number, stopped_by) == (1, "interrupt")
    assert t_int - t0 - 1.0 <= duration <= t_int - t0 + 0.2
    assert soundfile.info(str(recordings / sid / "answer-01.wav")).duration == pytest.approx(duration, abs=0.06)
    assert {"fellow", "americans"} <= words_of(json.loads(delivery)["transcript"])


def test_input_overflows_are_counted_stored_and_shown(tmp_path, monkeypatch):
    """PortAudio's overflow flag, given by a stand-in stream, reaches the store and the view."""
    import io

    from rich.console import Console

    from simulator.audio import recorder
    from simulator.interview.session import SessionSettings, Turn, run_session
    from simulator.report.terminal import TerminalView
    from simulator.store import Store

    clip, _ = soundfile.read(str(DATA / "librivox-0890.wav"), dtype="float32")

    class Flags:
        def __init__(self, overflow):
            self.input_overflow = overflow

    class FakeStream:
        """Delivers the clip in 50 ms blocks; every 10th block comes flagged as an overflow."""

        def __init__(self, *, callback, blocksize, finished_callback, **_kw):
            self.callback, self.blocksize, self.finished = callback, blocksize, finished_callback
            self.active = False

        def __enter__(self):
            self.active = True
            for i, start in enumerate(range(0, clip.size, self.blocksize)):
                block = clip[start:start + self.blocksize]
                block = np.pad(block, (0, self.blocksize - block.size))[:, None]
                self.callback(block, self.blocksize, None, Flags(i % 10 == 9))
            return self

        def __exit__(self, *exc):
            self.active = False

    sd = recorder.sounddevice()
    monkeypatch.setattr(sd, "InputStream", FakeStream)

    class Source:
        prompt = LISTENING

        def answer(self, turn, number, path, listener=None):
            rules = recorder.StopRules(max_s=clip.size / 16000 - 0.1, silence_stop_s=None)
            return recorder.record_answer(path, None, rules, listeners=(listener,) if listener else ())

    class Quiet:
        def say(self, text):
            return False

    from simulator import transcribe

    out = io.StringIO()
    view = TerminalView(Console(file=out, width=200))
    store = Store(tmp_path / "rec")
    turns = [Turn("Q?", question={"id": "q", "text": "Q?"})]
    session = run_session(store, SessionSettings(kind="practice"), turns, Source(), Quiet(),
                          lambda: transcribe.load("faster-whisper", "tiny.en"), view)
    answer = session.answers[0]
    expected = clip.size // 800 // 10
    assert answer.overflows == expected > 0
    assert answer.delivery.input_overflows == expected
    assert any(m.key == "input_overflows" and m.value == expected for m in answer.delivery.metrics)
    assert f"input overflows: {expected}" in out.getvalue()
    # And it survives the store: read back from disk by a new process' view.
    again = Store(tmp_path / "rec").session(session.id).answers[0]
    assert again.overflows == expected and again.delivery.input_overflows == expected


@pytest.fixture
def private_sound_server(tmp_path):
    """A PulseAudio daemon of this test's own, with one null sink whose monitor is the default
    microphone: killing it makes the microphone vanish without touching the shared one."""
    home = tmp_path / "pulse"
    run = home / "run"
    run.mkdir(parents=True)
    run.chmod(0o700)
    sock = run / "native"
    env = {**os.environ, "HOME": str(home), "XDG_RUNTIME_DIR": str(run), "PULSE_RUNTIME_PATH": str(run),
           "PULSE_STATE_PATH": str(home)}
    daemon = subprocess.Popen(
        ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--realtime=no", "--high-priority=no",
         f"--log-target=file:{home}/log", f"--load=module-native-protocol-unix socket={sock} auth-anonymous=1",
         "--load=module-null-sink sink_name=mic2", "--load=module-null-sink sink_name=keepalive",
         # keeps the null sink at low latency, so a new recording gets audio at once
         "--load=module-loopback source=mic2.monitor sink=keepalive latency_msec=20"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = {**os.environ, "PULSE_SERVER": f"unix:{sock}"}
    for _ in range(100):
        if subprocess.run(["pactl", "info"], env=client, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    else:
        daemon.kill()
        pytest.fail("the private PulseAudio daemon did not start: " + (home / "log").read_text()[-500:])
    subprocess.run(["pactl", "set-default-source", "mic2.monitor"], env=client, check=True)
    subprocess.run(["pactl", "set-default-sink", "keepalive"], env=client, check=True)
    time.sleep(1.0)  # the loopback settles
    yield daemon, client
    if daemon.poll() is None:
        daemon.kill()
    daemon.wait(10)


def test_microphone_vanishing_mid_answer_ends_it_and_keeps_what_was_recorded(private_sound_server, recordings):
    daemon, env = private_sound_server
    app = Practice(recordings, "--questions", "2", "--silence-stop", "5", "--max-answer", "60", env=env)
    t0 = app.wait_listening()
    player = subprocess.Popen(["paplay", "--device=mic2", str(CLIP)], env=env)
    time.sleep(6.0)
    t_gone = time.monotonic()
    daemon.kill()  # the sound server, and with it the microphone, is gone
    player.kill()
    code, out, err = app.finish(timeout=120)
    assert "Traceback" not in out + err
    assert "the microphone stopped delivering audio" in out, out + err
    # The next question cannot open a microphone: one line, exit 1 (PortAudio's own ALSA
    # diagnostics may precede it on stderr).
    assert code == 1, (code, out, err)
    last = [l for l in err.splitlines() if l.strip()][-1]
    assert last.startswith("interview-sim: cannot open the input device"), err
    (sid, status), = db_rows(recordings, "SELECT id, status FROM sessions")
    assert status == "incomplete"
    (number, stopped_by, duration, delivery), = db_rows(
        recordings, "SELECT number, stopped_by, duration_s, delivery FROM answers")
    assert (number, stopped_by) == (1, "device")
    assert t_gone - t0 - 1.5 <= duration <= t_gone - t0 + 0.2, (duration, t_gone - t0)
    assert soundfile.info(str(recordings / sid / "answer-01.wav")).duration == pytest.approx(duration, abs=0.06)
    assert {"fellow", "americans"} <= words_of(json.loads(delivery)["transcript"])
