"""history, export, delete and the terminal report, on sessions whose answers were measured by the
real `interview-sim analyze --json` (its own process). The commands run in this process (`run`,
milliseconds instead of a process start each); where the process itself matters (a terminal for
the delete prompt, colours decided by the environment it starts with) they run as a person runs
them, in their own process."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from conftest import DATA, cli
from conftest import run as run_here
from simulator.store import Answer, Store

pytestmark = [pytest.mark.model]

ANSI = re.compile(r"\x1b\[")
FILLER_SCRIPT = [0.8, "So, um, basically, I led the project.", 1.4, "Uh, we shipped it, you know, on time."]


def synth(script: list, path: Path) -> None:
    """A spoken answer with fillers and pauses, from espeak-ng (the real TTS the demo uses)."""
    pieces, rate = [], 22050
    for part in script:
        if isinstance(part, float):
            pieces.append(np.zeros(int(part * rate), np.float32))
            continue
        wav = path.with_suffix(".part.wav")
        subprocess.run(["espeak-ng", "-v", "en-us", "-s", "165", "-w", str(wav), part], check=True)
        samples, rate = soundfile.read(str(wav), dtype="float32")
        wav.unlink()
        loud = np.flatnonzero(np.abs(samples) > 1e-3)
        pieces.append(samples[loud[0]: loud[-1] + 1])
    pieces.append(np.zeros(int(0.5 * rate), np.float32))
    soundfile.write(str(path), np.concatenate(pieces), rate, subtype="PCM_16")


@pytest.fixture(scope="module")
def measured(tmp_path_factory) -> dict[str, dict]:
    """Real deliveries: `interview-sim analyze --json` on the test speech and a filler-laden answer."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing (apt-get install espeak-ng)")
    folder = tmp_path_factory.mktemp("clips")
    clips = {name: DATA / f"{name}.wav" for name in ("jfk", "librivox-0870", "librivox-0890")}
    clips["fillers"] = folder / "fillers.wav"
    synth(FILLER_SCRIPT, clips["fillers"])
    out = cli("analyze", "--json", *map(str, clips.values()))
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [r["file"] for r in results] == [str(p) for p in clips.values()]
    assert results[3]["fillers"]["hesitation"] >= 1, results[3]["transcript"]
    return {name: {"path": path, "delivery": d} for (name, path), d in zip(clips.items(), results)}


PLAN = [  # (day, answers as (clip, category))
    ("2026-03-01T09:00:00", [("fillers", "behavioural"), ("librivox-0890", "motivation")]),
    ("2026-03-08T09:00:00", [("jfk", "introduction"), ("fillers", "behavioural")]),
    ("2026-03-15T09:00:00", [("jfk", "introduction"), ("librivox-0870", "technical"), ("librivox-0890", "motivation")]),
]


def build_sessions(root: Path, measured: dict) -> list[str]:
    store = Store(root)
    ids = []
    for started, answers in PLAN:
        s = store.new_session("practice", {"bank": "general", "engine": "faster-whisper", "model": "tiny.en"})
        for n, (clip, category) in enumerate(answers, start=1):
            path = store.answer_path(s.id, n)
            shutil.copyfile(measured[clip]["path"], path)
            d = dict(measured[clip]["delivery"])
            engine, model = d.pop("engine"), d.pop("model")
            store.add_answer(Answer(session_id=s.id, number=n, audio=path, duration_s=d["duration_s"],
                                    question={"id": f"{clip}-{n}", "bank": "general", "category": category,
                                              "text": f"Question {n} of {started[:10]}?"},
                                    stopped_by="silence", engine=engine, model=model, delivery=d))
        store.finish_session(s.id)
        with store._transaction() as db:  # spread them over three weeks, as a person would
            db.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (started, s.id))
        ids.append(s.id)
    store.close()
    return ids


@pytest.fixture
def three(tmp_path, measured) -> tuple[Path, list[str]]:
    root = tmp_path / "rec"
    return root, build_sessions(root, measured)


def run(*args, root: Path, env: dict | None = None):
    """The command in this process, its output a pipe (no terminal) and its input empty."""
    return run_here(*args, "--recordings-dir", str(root), env={"NO_COLOR": "1", "COLUMNS": "100", **(env or {})})


