"""Files a person names, the session store and its damage, run as a person runs them: the real
CLI in its own process, a real SQLite file, real devices, pipes, links, mounts and processes."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import DATA, VENV_BIN, cli
from conftest import run as run_here
from test_bad_input import no_audio_env, one_line
from test_store import write_session

from simulator.store import DB_NAME, Store

CLIP = DATA / "jfk.wav"


def run(*args: str, root: Path, **kw) -> subprocess.CompletedProcess:
    return cli(*args, "--recordings-dir", str(root), **kw)


@pytest.fixture
def store_root(tmp_path) -> tuple[Path, list[str]]:
    """Three finished sessions (ids ending -2 and -3 when made in the same second)."""
    root = tmp_path / "rec"
    store = Store(root)
    ids = [write_session(store) for _ in range(3)]
    store.close()
    return root, ids


def listed(root: Path) -> dict[str, int]:
    """What is stored, as `sessions --json` lists it (in this process: a look, not the case under test)."""
    out = run_here("sessions", "--json", "--recordings-dir", str(root))
    assert out.returncode == 0, out.stderr
    return {s["id"]: s["answers"] for s in json.loads(out.stdout)}


# -- 1. writing the files a person names ---------------------------------------------------------

def not_regular_files(tmp_path: Path) -> list[tuple[Path, str]]:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    found = [(fifo, "named pipe")]
    if os.geteuid() == 0:  # CI runs as root, where a rename would replace a device node
        device = tmp_path / "full"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # the same device as /dev/full
        found.append((device, "device"))
    else:
        found.append((Path("/dev/full"), "device"))
    return found


def test_reports_and_exports_never_replace_a_device_or_a_pipe(store_root, tmp_path):
    root, ids = store_root
    for target, kind in not_regular_files(tmp_path):
        before = os.lstat(target)
        for command in (["report", ids[0], "--html", str(target)], ["history", "--html", str(target)],
                        ["export", "--output", str(target)]):
            line = one_line(run(*command, root=root, timeout=60), 2, contains=kind)
            assert "not a regular file" in line
            after = os.lstat(target)
            assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode), command
            assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev), command
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_planted_link_is_never_followed(store_root, tmp_path):
    """The old writer used PATH.tmp: a link planted there sent the report into any file."""
    root, ids = store_root
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    for name, command in (("r.html", ["report", ids[0], "--html"]), ("h.html", ["history", "--html"]),
                          ("e.json", ["export", "--output"])):
        target = out_dir / name
        (out_dir / (name + ".tmp")).symlink_to(victim)
        result = run(*command, str(target), root=root, timeout=60)
        assert result.returncode == 0, result.stderr
        assert victim.read_text() == "precious"
        assert target.is_file() and not target.is_symlink() and target.stat().st_size > 100
        assert (out_dir / (name + ".tmp")).is_symlink()
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        ["r.html", "r.html.tmp", "h.html", "h.html.tmp", "e.json", "e.json.tmp"])  # no temporary left


def test_a_linked_target_is_written_through_and_keeps_its_link(store_root, tmp_path):
    root, _ = store_root
    real = tmp_path / "dotfiles" / "export.json"
    real.parent.mkdir()
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / "export.json"
    link.symlink_to(real)
    assert run("export", "--output", str(link), root=root).returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert len(json.loads(real.read_text())) == 3
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # the file keeps its permissions


def test_config_set_keeps_a_linked_config_file(tmp_path):
    real = tmp_path / "dotfiles" / "interview-sim.toml"
    real.parent.mkdir()
    real.write_text('interviewer = "Sam"\n')
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    env = {**os.environ, "INTERVIEW_SIM_CONFIG": str(link)}
    result = cli("config", "set", "rate", "190", env=env)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert 'rate = 190' in real.read_text() and 'interviewer = "Sam"' in real.read_text()
    assert json.loads(cli("config", "--json", env=env).stdout)["rate"] == 190


# -- 2. unreadable audio, whatever its name --------------------------------------------------------

@pytest.mark.parametrize("suffix", [".flac", ".mp3", ".ogg", ".m4a", ".aac", ".wav"])
@pytest.mark.parametrize("content", ["random bytes", "text"])
def test_unreadable_audio_is_exit_2_whatever_its_name(tmp_path, suffix, content):
    path = tmp_path / f"answer{suffix}"
    if content == "text":
        path.write_text("These are my notes for the interview, not a recording.\n" * 20)
    else:
        path.write_bytes(np.random.default_rng(7).bytes(64_000))
    line = one_line(cli("analyze", str(path), timeout=120), 2, contains=str(path))
    assert "no speech" not in line.lower()


# -- 3. delete needs a whole id ----------------------------------------------------------------------

def test_delete_needs_a_whole_id_or_the_word_latest(store_root):
    root, ids = store_root
    for ref in ("", " ", ids[2][:10], ids[2][:-1], "lat", " latest"):  # in this process: no device or signal
        one_line(run_here("delete", ref, "--yes", "--recordings-dir", str(root)), 2, contains="not a session id")
        assert set(listed(root)) == set(ids), ref
    assert run_here("delete", ids[0], "--yes", "--recordings-dir", str(root)).returncode == 0
    assert set(listed(root)) == set(ids[1:])
    assert run("delete", "latest", "--yes", root=root).returncode == 0  # and once as its own process
    assert set(listed(root)) == {ids[1]}
    assert not (root / ids[0]).exists() and not (root / ids[2]).exists() and (root / ids[1]).is_dir()


# -- 4. damage in the database ------------------------------------------------------------------------

def test_a_damaged_answer_row_is_reported_and_skipped(store_root, tmp_path):
    root, ids = store_root
    db = sqlite3.connect(root / DB_NAME)
    db.execute("UPDATE answers SET delivery = ? WHERE session_id = ? AND number = 2", ('{"wpm": 15', ids[1]))
    db.commit()
    db.close()
    for command in (["sessions"], ["sessions", "--json"], ["history"], ["history", "--json"], ["export"],
                    ["export", "--format", "csv"], ["report", ids[1]], ["report", ids[1], "--html",
                                                                         str(tmp_path / "r.html")]):
        result = run(*command, root=root, timeout=60)
        assert result.returncode == 0, (command, result.stderr)
        warnings = [l for l in result.stderr.splitlines() if l.strip()]
        assert len(warnings) == 1 and ids[1] in warnings[0] and "answer 2" in warnings[0], (command, warnings)
        assert "internal error" not in result.stderr
    assert listed(root) == {ids[0]: 2, ids[1]: 1, ids[2]: 2}
    exported = json.loads(run("export", root=root).stdout)
    assert [len(s["answers"]) for s in exported] == [2, 1, 2]


def test_a_damaged_page_is_one_line_like_a_damaged_header(tmp_path):
    root = tmp_path / "rec"
    store = Store(root)
    for _ in range(60):
        write_session(store)
    store.close()
    data = bytearray((root / DB_NAME).read_bytes())
    assert not (root / (DB_NAME + "-wal")).exists()
    page = 4096
    assert len(data) // page > 20, len(data)
    middle = (len(data) // page // 2) * page
    data[middle:middle + page] = np.random.default_rng(3).bytes(page)
    (root / DB_NAME).write_bytes(bytes(data))
    for command in (["sessions"], ["history"], ["export"]):  # each reads every session
        line = one_line(run(*command, root=root, timeout=60), 2, contains="not a usable session database")
        assert "internal error" not in line

    header = tmp_path / "header"
    header.mkdir()
    (header / DB_NAME).write_bytes(b"\xff" * 100 + bytes(data[100:]))
    damaged_header = one_line(run("sessions", root=header), 2)
    assert damaged_header.split(" (")[0].endswith("not a usable session database")


# -- 5. delete keeps everything when it cannot remove everything ------------------------------------

@pytest.fixture
def mounted(tmp_path):
    """A tmpfs mounted on a folder (the tests run as root in CI): it cannot be moved or removed."""
    points: list[Path] = []

    def mount(point: Path) -> None:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], check=True)
        points.append(point)

    yield mount
    for point in points:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_delete_of_a_folder_that_cannot_be_removed_keeps_the_rows(store_root, mounted):
    root, ids = store_root
    folder = root / ids[1]
    audio = (folder / "answer-01.wav").read_bytes()
    mounted(folder)  # the audio is now under a mount point: renaming or removing it fails
    (folder / "answer-01.wav").write_bytes(audio)
    line = one_line(run("delete", ids[1], "--yes", root=root), 1, contains="cannot be removed")
    assert "nothing was deleted" in line
    assert listed(root) == {ids[0]: 2, ids[1]: 2, ids[2]: 2}
    assert (folder / "answer-01.wav").read_bytes() == audio
    assert not [p for p in root.iterdir() if p.name.startswith(".deleting")]


def test_delete_refuses_a_session_a_live_process_is_recording(tmp_path):
    from simulator.recovery import process_start

    root = tmp_path / "rec"
    store = Store(root)
    writer = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        owner = {"pid": writer.pid, "host": socket.gethostname(), "started": process_start(writer.pid)}
        sid = store.new_session("practice", {"bank": "general", "owner": owner}).id
        store.close()
        line = one_line(run("delete", sid, "--yes", root=root), 1, contains="still recording")
        assert str(writer.pid) in line
        assert sid in listed(root) and (root / sid).is_dir()
    finally:
        writer.kill()
        writer.wait()
    # Its owner is gone: the session is abandoned, and deleting it is allowed.
    assert run("delete", sid, "--yes", root=root).returncode == 0
    assert not (root / sid).exists()


# -- 6. a closed output pipe ----------------------------------------------------------------------------

def closed_pipe_run(*args: str, root: Path) -> subprocess.CompletedProcess:
    """stdout is a pipe nobody reads any more (`| head` that has exited)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return run(*args, root=root, capture_output=False, stdout=write, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write)


