"""Bad input, tried as a new user would, through the real CLI in its own process (`cli`), or
called in this process (`run`) where no device, model or signal is involved.

Each case gets one line that says what is wrong and a non-zero exit code (or, for silence,
metrics that say no speech was found); never a traceback; nothing already stored is damaged;
no path outside the recordings folder is read or written because of a session id.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pytest
import soundfile

from conftest import DATA, VENV_BIN, cli, run

CLIP = DATA / "jfk.wav"


def one_line(result, code: int | None = None, *, contains: str = "") -> str:
    """The run failed with exactly one line on stderr and no traceback; returns that line."""
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    assert len(lines) == 1, result.stderr
    assert result.returncode != 0, (result.returncode, result.stdout)
    if code is not None:
        assert result.returncode == code, (result.returncode, lines[0])
    assert lines[0].startswith("interview-sim"), lines[0]
    assert contains.lower() in lines[0].lower(), lines[0]
    return lines[0]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` and a hash of its bytes: to prove nothing stored changed."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))}  # SQLite's own scratch files


def stored_session(root: Path, answers: int = 1) -> str:
    """A finished session with real delivery JSON (no model needed) and real audio."""
    from simulator.delivery.analyze import analyze
    from simulator.store import Answer, Store

    store = Store(root)
    session = store.new_session("practice", {"bank": "general"})
    for n in range(1, answers + 1):
        path = store.answer_path(session.id, n)
        shutil.copy(CLIP, path)
        delivery = analyze(np.zeros(16000, np.float32), [], file=path.name).to_dict()
        store.add_answer(Answer(session.id, n, {"id": f"q{n}", "text": "Why?"}, path, 11.0, "silence",
                                delivery=delivery))
    store.finish_session(session.id)
    store.close()
    return session.id


def checkpointed(root: Path) -> None:
    """Fold SQLite's WAL into the main file, so the snapshot sees the database as stored."""
    db = sqlite3.connect(root / "interview-sim.db")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


# -- audio files ---------------------------------------------------------------------------------

def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    one_line(cli("analyze", str(path)), 2, contains="empty")


def test_random_bytes(tmp_path):
    path = tmp_path / "noise.wav"
    path.write_bytes(np.random.default_rng(1).bytes(64_000))
    line = one_line(cli("analyze", str(path)), 2, contains="not an audio file")
    assert "Errno" not in line


def test_wav_truncated_inside_its_header(tmp_path):
    path = tmp_path / "cut.wav"
    path.write_bytes(CLIP.read_bytes()[:30])
    one_line(cli("analyze", str(path)), 2, contains="cut.wav")


def test_wav_claiming_an_impossible_sample_rate_ends_at_once(tmp_path):
    """jfk.wav's header set to 1 Hz (byte rate 2): read as such, each byte is half a second of
    audio, days of samples at 16 kHz; it hung at 565 MB. Refused in one line instead."""
    import struct

    for rate in (1, 100):
        data = bytearray(CLIP.read_bytes())
        struct.pack_into("<II", data, data.index(b"fmt ") + 12, rate, 2 * rate)
        path = tmp_path / f"at-{rate}-hz.wav"
        path.write_bytes(bytes(data))
        one_line(cli("analyze", str(path), timeout=60), 2, contains=f"sample rate of {rate} Hz")


@pytest.mark.model
def test_wav_truncated_inside_its_audio_is_analysed_with_a_warning(tmp_path):
    path = tmp_path / "cut.wav"
    path.write_bytes(CLIP.read_bytes()[:100_000])  # 3.1 s of the 11 s the header promises
    result = cli("analyze", str(path), "--json")
    assert result.returncode == 0, result.stderr
    warning = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(warning) == 1 and "cut short" in warning[0] and "11.0 s" in warning[0], result.stderr
    data = json.loads(result.stdout)
    assert data["duration_s"] == pytest.approx(3.12, abs=0.01)
    assert "fellow" in data["transcript"].lower()


