"""The command line as a person meets it: help everywhere, instant start, one-line errors.

`run` calls a command in this process (milliseconds); `cli` starts the real program, kept for
what only a real process shows (start-up time, imports, devices, the model)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from conftest import DATA, VENV_BIN, cli, run

COMMANDS = ["practice", "demo", "analyze", "replay", "sessions", "recover", "devices", "doctor", "config", "bench",
            "report", "history", "export", "delete", "questions"]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = run(command, "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: interview-sim " + command in result.stdout


def test_top_level_help_lists_every_command():
    result = cli("--help")
    assert result.returncode == 0
    for command in COMMANDS:
        assert command in result.stdout


def test_start_up_does_not_import_heavy_modules():
    # The CLI must start instantly: numpy, faster-whisper, torch and sounddevice load only when
    # a command needs them.
    code = ("import sys; from simulator.cli import build_parser; build_parser(); "
            "heavy = [m for m in ('numpy', 'torch', 'whisper', 'faster_whisper', 'sounddevice', 'ctranslate2', 'av')"
            " if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    start = time.perf_counter()
    assert cli("--help").returncode == 0
    assert time.perf_counter() - start < 2.0  # generous: a loaded CI machine, a cold cache


@pytest.mark.parametrize("args, fragment", [
    (["practice", "--questions", "0"], "greater than zero"),
    (["practice", "--max-answer", "abc"], "not a number"),
    (["practice", "--silence-stop", "nan"], "finite"),
    (["practice", "--think-time", "inf"], "finite"),
    (["practice", "--questions", "51"], "--questions: must be at most 50, not 51"),  # the browser's limits too
    (["plan", "--seed", "-1"], "--seed: must be at least 0, not -1"),
    (["practice", "--voice", "zz/no-such-voice"], "--voice: 'zz/no-such-voice' is not a voice of this machine"),
    (["analyze"], "required"),
    (["nonsense"], "invalid choice"),
    (["demo", "--no-such-option"], "unrecognized arguments"),
])
def test_bad_usage_is_one_line_and_exit_2(args, fragment):
    result = run(*args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3  # argparse's usage line, then the error


@pytest.mark.model
def test_analyze_jfk_json(tmp_path):
    result = cli("analyze", str(DATA / "jfk.wav"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert 20 <= data["word_count"] <= 24
    assert "ask not what your country can do for you" in data["transcript"].lower().replace(",", "")
    for key in ("file", "duration_s", "transcript", "words", "word_count", "speech_s", "wpm",
                "time_to_first_word_s", "pauses", "fillers", "fillers_per_min", "engine", "model"):
        assert key in data
    assert set(data["words"][0]) >= {"text", "start", "end", "probability", "filler"}
    assert set(data["fillers"]) >= {"hesitation", "discourse", "by_phrase"}
    assert all(p["end"] - p["start"] >= 0.25 for p in data["pauses"])
    assert len(data["pauses"]) >= 3  # JFK pauses after "Americans", "not" and "for you"


@pytest.mark.model
def test_analyze_several_files_gives_an_array_and_reports_bad_ones(tmp_path):
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    result = cli("analyze", str(DATA / "jfk.wav"), str(broken), "--json")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert isinstance(data, list) and len(data) == 2
    assert data[0]["word_count"] >= 20
    assert data[1]["file"] == str(broken) and data[1]["error"]


def test_no_colour_escape_codes_with_no_color(tmp_path):
    result = run("config", env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert result.returncode == 0
    assert "\x1b[" not in result.stdout


def test_config_round_trip(tmp_path):
    env = {"INTERVIEW_SIM_CONFIG": str(tmp_path / "c.toml")}
    assert run("config", "set", "rate", "190", env=env).returncode == 0
    shown = json.loads(run("config", "--json", env=env).stdout)
    assert shown["rate"] == 190
    bad = run("config", "set", "rate", "fast", env=env)
    assert bad.returncode == 2 and "whole number" in bad.stderr
    assert json.loads(run("config", "--json", env=env).stdout)["rate"] == 190  # unchanged


def test_a_domain_error_gets_its_hint_and_exit_code_in_one_place():
    """The store raises StoreUnwritable without naming an option; the CLI adds the hint and the
    exit code (the real read-only and full folders are in test_bad_input)."""
    from simulator.cli.errors import explain
    from simulator.errors import SessionNotFound, StoreUnwritable, UserError

    line, code = explain(StoreUnwritable("the recordings folder /x is full"))
    assert code == 1 and line.startswith("the recordings folder /x is full (") and "--recordings-dir" in line
    assert explain(SessionNotFound("no session '1' in /x")) == ("no session '1' in /x", 2)
    assert explain(UserError("bad", exit_code=1, hint="do this")) == ("bad (do this)", 1)


def test_listing_never_recovers_or_loads_a_model(tmp_path):
    """`sessions` on a folder with an abandoned session: listed as it is, nothing analysed."""
    import sys as _sys

    from simulator.store import Store

    store = Store(tmp_path / "rec")
    s = store.new_session("practice", {"owner": {"pid": 2 ** 22 + 7, "host": "gone", "started": 1}})
    store.answer_path(s.id, 1).write_bytes(b"RIFF")
    store._db.execute("UPDATE sessions SET settings = ? WHERE id = ?", ('{"owner": null}', s.id))
    before = set(_sys.modules)
    result = run("sessions", "--json", "--recordings-dir", str(tmp_path / "rec"))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert json.loads(result.stdout)[0]["status"] == "in_progress"
    assert not {"faster_whisper", "ctranslate2", "simulator.recovery", "simulator.pipeline"} & (set(_sys.modules) - before)


@pytest.mark.audio
def test_devices_lists_the_virtual_devices_and_resolves_by_name(virtual_audio):
    result = cli("devices", "--json")
    assert result.returncode == 0, result.stderr
    devices = json.loads(result.stdout)
    names = [d["name"] for d in devices]
    assert "virtual_mic" in names and "default" in names
    from simulator.audio.devices import resolve

    index = next(d["index"] for d in devices if d["name"] == "virtual_mic")
    assert resolve("virtual_mic", "input") == index
    assert resolve(str(index), "input") == index
    from simulator.errors import UserError

    with pytest.raises(UserError, match="no input device named like"):
        resolve("no such microphone", "input")


@pytest.mark.audio
def test_doctor_passes_on_the_virtual_audio_stack(virtual_audio, recordings):
    result = cli("doctor", "--json", "--recordings-dir", str(recordings))
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert result.returncode == 0, checks
    for name in ("PortAudio", "microphone", "speaker", "text to speech", "Whisper model", "recordings folder"):
        assert checks[name]["status"] == "ok", checks[name]


def test_settings_precedence_is_resolved_in_one_place(tmp_path):
    """option > environment (the recordings folder) > saved file > default."""
    from simulator.config import Config, resolve
    from simulator.errors import UserError

    saved = Config(rate=150, recordings_dir="/from/file", voice="gmw/en-GB", engine="openai-whisper")
    got = resolve({"rate": "190", "voice": None, "model": "base"}, {}, saved)
    assert (got.rate, got.voice, got.engine, got.model, got.recordings_dir) == \
        (190, "gmw/en-GB", "openai-whisper", "base", "/from/file")
    assert resolve({}, {"INTERVIEW_SIM_RECORDINGS": "/from/env"}, saved).recordings_dir == "/from/env"
    assert resolve({"recordings_dir": "/opt"}, {"INTERVIEW_SIM_RECORDINGS": "/env"}, saved).recordings_dir == "/opt"
    assert resolve(None, {}, Config()).recordings_dir is None  # the store's default applies
    with pytest.raises(UserError, match="80 and 400"):
        resolve({"rate": "20"}, {}, saved)
    with pytest.raises(UserError, match="needs a folder"):
        resolve({"recordings_dir": " "}, {}, saved)