def test_listings_into_a_closed_pipe_end_quietly_with_exit_0(store_root):
    root, ids = store_root
    for command in (["sessions"], ["sessions", "--json"], ["history"], ["export"], ["report", ids[0]]):
        result = closed_pipe_run(*command, root=root)
        assert (result.returncode, result.stderr) == (0, ""), command


@pytest.mark.model
def test_demo_piped_into_head_leaves_no_half_made_session(tmp_path):
    root = tmp_path / "rec"
    proc = subprocess.Popen([str(VENV_BIN / "interview-sim"), "demo", "--no-speak", "--recordings-dir", str(root)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = [proc.stdout.readline() for _ in range(3)]  # what `head -3` reads, then it exits
    assert "Interviewer:" in lines[2], lines  # the session had begun
    proc.stdout.close()
    assert proc.wait(timeout=120) == 0
    assert "Traceback" not in proc.stderr.read()
    assert listed(root) == {}
    assert [p.name for p in root.iterdir() if not p.name.startswith(DB_NAME)] == []


# -- 7. settings of the wrong type ------------------------------------------------------------------------

@pytest.mark.parametrize("line, key, expected", [
    ("recordings_dir = 42", "recordings_dir", "folder path"),
    ("input_device = [1, 2]", "input_device", "device index or part of a device name"),
    ("output_device = true", "output_device", "device index or part of a device name"),
    ("rate = true", "rate", "whole number"),
    ("rate = 170.5", "rate", "whole number"),
    ('voice = {id = "x"}', "voice", "voice id"),
    ('recordings_dir = ""', "recordings_dir", "folder path"),
])
def test_a_setting_of_the_wrong_type_is_one_line_naming_key_and_type(tmp_path, line, key, expected):
    config = tmp_path / "config.toml"
    config.write_text(line + "\n")
    env = {**os.environ, "INTERVIEW_SIM_CONFIG": str(config)}
    for command in (["config"], ["sessions"]):
        text = one_line(cli(*command, env=env, cwd=tmp_path), 2, contains=key)
        assert expected in text and "between 80 and 400" not in text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]  # no folder "42"


def test_a_device_index_in_the_config_is_accepted(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("input_device = 3\n")
    result = cli("config", "--json", env={**os.environ, "INTERVIEW_SIM_CONFIG": str(config)})
    assert result.returncode == 0 and json.loads(result.stdout)["input_device"] == "3"


@pytest.mark.parametrize("value", ["", " "])
def test_an_empty_recordings_dir_is_refused(tmp_path, value):
    one_line(cli("sessions", "--recordings-dir", value, cwd=tmp_path), 2, contains="--recordings-dir")


# -- 8. ids are never cut --------------------------------------------------------------------------------

@pytest.mark.parametrize("columns", [80, 60])
def test_sessions_never_truncates_an_id(store_root, columns):
    root, ids = store_root
    assert any(len(i) > 15 for i in ids)  # made in one second: -2, -3
    result = run("sessions", root=root, env={**os.environ, "COLUMNS": str(columns)})
    assert result.returncode == 0, result.stderr
    assert max(len(l) for l in result.stdout.splitlines()) <= columns
    words = result.stdout.split()
    for sid in ids:
        assert sid in words, result.stdout


# -- 9. non-finite samples -------------------------------------------------------------------------------

def nan_clip(path: Path) -> np.ndarray:
    samples, rate = soundfile.read(str(CLIP), dtype="float32")
    broken = samples.copy()
    broken[[1000, 50_000, 50_001, 90_000]] = np.nan
    broken[120_000] = np.inf
    soundfile.write(str(path), broken, rate, subtype="FLOAT")
    return ~np.isfinite(broken)


def test_non_finite_samples_become_silence_only_where_they_are(tmp_path):
    from simulator.audio.io import load_audio

    bad = nan_clip(tmp_path / "nan.wav")
    clean = tmp_path / "clean.wav"
    soundfile.write(str(clean), soundfile.read(str(CLIP), dtype="float32")[0], 16000, subtype="FLOAT")
    repaired, reference = load_audio(tmp_path / "nan.wav"), load_audio(clean)
    assert np.isfinite(repaired).all() and len(repaired) == len(reference)
    assert np.all(repaired[bad] == 0)  # not a full-scale click
    assert np.array_equal(repaired[~bad], reference[~bad])


@pytest.mark.model
def test_a_float_wav_with_nan_samples_keeps_its_speech(tmp_path):
    path = tmp_path / "nan.wav"
    nan_clip(path)
    result = cli("analyze", "--json", str(path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["word_count"] >= 20


# -- 10. doctor checks what the program uses -----------------------------------------------------------------

@pytest.mark.audio
def test_doctor_checks_playback_not_aplay(tmp_path, virtual_audio):
    recordings = tmp_path / "rec"
    checks = {c["name"]: c for c in json.loads(run("doctor", "--json", root=recordings).stdout)}
    assert "aplay" not in checks
    assert checks["playback"]["status"] == "ok", checks["playback"]
    assert "espeak-ng" in checks["text to speech"]["detail"]
    result = run("doctor", "--json", root=recordings, env=no_audio_env(tmp_path))
    checks = {c["name"]: c for c in json.loads(result.stdout)}
    assert result.returncode == 1 and checks["playback"]["status"] == "fail", checks["playback"]