# -- history --------------------------------------------------------------------------------------

def test_history_after_three_sessions_shows_the_trend_of_each_metric(three):
    root, ids = three
    out = run("history", "--json", root=root)
    assert out.returncode == 0, out.stderr
    h = json.loads(out.stdout)
    assert [s["id"] for s in h["sessions"]] == ids and h["total_sessions"] == 3
    keys = {t["key"]: t for t in h["trends"]}
    assert set(keys) == {"wpm", "hesitations_per_min", "discourse_per_min", "long_pauses_per_min",
                         "mean_time_to_first_word_s", "mean_answer_s"}
    for key, t in keys.items():
        values = [s["summary"][key] for s in h["sessions"]]
        assert t["values"] == values and None not in values, key
        assert t["latest"] == values[-1]
        assert t["change"] == pytest.approx(values[-1] - values[0], abs=0.011), key
        assert t["over_sessions"] == 3
    # Fillers fell as the filler-laden answer left the mix: a better trend, best in the last session.
    hes = keys["hesitations_per_min"]
    assert hes["values"][0] > hes["values"][1] > hes["values"][2] == 0
    assert hes["direction"] == "better" and hes["best"] == 0 and hes["best_session"] == ids[2]
    # Pace: the best is the session closest to the target band.
    lo, hi = h["pace_target"]
    dist = [max(lo - v, v - hi, 0) for v in keys["wpm"]["values"]]
    assert keys["wpm"]["best"] == keys["wpm"]["values"][dist.index(min(dist))]
    assert keys["mean_answer_s"]["direction"] is None  # length has no better or worse
    assert h["categories"] == {"behavioural": 2, "motivation": 2, "introduction": 2, "technical": 1}


def test_history_terminal_table_has_sparklines(three):
    root, ids = three
    out = run("history", root=root)
    assert out.returncode == 0, out.stderr
    assert not ANSI.search(out.stdout), "NO_COLOR and a pipe mean plain text"
    for label in ("Pace", "Hesitations", "Discourse fillers", "Long pauses", "Time to first word", "Answer length"):
        line = next(l for l in out.stdout.splitlines() if l.startswith(label))
        assert re.search(r"[▁▂▃▄▅▆▇█]{3}", line), line
    hes = next(l for l in out.stdout.splitlines() if l.startswith("Hesitations"))
    assert "▁" in hes and "better" in hes
    assert "behavioural ×2" in out.stdout and "technical ×1" in out.stdout
    assert out.stdout.count("01 Mar") + out.stdout.count("08 Mar") + out.stdout.count("15 Mar") == 3


def test_history_last_n_and_html(three, tmp_path):
    root, ids = three
    h = json.loads(run("history", "--json", "--last", "2", root=root).stdout)
    assert [s["id"] for s in h["sessions"]] == ids[1:] and h["last"] == 2
    assert all(len(t["values"]) == 2 and t["over_sessions"] == 2 for t in h["trends"])
    page = tmp_path / "out" / "history.html"
    out = run("history", "--html", str(page), root=root)
    assert out.returncode == 0, out.stderr
    text = page.read_text()
    assert text.count('<svg class="chart"') == 6
    assert text.count('class="pt') >= 18
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)


def test_history_with_no_sessions(tmp_path):
    out = run("history", root=tmp_path / "empty")
    assert out.returncode == 0 and "No measured sessions yet" in out.stdout


# -- export ---------------------------------------------------------------------------------------

def test_export_json_round_trips_the_stored_results(three, measured):
    root, ids = three
    out = run("export", "--format", "json", root=root)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert [s["id"] for s in data] == ids
    first = data[0]["answers"][0]
    # engine, model and channels (how a file's channels became one) are the analysis's, not the delivery's
    expected = {k: v for k, v in measured["fillers"]["delivery"].items() if k not in ("engine", "model", "channels")}
    assert first["delivery"] == expected and first["engine"] == "faster-whisper" and first["model"] == "tiny.en"
    assert (root / first["audio"]).is_file()
    assert data[0]["summary"]["hesitations"] >= 1
    one = json.loads(run("export", ids[1], root=root).stdout)
    assert [s["id"] for s in one] == [ids[1]]


