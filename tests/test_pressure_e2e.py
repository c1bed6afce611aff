"""Pressure mode end to end, on the real audio stack.

`interview-sim practice --mode pressure` runs as its own process with a bank of short time
budgets. A second process (paplay) answers into the virtual microphone: a short answer draws the
specific-example follow-up (its reason printed), and an answer longer than the shortened budget
is cut in on ("Let me stop you there.", stopped_by "cut-in", the recording as long as the budget).
Also: the recorder's cut-in rule alone, and the spoken question never leaking into an answer.
"""

from __future__ import annotations

import re
import subprocess
import time

import numpy as np
import pytest
import soundfile

from conftest import DATA, VENV_BIN

pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.slow]

LISTENING = "Recording: speak now"
CUT_IN_LINE = "Let me stop you there."
SR = 16_000

BANK = """
[bank]
name = "e2e-pressure"
title = "End to end, short budgets"

[[questions]]
id = "e2e-warm-up"
text = "Thanks for coming in. How are you today?"
category = "warm-up"
difficulty = 1
time_budget_s = 10
strong_answer = "A friendly word or two."

[[questions]]
id = "e2e-hard-problem"
text = "Tell me about a time you solved a hard problem."
category = "problem-solving"
difficulty = 2
time_budget_s = 20
strong_answer = "A specific problem, what you did, and how it turned out."

[[questions]]
id = "e2e-closing"
text = "Do you have any questions for me?"
category = "closing"
difficulty = 1
time_budget_s = 10
strong_answer = "A real question about the role or the team."
"""
# Pressure mode: budgets x 0.6. The follow-up's budget is the question's, capped at 60 s.
MAIN_BUDGET = 12.0
FOLLOW_UP_BUDGET = 12.0


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("clips")
    short = folder / "short.wav"
    subprocess.run(["espeak-ng", "-w", str(short), "I am good at my job."], check=True, timeout=30)
    parts = [soundfile.read(str(DATA / name), dtype="float32")[0]
             for name in ("librivox-0870.wav", "librivox-0890.wav", "jfk.wav")]
    long = folder / "long.wav"
    soundfile.write(str(long), np.concatenate(parts), SR, subtype="PCM_16")
    assert soundfile.info(str(long)).duration > FOLLOW_UP_BUDGET + 8
    return {"short": short, "long": long}


