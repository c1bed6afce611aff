"""Shared fixtures. Every test here uses real components: when one is missing the test fails
(it never skips), so a green run proves the real path. `bash scripts/test.sh` installs and
starts everything; plain `pytest` starts the virtual audio device itself if it can.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
VENV_BIN = Path(sys.executable).parent


def _start_virtual_audio() -> None:
    """PortAudio reads PULSE_SERVER when sounddevice is first imported, so do this first."""
    if os.environ.get("PULSE_SERVER"):
        return
    out = subprocess.run(["bash", str(ROOT / "scripts" / "virtual_audio.sh"), "start"],
                         env={**os.environ, "VA_SKIP_APT": "1"}, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("export "):
            key, _, value = line[len("export "):].partition("=")
            os.environ[key] = value


def pytest_configure(config):
    _start_virtual_audio()


def cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run interview-sim as a person would, in a separate process."""
    kwargs.setdefault("capture_output", True)
    kwargs.setdefault("text", True)
    kwargs.setdefault("timeout", 600)
    return subprocess.run([str(VENV_BIN / "interview-sim"), *args], **kwargs)


class Ran:
    """What an in-process command left: its exit code and what it wrote."""

    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run(*args: str, env: dict | None = None, stdin: str = "") -> Ran:
    """interview-sim called in this process (httpie's style): milliseconds instead of a process
    start, for behaviour that needs no device or model. `env` adds to (or, with None values,
    removes from) the environment for the call. The real-process tests use `cli`."""
    import contextlib
    import io

    from simulator.cli import main

    saved = {k: os.environ.get(k) for k in (env or {})}
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    try:
        for key, value in (env or {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        sys.stdin = io.StringIO(stdin)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse: --help, usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdin = old_stdin
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return Ran(code or 0, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def virtual_audio() -> dict:
    """The PulseAudio null sinks: `speaker` (default output) and `mic_feed` (its monitor is the
    default input). Fails, never skips, when the stack is not there."""
    if not os.environ.get("PULSE_SERVER"):
        pytest.fail("no virtual audio device: run the tests with `bash scripts/test.sh`")
    if shutil.which("paplay") is None or subprocess.run(["pactl", "info"], capture_output=True).returncode:
        pytest.fail("PulseAudio is not reachable: run `bash scripts/virtual_audio.sh start`")
    return {"mic_sink": "mic_feed", "speaker_monitor": "speaker.monitor"}


@pytest.fixture(scope="session")
def transcriber():
    from simulator import transcribe

    return transcribe.load("faster-whisper", "tiny.en")


@pytest.fixture(scope="session")
def transcriber_float32():
    """tiny.en under float32 (other kernels than int8's), for the tests that check both: loaded once."""
    from simulator import transcribe

    return transcribe.load("faster-whisper", "tiny.en", compute_type="float32")


@pytest.fixture
def recordings(tmp_path) -> Path:
    path = tmp_path / "recordings"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def _isolated_config(tmp_path, monkeypatch):
    """Tests never read or write the developer's own settings."""
    monkeypatch.setenv("INTERVIEW_SIM_CONFIG", str(tmp_path / "config.toml"))


def similarity(recorded: np.ndarray, reference: np.ndarray) -> float:
    """Peak normalised cross-correlation: 1.0 when the reference is found intact."""
    recorded, reference = recorded.astype(np.float64), reference.astype(np.float64)  # float32 FFT noise
    n = len(recorded) + len(reference)
    size = 1 << (n - 1).bit_length()
    corr = np.fft.irfft(np.fft.rfft(recorded, size) * np.conj(np.fft.rfft(reference, size)), size)
    # Energy of the recording under the reference at each lag, from a running sum: O(n).
    energy = np.concatenate(([0.0], np.cumsum(recorded ** 2)))
    lags = np.arange(len(recorded))
    window = energy[np.minimum(lags + len(reference), len(recorded))] - energy[lags]
    denom = np.sqrt(np.maximum(window, 1e-12) * np.sum(reference ** 2))
    return float(np.max(corr[: len(recorded)] / denom))


@pytest.fixture(scope="session")
def llm_server(tmp_path_factory) -> str:
    """The URL of a real model server on loopback (tests/llm_server.py), started once a session."""
    from llm_server import start

    process, url = start(tmp_path_factory.mktemp("llm") / "server.log")
    yield url
    process.kill()  # not terminate: uvicorn would wait for the "slow" reply the tests walked away from
    process.wait(10)