def test_export_csv_one_row_per_answer(three, tmp_path):
    root, ids = three
    target = tmp_path / "records.csv"
    out = run("export", "--format", "csv", "--output", str(target), root=root)
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 7
    assert [r["session_id"] for r in rows] == [ids[0]] * 2 + [ids[1]] * 2 + [ids[2]] * 3
    store = Store(root)
    for r in rows:
        d = store.session(r["session_id"]).answers[int(r["answer"]) - 1].delivery
        assert float(r["wpm"]) == d.wpm and int(r["word_count"]) == d.word_count
        assert int(r["hesitations"]) == d.fillers.hesitation and r["transcript"] == d.transcript
    assert {"articulation_wpm", "filler_percent"} <= set(rows[0])  # the newer figures come along


def test_export_csv_defuses_spreadsheet_formulas(tmp_path, measured):
    root = tmp_path / "rec"
    store = Store(root)
    s = store.new_session("practice", {})
    path = store.answer_path(s.id, 1)
    shutil.copyfile(DATA / "jfk.wav", path)
    d = {k: v for k, v in measured["jfk"]["delivery"].items() if k not in ("engine", "model")}
    store.add_answer(Answer(s.id, 1, {"text": "=HYPERLINK(\"http://x\")", "category": "@cat"}, path, 11.0,
                            "silence", delivery=d))
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv", root=root).stdout)))
    assert rows[0]["question"] == "'=HYPERLINK(\"http://x\")" and rows[0]["category"] == "'@cat"


def test_export_bad_usage(three):
    root, _ = three
    assert run("export", "--format", "xml", root=root).returncode == 2
    assert run("export", "19990101", root=root).returncode == 2


# -- delete ---------------------------------------------------------------------------------------

def test_delete_refuses_without_a_terminal_or_yes(three):
    root, ids = three
    out = run("delete", ids[0], root=root)
    assert out.returncode == 2 and "--yes" in out.stderr
    assert (root / ids[0]).is_dir() and len(Store(root).sessions()) == 3
    out = run("delete", ids[0], "--yes", root=root)
    assert out.returncode == 0, out.stderr
    assert not (root / ids[0]).exists()
    assert [s.id for s in Store(root).sessions()] == ids[1:]
    assert run("delete", ids[0], "--yes", root=root).returncode == 2  # gone


@pytest.mark.parametrize("reply, deleted", [("n\n", False), ("y\n", True)])
def test_delete_asks_on_a_terminal(three, reply, deleted):
    import pty

    root, ids = three
    controller, terminal = pty.openpty()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "interview-sim"), "delete", ids[2],
                             "--recordings-dir", str(root)], stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    seen = b""
    while b"[y/N]" not in seen:
        chunk = os.read(controller, 1024)
        assert chunk, seen
        seen += chunk
    os.write(controller, reply.encode())
    proc.wait(60)
    os.close(controller)
    assert proc.returncode == 0  # declining is the person's choice, not a failure
    assert (root / ids[2]).exists() is not deleted
    assert len(Store(root).sessions()) == (2 if deleted else 3)


# -- the terminal report --------------------------------------------------------------------------

def test_report_in_the_terminal_is_plain_without_a_tty(three):
    root, ids = three
    out = run("report", ids[0], root=root)
    assert out.returncode == 0, out.stderr
    assert not ANSI.search(out.stdout)
    assert "Question 1 of 2026-03-01?" in out.stdout and "Question 2 of 2026-03-01?" in out.stdout
    assert "Pace" in out.stdout and "Fillers" in out.stdout and "Overall:" in out.stdout
    assert "faster-whisper tiny.en" in out.stdout
    latest = run("report", root=root)
    assert "Question 3 of 2026-03-15?" in latest.stdout
    assert run("report", "--open", root=root).returncode == 2
    assert run("report", "nope", root=root).returncode == 2


def test_report_colours_on_a_terminal_unless_no_color(three):
    root, ids = three
    env = {**os.environ, "TTY_COMPATIBLE": "1", "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    coloured = cli("report", ids[0], "--recordings-dir", str(root), env=env)
    assert ANSI.search(coloured.stdout)
    plain = cli("report", ids[0], "--recordings-dir", str(root), env={**env, "NO_COLOR": "1"})
    assert not ANSI.search(plain.stdout)