def test_pressure_session_follows_up_a_short_answer_and_cuts_in_on_a_long_one(virtual_audio, recordings,
                                                                           tmp_path, clips):
    bank = tmp_path / "short-budgets.toml"
    bank.write_text(BANK, encoding="utf-8")
    # warm-up, main question, its follow-up, closing
    answers = [clips["short"], clips["short"], clips["long"], clips["short"]]
    app = subprocess.Popen(
        [str(VENV_BIN / "interview-sim"), "practice", "--mode", "pressure", "--questions", "3", "--seed", "4",
         "--bank", str(bank), "--silence-stop", "1.5", "--max-answer", "40", "--recordings-dir", str(recordings)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    played = 0
    player: subprocess.Popen | None = None
    deadline = time.monotonic() + 300
    try:
        for line in app.stdout:
            lines.append(line)
            if LISTENING in line and played < len(answers):
                if player is not None:
                    player.wait(timeout=60)
                time.sleep(0.3)  # a person takes a moment to start
                player = subprocess.Popen(["paplay", "--device=mic_feed", str(answers[played])])
                played += 1
            if CUT_IN_LINE in line and player is not None:
                player.terminate()  # cut off, the person stops talking
            assert time.monotonic() < deadline, "practice took too long:\n" + "".join(lines)
        app.wait(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
        if player is not None and player.poll() is None:
            player.kill()
    out = "".join(lines)
    assert app.returncode == 0, out + app.stderr.read()
    assert played == 4, out

    from simulator.store import Store

    store = Store(recordings)
    session = store.latest()
    assert session.status == "complete", out
    assert session.settings["mode"] == "pressure" and session.settings["seed"] == 4
    assert session.settings["rate"] == 170 + 40  # pressure speaks faster
    assert [a.question.get("role") for a in session.answers] == ["warm-up", "main", "follow-up", "closing"], out
    warm_up, main, follow_up, closing = session.answers

    # The short answer to the main question drew the specific-example follow-up, for a printed reason.
    assert main.question["id"] == "e2e-hard-problem" and main.question["time_budget_s"] == MAIN_BUDGET
    assert main.stopped_by == "silence"
    words = main.delivery.word_count
    assert 1 <= words < 30, main.delivery.transcript
    assert "good" in main.delivery.transcript.lower()
    fq = follow_up.question
    assert fq["text"] == "Can you give me a specific example?"
    assert fq["follow_up_of"] == "e2e-pressure/e2e-hard-problem"
    assert fq["reason"] == f"your answer was short: {words} word{'s' if words != 1 else ''}"
    assert f"(follow-up: {fq['reason']})" in out
    assert re.search(r"Interviewer: Can you give me a specific example\?", out)

    # The over-long answer was cut in on at the budget.
    assert fq["time_budget_s"] == FOLLOW_UP_BUDGET
    assert follow_up.stopped_by == "cut-in"
    assert FOLLOW_UP_BUDGET - 0.05 <= follow_up.duration_s <= FOLLOW_UP_BUDGET + 0.5, follow_up.duration_s
    assert FOLLOW_UP_BUDGET - 0.05 <= soundfile.info(str(follow_up.audio)).duration <= FOLLOW_UP_BUDGET + 0.5
    assert f"Interviewer: {CUT_IN_LINE}" in out
    assert follow_up.delivery.word_count >= 15  # the long answer was heard, and analysed like the rest
    assert out.index(f"Interviewer: {CUT_IN_LINE}") < out.index("Do you have any questions for me?")

    # No follow-up after the warm-up or the closing, though both answers were short; no more than
    # one follow-up per question.
    assert warm_up.stopped_by == closing.stopped_by == "silence"
    assert closing.question["id"] == "e2e-closing" and closing.delivery.word_count >= 1
    assert out.count("(follow-up:") == 1
    for n in (1, 2, 3):
        assert f"Question {n} of 3" in out


def test_recorder_cut_in_rule(virtual_audio, tmp_path):
    from simulator.audio.recorder import StopRules, record_answer

    player = subprocess.Popen(["paplay", "--device=mic_feed", str(DATA / "jfk.wav")])
    try:
        recorded = record_answer(tmp_path / "a.wav", None, StopRules(max_s=8, silence_stop_s=None, cut_in_s=1.5))
    finally:
        player.kill()
        player.wait()
    assert recorded.stopped_by == "cut-in"
    assert 1.5 <= recorded.duration_s <= 1.8
    assert 1.5 <= soundfile.info(str(tmp_path / "a.wav")).duration <= 1.8


def test_spoken_question_never_leaks_into_the_answer(virtual_audio, recordings, tmp_path):
    """Record the speaker itself as the microphone (the worst echo a room could have): when the
    question has finished playing before recording starts, the answer holds nothing of it."""
    bank = tmp_path / "one.toml"
    bank.write_text(BANK, encoding="utf-8")
    speaker_capture = tmp_path / "speaker.wav"
    capture = subprocess.Popen(["parecord", "--device=speaker.monitor", "--file-format=wav",
                                "--channels=1", "--rate=16000", str(speaker_capture)])
    try:
        result = subprocess.run(
            [str(VENV_BIN / "interview-sim"), "practice", "--questions", "1", "--seed", "1", "--bank", str(bank),
             "--input-device", "speaker_monitor", "--max-answer", "1.5", "--recordings-dir", str(recordings)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    finally:
        capture.terminate()
        capture.wait(10)
    assert result.returncode == 0, result.stdout + result.stderr
    heard, _ = soundfile.read(str(speaker_capture), dtype="float32")
    assert np.sqrt(np.mean(heard ** 2)) > 0.005, "the question was not played"

    from simulator.store import Store

    answer = Store(recordings).latest().answers[0]
    assert answer.question["id"] == "e2e-hard-problem"
    audio, rate = soundfile.read(str(answer.audio), dtype="float32")
    first = audio[: int(0.3 * rate)]
    assert first.size == int(0.3 * rate)
    assert np.sqrt(np.mean(first ** 2)) < 1e-3, "the spoken question leaked into the recorded answer"
    assert np.max(np.abs(audio)) < 0.01, "something of the interviewer's voice was recorded"


def test_questions_command_lists_the_banks(tmp_path):
    from conftest import run  # in this process: no device, model or signal here
    import json

    listing = json.loads(run("questions", "--json").stdout)
    assert len(listing) >= 120
    assert len({q["bank"] for q in listing}) >= 10
    assert all(q["bank"] and q["category"] and q["text"] for q in listing)
    own = tmp_path / "mine.toml"
    own.write_text(BANK, encoding="utf-8")
    mine = json.loads(run("questions", "--bank", str(own), "--bank", "closing", "--json").stdout)
    assert {q["bank"] for q in mine} == {"e2e-pressure", "closing"}
    text = run("questions", "--bank", "general").stdout
    assert "Tell me about yourself." in text
    broken = tmp_path / "broken.toml"
    broken.write_text(BANK.replace("time_budget_s = 20", "time_budget_s = -1"), encoding="utf-8")
    result = run("questions", "--bank", str(broken))
    assert result.returncode == 2
    assert re.search(r"broken\.toml:\d+: question \"e2e-hard-problem\": time_budget_s", result.stderr), result.stderr