@pytest.mark.model
def test_pure_silence_says_no_speech_was_found(tmp_path):
    path = tmp_path / "silence.wav"
    soundfile.write(str(path), np.zeros(16000 * 8, np.float32), 16000)
    result = cli("analyze", str(path), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["speech_found"] is False and data["word_count"] == 0 and data["wpm"] is None
    assert "no speech was found" in data["metrics"][0]["note"]
    shown = cli("analyze", str(path))
    assert shown.returncode == 0 and "no speech found" in shown.stdout.lower()


@pytest.mark.model
def test_a_dc_offset_or_clipping_is_still_speech(tmp_path):
    """`sox jfk.wav dc.wav dcshift 0.1` read as "no speech found", all 22 words dropped as fallen
    on silence; `gain 30` (hard clipping) dropped 15. scripts/level_robustness.py has the range."""
    speech, rate = soundfile.read(str(CLIP), dtype="float32")
    files = {"dc.wav": np.clip(speech + 0.1, -1, 1), "dc-big.wav": np.clip(speech + 0.4, -1, 1),
             "clipped.wav": np.clip(speech * 10 ** 1.5, -1, 1)}
    for name, samples in files.items():
        soundfile.write(str(tmp_path / name), samples, rate, subtype="PCM_16")
    result = cli("analyze", "--json", *(str(tmp_path / name) for name in files))
    assert result.returncode == 0, result.stderr
    for data in json.loads(result.stdout):
        assert data["speech_found"] and data["dropped_word_count"] == 0, (data["file"], data["transcript"])
        assert {"fellow", "americans", "country"} <= {w.strip(".,!?").lower() for w in data["transcript"].split()}


@pytest.mark.model
def test_stereo_48k_file(tmp_path):
    mono, rate = soundfile.read(str(CLIP), dtype="float32")
    up = np.interp(np.arange(mono.size * 3) / 3, np.arange(mono.size), mono).astype(np.float32)
    path = tmp_path / "stereo48k.flac"
    soundfile.write(str(path), np.stack([up, 0.5 * up], axis=1), 48000)
    result = cli("analyze", "./stereo48k.flac", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["file"] == "./stereo48k.flac"  # the path as given, as the README promises
    assert data["channels"] == "the mix of 2 channels"
    assert data["duration_s"] == pytest.approx(11.0, abs=0.05)
    assert {"fellow", "country"} <= {w.strip(".,!?").lower() for w in data["transcript"].split()}


@pytest.mark.model
def test_stereo_with_one_channel_inverted_is_not_silence(tmp_path):
    """`sox jfk.wav anti.wav remix 1 1v-1`: mixed down, a voice and its negative cancel to
    silence. The loudest channel is taken alone, and the output says so."""
    speech, rate = soundfile.read(str(CLIP), dtype="float32")
    path = tmp_path / "anti.wav"
    soundfile.write(str(path), np.stack([speech, -speech], axis=1), rate, subtype="PCM_16")
    result = cli("analyze", "--json", str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["speech_found"] and "ask not" in data["transcript"].lower(), data["transcript"]
    assert data["channels"].startswith("channel 1 of 2 alone"), data["channels"]
    shown = cli("analyze", str(path))
    assert "Audio: channel 1 of 2 alone" in shown.stdout, shown.stdout


@pytest.mark.model
@pytest.mark.slow
def test_one_hour_recording_in_bounded_memory(tmp_path):
    """An hour, mostly silence with speech every ten minutes: peak memory stays near a short file's."""
    speech, _ = soundfile.read(str(CLIP), dtype="float32")
    hour = tmp_path / "hour.wav"
    starts = [60.0 + 600.0 * k for k in range(6)]  # 1:00, 11:00, ... 51:00
    rng = np.random.default_rng(0)
    with soundfile.SoundFile(str(hour), "w", samplerate=16000, channels=1, subtype="PCM_16") as out:
        for minute in range(60):
            block = (rng.standard_normal(16000 * 60) * 1e-4).astype(np.float32)  # a quiet room
            for s in starts:
                if minute * 60 <= s < (minute + 1) * 60:
                    at = int((s - minute * 60) * 16000)
                    block[at:at + speech.size] += speech
            out.write(block)
    assert soundfile.info(str(hour)).duration == pytest.approx(3600.0)

    def measured(path: Path) -> tuple[subprocess.CompletedProcess, float, float]:
        t0 = time.monotonic()
        proc = subprocess.Popen([str(VENV_BIN / "interview-sim"), "analyze", str(path), "--json"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        peak = 0
        ps = psutil.Process(proc.pid)
        out: dict = {}
        reader = threading.Thread(target=lambda: out.update(zip(("stdout", "stderr"), proc.communicate())))
        reader.start()
        while proc.poll() is None:
            try:
                peak = max(peak, sum(p.memory_info().rss for p in [ps, *ps.children(recursive=True)]))
            except psutil.Error:
                pass
            time.sleep(0.2)
        reader.join()
        result = subprocess.CompletedProcess(proc.args, proc.returncode, out["stdout"], out["stderr"])
        return result, peak / 2 ** 20, time.monotonic() - t0

    short, short_peak, short_s = measured(CLIP)
    assert short.returncode == 0, short.stderr
    result, peak, seconds = measured(hour)
    print(f"\n1-hour analysis: {seconds:.0f} s, peak RSS {peak:.0f} MiB "
          f"(an 11 s file: {short_s:.0f} s, {short_peak:.0f} MiB)")
    assert result.returncode == 0, result.stderr
    # The hour as float32 alone is 220 MiB; streaming keeps the peak within 150 MiB of a short file's.
    assert peak < short_peak + 150, (peak, short_peak)
    data = json.loads(result.stdout)
    assert data["duration_s"] == pytest.approx(3600.0, abs=0.1)
    assert data["speech_found"]
    fellow = [w["start"] for w in data["words"] if w["text"].strip(",.!?").lower() == "fellow"]
    for s in starts:  # each burst of speech was found where it was put
        assert any(s <= t <= s + 11 for t in fellow), (s, fellow)
    assert all(np.isfinite(v) for v in (data["wpm"], data["speech_s"]))


# -- the command line ------------------------------------------------------------------------------

def test_unknown_option_and_command():
    one_line(cli("analyze", "--frobnicate", "x.wav"), 2, contains="--frobnicate")
    one_line(cli("frobnicate"), 2, contains="frobnicate")
    one_line(cli("practice", "--questions", "0"), 2, contains="greater than zero")


def test_a_port_out_of_range_is_one_line():
    for port in ("99999", "-1", "70000", "http"):
        one_line(cli("serve", f"--port={port}"), 2, contains="port")


def test_listing_a_folder_that_is_not_there_creates_nothing(tmp_path):
    missing = tmp_path / "nowhere"
    for command in (("sessions",), ("sessions", "--json"), ("history",), ("history", "--json")):
        result = cli(*command, "--recordings-dir", str(missing))
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert json.loads(cli("sessions", "--json", "--recordings-dir", str(missing)).stdout) == []
    assert not missing.exists()


def test_missing_session_id(recordings):
    sid = stored_session(recordings)
    for command in ("replay", "report"):
        one_line(run(command, "20990101-000000", "--recordings-dir", str(recordings)), 2, contains="no session")
    assert run("sessions", "--json", "--recordings-dir", str(recordings)).returncode == 0
    empty = recordings.parent / "empty-recordings"
    one_line(run("replay", "--recordings-dir", str(empty)), 2, contains="no sessions")
    assert sid


def test_session_ids_never_become_paths(tmp_path):
    """`../../etc` and friends are refused before any file is touched, and a database row that
    points outside the recordings folder is refused too."""
    root = tmp_path / "deep" / "recordings"
    sid = stored_session(root)
    outside = tmp_path / "deep" / "secret.wav"
    shutil.copy(CLIP, outside)
    checkpointed(root)
    before, outside_before = snapshot(root), outside.stat()
    for ref in ("../../etc", "../secret", "/etc/passwd", f"{sid}/../..", "..", "%2e%2e"):
        for command in (["replay", ref], ["report", ref], ["delete", ref, "--yes"], ["export", ref]):
            one_line(run(*command, "--recordings-dir", str(root)), 2, contains="not a session id")
    assert (tmp_path / "deep").exists() and outside.exists()

    # A tampered row: answer audio that points outside the folder.
    db = sqlite3.connect(root / "interview-sim.db")
    db.execute("UPDATE answers SET audio = ? WHERE session_id = ?", ("../secret.wav", sid))
    db.commit()
    db.close()
    one_line(run("replay", sid, "--recordings-dir", str(root)), 2, contains="outside the recordings folder")
    one_line(run("delete", sid, "--yes", "--recordings-dir", str(root)), 2, contains="outside")
    assert outside.stat().st_mtime == outside_before.st_mtime and outside.read_bytes() == CLIP.read_bytes()
    assert set(snapshot(root)) >= set(before) - {"interview-sim.db"}


@pytest.mark.audio
def test_bank_file_with_a_syntax_error(tmp_path, recordings, virtual_audio):
    bank = tmp_path / "mine.toml"
    bank.write_text('[bank]\nname = "mine"\n\n[[questions]\nid = "x"\ntext = "Why?"\n')
    line = one_line(cli("practice", "--bank", str(bank), "--no-speak", "--recordings-dir", str(recordings)), 2)
    assert "mine.toml:4" in line
    assert not (recordings / "interview-sim.db").exists() or \
        cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout.strip() == "[]"


def test_no_model(tmp_path, recordings):
    one_line(cli("analyze", str(CLIP), "--model", "/nonexistent"), 2, contains="/nonexistent")
    folder = tmp_path / "not-a-model"
    folder.mkdir()
    one_line(cli("analyze", str(CLIP), "--model", str(folder)), 2, contains="model.bin")


@pytest.mark.audio
def test_no_model_fails_before_the_interview_starts(recordings, virtual_audio):
    result = cli("practice", "--model", "/nonexistent", "--no-speak", "--recordings-dir", str(recordings))
    one_line(result, 2, contains="/nonexistent")
    assert "Question 1" not in result.stdout
    assert cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout.strip() == "[]"


@pytest.mark.audio
def test_an_unreadable_model_file_is_named_before_anything_starts(tmp_path, recordings, virtual_audio):
    """A model folder whose model.bin is mode 000: CTranslate2 failed with an internal error,
    doctor said ok, practice asked question 1 first. Root reads any file, so as root the
    commands run without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, as any other user would."""
    from simulator.transcribe.weights import resolve

    model = tmp_path / "model"
    model.mkdir()
    for f in resolve().ct2_dir.iterdir():
        if f.is_file() and f.name != "model.bin":
            shutil.copyfile(f, model / f.name)
    weights = model / "model.bin"
    weights.write_bytes(b"\0" * 64)  # never read: its mode is what is tried
    weights.chmod(0)
    plain = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"] if os.geteuid() == 0 else []

    def without_override(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*plain, str(VENV_BIN / "interview-sim"), *args, "--model", str(model)],
                              capture_output=True, text=True, timeout=300)

    line = one_line(without_override("analyze", str(CLIP)), 1, contains=str(weights))
    assert "chmod" in line
    practice = without_override("practice", "--no-speak", "--recordings-dir", str(recordings))
    one_line(practice, 1, contains=str(weights))
    assert "Question 1" not in practice.stdout
    doctor = without_override("doctor", "--json", "--recordings-dir", str(recordings))
    checks = {c["name"]: c for c in json.loads(doctor.stdout)}
    assert doctor.returncode == 1 and checks["Whisper model"]["status"] == "fail", checks["Whisper model"]
    assert str(weights) in checks["Whisper model"]["detail"]
    # Readable but not a model: doctor loads it, so this fails too.
    weights.chmod(0o644)
    checks = {c["name"]: c for c in json.loads(without_override("doctor", "--json", "--recordings-dir",
                                                                str(recordings)).stdout)}
    assert checks["Whisper model"]["status"] == "fail" and "could not load" in checks["Whisper model"]["detail"]


# -- the machine -----------------------------------------------------------------------------------

def no_audio_env(tmp_path: Path, path: str | None = None) -> dict:
    """No sound server and no ALSA devices: what a machine without a sound card looks like."""
    env = {**os.environ, "PULSE_SERVER": f"unix:{tmp_path}/no-such-socket",
           "ALSA_CONFIG_PATH": "/usr/share/alsa/alsa.conf"}
    if path is not None:
        env["PATH"] = path
    return env


def test_no_input_device(tmp_path, recordings):
    result = cli("practice", "--no-speak", "--recordings-dir", str(recordings), env=no_audio_env(tmp_path))
    one_line(result, 1, contains="no microphone")


def test_no_speaker_for_replay(tmp_path, recordings):
    sid = stored_session(recordings)
    checkpointed(recordings)
    before = snapshot(recordings)
    one_line(cli("replay", sid, "--recordings-dir", str(recordings), env=no_audio_env(tmp_path)), 1,
             contains="no audio output device")
    assert snapshot(recordings) == before


@pytest.mark.model
@pytest.mark.slow
def test_demo_without_speaker_or_aplay_shows_the_questions_and_finishes(tmp_path, recordings):
    """No output device and no `aplay` on PATH: the questions are printed (one warning line) and
    the synthetic answers still go through transcription, metrics and the store."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    assert shutil.which("aplay", path=str(bin_dir)) is None
    result = cli("demo", "--recordings-dir", str(recordings), env=no_audio_env(tmp_path, str(bin_dir)))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout
    text = " ".join(result.stdout.split())  # the terminal view wraps long lines
    assert text.count("warning:") == 1, result.stdout
    assert "warning: no audio output device found: the questions are shown here but not spoken" in text, text
    listing = json.loads(cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout)
    assert listing[0]["status"] == "complete" and listing[0]["answers"] == 3


# -- the recordings folder ------------------------------------------------------------------------

@pytest.fixture
def tmpfs(tmp_path):
    """A mount point of our own (the tests run as root in CI); unmounted afterwards."""
    mounts: list[Path] = []

    def mount(size: str) -> Path:
        point = tmp_path / f"mnt{len(mounts)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)], check=True)
        mounts.append(point)
        return point

    yield mount
    for point in mounts:
        subprocess.run(["umount", "-l", str(point)], check=False)


def remount(point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)


@pytest.mark.audio
def test_read_only_recordings_folder(tmpfs, virtual_audio):
    root = tmpfs("4m")
    sid = stored_session(root)
    checkpointed(root)
    before = snapshot(root)
    remount(root, "ro")
    one_line(cli("practice", "--no-speak", "--recordings-dir", str(root)), 1, contains="read-only")
    one_line(cli("demo", "--no-speak", "--recordings-dir", str(root)), 1, contains="read-only")
    listing = cli("sessions", "--json", "--recordings-dir", str(root))  # reading still works
    assert listing.returncode == 0, listing.stderr
    assert [s["id"] for s in json.loads(listing.stdout)] == [sid]
    one_line(cli("delete", sid, "--yes", "--recordings-dir", str(root)), contains="cannot write")
    remount(root, "rw")
    assert snapshot(root) == before
    empty = tmpfs("1m")
    remount(empty, "ro")
    one_line(cli("practice", "--no-speak", "--recordings-dir", str(empty)), 1, contains="read-only")


@pytest.mark.audio
def test_full_recordings_folder_refuses_to_start(tmpfs, virtual_audio):
    root = tmpfs("2m")
    sid = stored_session(root)
    checkpointed(root)
    before = snapshot(root)
    filler = root / "filler"
    with open(filler, "wb", buffering=0) as f:  # fill the disk to the last byte
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    one_line(cli("practice", "--no-speak", "--recordings-dir", str(root)), 1, contains="full")
    filler.unlink()
    assert snapshot(root) == before
    assert [s["id"] for s in json.loads(cli("sessions", "--json", "--recordings-dir", str(root)).stdout)] == [sid]


@pytest.mark.audio
@pytest.mark.model
@pytest.mark.slow
def test_disk_filling_up_mid_answer_keeps_what_was_recorded(tmpfs, virtual_audio):
    """The disk fills while the person speaks: the answer ends with a clear message, the audio
    written so far is kept, and once there is room again the next start analyses it."""
    root = tmpfs("3m")
    sid = stored_session(root)
    checkpointed(root)
    before = snapshot(root)
    app = subprocess.Popen([str(VENV_BIN / "interview-sim"), "practice", "--no-speak", "--questions", "2",
                            "--silence-stop", "5", "--recordings-dir", str(root)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    filler = root / "filler"
    for line in app.stdout:
        lines.append(line)
        if "Recording: speak now" in line:
            player = subprocess.Popen(["paplay", "--device=mic_feed", str(CLIP)])
            time.sleep(4.0)
            with open(filler, "wb", buffering=0) as f:  # someone else's download fills the disk
                try:
                    while True:
                        f.write(b"\0" * 4096)
                except OSError:
                    pass
            break
    rest, err = app.communicate(timeout=240)
    player.kill()
    out = "".join(lines) + rest
    assert "Traceback" not in out + err, out + err
    assert "cannot write the recording any more" in out, out
    assert app.returncode == 1, (app.returncode, out, err)
    assert len([l for l in err.splitlines() if l.strip()]) == 1, err
    new = [p for p in root.iterdir() if p.is_dir() and p.name != sid]
    assert len(new) == 1
    wav = new[0] / "answer-01.wav"
    kept_s = soundfile.info(str(wav)).duration
    assert 2.5 <= kept_s <= 6.0, kept_s

    filler.unlink()
    result = cli("recover", "--recordings-dir", str(root))
    assert result.returncode == 0, result.stderr
    assert f"recovered session {new[0].name}" in result.stderr
    result = cli("sessions", "--json", "--recordings-dir", str(root))
    listing = {s["id"]: s for s in json.loads(result.stdout)}
    assert listing[new[0].name]["status"] == "incomplete" and listing[new[0].name]["answers"] == 1
    assert listing[sid]["status"] == "complete"
    after = snapshot(root)
    assert all(after[k] == v for k, v in before.items() if k != "interview-sim.db")
