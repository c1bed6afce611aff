"""The practice loop end to end, on the real audio stack.

`interview-sim practice` runs as its own process: it speaks each question into the virtual
speaker, records the virtual microphone, transcribes and measures. A second process (paplay)
plays a real recorded answer into the microphone once the app says it is listening.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time

import numpy as np
import pytest
import soundfile

from conftest import DATA, VENV_BIN, cli, similarity

pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.slow]

ANSWERS = [DATA / "jfk.wav", DATA / "librivox-0870.wav"]
LISTENING = "Recording: speak now"



def test_practice_records_transcribes_measures_and_replays(virtual_audio, recordings, tmp_path):
    speaker_capture = tmp_path / "speaker.wav"
    capture = subprocess.Popen(["parecord", "--device=speaker.monitor", "--file-format=wav",
                                "--channels=1", "--rate=16000", str(speaker_capture)])
    app = subprocess.Popen(
        [str(VENV_BIN / "interview-sim"), "practice", "--questions", "2", "--seed", "7",
         "--silence-stop", "2", "--max-answer", "60", "--recordings-dir", str(recordings)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    played = 0
    deadline = time.monotonic() + 300
    try:
        for line in app.stdout:
            lines.append(line)
            if LISTENING in line and played < len(ANSWERS):
                time.sleep(0.3)  # a person takes a moment to start
                subprocess.run(["paplay", "--device=mic_feed", str(ANSWERS[played])], check=True, timeout=60)
                played += 1
            assert time.monotonic() < deadline, "practice took too long:\n" + "".join(lines)
        app.wait(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
        capture.terminate()
        capture.wait(10)
    out = "".join(lines)
    assert app.returncode == 0, out + app.stderr.read()
    assert played == 2, out

    # The interviewer's questions really went out through the speaker.
    spoken, _ = soundfile.read(str(speaker_capture), dtype="float32")
    assert np.sqrt(np.mean(spoken ** 2)) > 0.005, "no speech reached the speaker"

    listing = json.loads(cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout)
    assert len(listing) == 1 and listing[0]["status"] == "complete" and listing[0]["answers"] == 2
    session_id = listing[0]["id"]

    from simulator.store import Store

    session = Store(recordings).session(session_id)
    expected_words = [("ask", "country", "fellow"), ("dashwood", "leisure", "power")]
    for answer, played_file, words in zip(session.answers, ANSWERS, expected_words):
        played_s = soundfile.info(str(played_file)).duration
        on_disk = soundfile.info(str(answer.audio))
        # Recorded: the whole answer, then the 2 s of silence that ended it, then little more.
        assert played_s + 1.5 <= on_disk.duration <= played_s + 5.0, (answer.number, on_disk.duration)
        assert answer.stopped_by == "silence"
        transcript = answer.delivery.transcript.lower()
        assert all(w in transcript for w in words), transcript
        assert answer.delivery.word_count >= 15
        assert 60 <= answer.delivery.wpm <= 250
        assert answer.engine == "faster-whisper" and answer.model == "tiny.en"
        assert f"Question {answer.number} of 2" in out

    # Replay the first answer and hear it come out of the speaker.
    replay_capture = tmp_path / "replay.wav"
    capture = subprocess.Popen(["parecord", "--device=speaker.monitor", "--file-format=wav",
                                "--channels=1", "--rate=16000", str(replay_capture)])
    time.sleep(0.3)
    result = cli("replay", session_id, "--answer", "1", "--recordings-dir", str(recordings))
    time.sleep(0.3)
    capture.terminate()
    capture.wait(10)
    assert result.returncode == 0, result.stderr
    assert "country" in result.stdout.lower()
    heard, _ = soundfile.read(str(replay_capture), dtype="float32")
    stored, _ = soundfile.read(str(session.answers[0].audio), dtype="float32")
    assert similarity(heard, stored) > 0.5


def test_the_database_deleted_during_an_answer_is_noticed_and_rebuilt(virtual_audio, recordings):
    """`rm interview-sim.db*` while answer 1 is recorded: the session was lost without a word
    (SQLite wrote on into the deleted file). The next write notices the file is gone, rebuilds it
    from the copy still open, and says so; a database lost after the process ended is rebuilt by
    `recover` from the session's folder."""
    app = subprocess.Popen(
        [str(VENV_BIN / "interview-sim"), "practice", "--questions", "1", "--no-speak", "--silence-stop", "2",
         "--max-answer", "60", "--recordings-dir", str(recordings)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    deleted = False
    try:
        for line in app.stdout:
            lines.append(line)
            if LISTENING in line:  # the question, then its follow-up
                time.sleep(0.3)
                player = subprocess.Popen(["paplay", "--device=mic_feed", str(ANSWERS[0])])
                if not deleted:
                    time.sleep(3.0)  # mid-answer
                    for f in recordings.glob("interview-sim.db*"):
                        f.unlink()
                    deleted = True
                player.wait(60)
        app.wait(timeout=120)
    finally:
        if app.poll() is None:
            app.kill()
    err = app.stderr.read()
    assert app.returncode == 0, "".join(lines) + err
    notes = [l for l in err.splitlines() if "deleted while in use" in l]
    assert len(notes) == 1 and "rebuilt" in notes[0], err
    listing = json.loads(cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout)
    assert [(s["status"], s["answers"]) for s in listing] == [("complete", 2)], listing
    session_id = listing[0]["id"]

    # Lost with no process left to notice: the folder's audio and question notes rebuild it.
    for f in recordings.glob("interview-sim.db*"):
        f.unlink()
    recovered = cli("recover", "--recordings-dir", str(recordings))
    assert recovered.returncode == 0 and session_id in recovered.stdout + recovered.stderr, recovered
    from simulator.store import Store

    session = Store(recordings).session(session_id)
    assert session.status == "incomplete" and len(session.answers) == 2
    for answer in session.answers:
        assert answer.stopped_by == "recovered" and "country" in answer.delivery.transcript.lower()
        assert answer.question.get("text") and answer.question["text"] != "(question not recorded)"
