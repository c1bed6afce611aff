"""The session store: schema versions migrate forward keeping data; writes are transactional, so
a process killed (SIGKILL, a real subprocess) while writing a session leaves a consistent file."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from simulator.errors import UserError
from simulator.delivery.analyze import Delivery
from simulator.store import DB_NAME, MIGRATIONS, Answer, Store

ROOT = Path(__file__).resolve().parents[1]


def delivery(words: int = 20, seed: int = 0) -> dict:
    """A delivery dict with the stable `analyze --json` keys (content is irrelevant to the store)."""
    rng = random.Random(seed)
    t, ws = 0.8, []
    for i in range(words):
        ws.append({"text": f"word{i}", "start": round(t, 2), "end": round(t + 0.3, 2),
                   "probability": round(rng.uniform(0.5, 1), 3), "filler": None})
        t += 0.4
    return {"file": "answer-01.wav", "duration_s": round(t + 0.5, 2), "transcript": " ".join(w["text"] for w in ws),
            "words": ws, "word_count": words, "speech_s": round(t - 0.9, 2), "wpm": 150.0,
            "time_to_first_word_s": 0.8, "pauses": [], "fillers": {"hesitation": 0, "discourse": 0, "by_phrase": {}},
            "fillers_per_min": 0.0}


def write_session(store: Store, answers: int = 2, kind: str = "practice") -> str:
    s = store.new_session(kind, {"bank": "general"})
    for n in range(1, answers + 1):
        path = store.answer_path(s.id, n)
        path.write_bytes(b"RIFF")
        store.add_answer(Answer(session_id=s.id, number=n, question={"id": f"q{n}", "text": f"Question {n}?",
                                                                      "category": "behavioural"},
                                audio=path, duration_s=10.0, stopped_by="silence", engine="faster-whisper",
                                model="tiny.en", delivery=delivery(seed=n)))
    store.finish_session(s.id)
    return s.id


def user_version(db: Path) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("PRAGMA user_version").fetchone()[0]


# -- schema versions ----------------------------------------------------------------------------

def make_old_database(root: Path, version: int) -> None:
    """A recordings folder as an older interview-sim left it: schema `version`, with data."""
    root.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(root / DB_NAME, isolation_level=None)
    for script in MIGRATIONS[:version]:
        con.executescript(script)
    con.execute(f"PRAGMA user_version = {version}")
    con.execute("INSERT INTO sessions (id, kind, started_at, ended_at, status, settings) VALUES (?,?,?,?,?,?)",
                ("20250101-090000", "practice", "2025-01-01T09:00:00", "2025-01-01T09:10:00", "complete",
                 json.dumps({"bank": "general", "engine": "faster-whisper"})))
    (root / "20250101-090000").mkdir()
    (root / "20250101-090000" / "answer-01.wav").write_bytes(b"RIFF")
    con.execute("INSERT INTO answers (session_id, number, question, audio, duration_s, stopped_by, overflows,"
                " engine, model, delivery, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                ("20250101-090000", 1, json.dumps({"text": "Why us?", "category": "motivation"}),
                 "20250101-090000/answer-01.wav", 12.5, "silence", 0, "faster-whisper", "tiny.en",
                 json.dumps(delivery(seed=7)), "2025-01-01T09:01:00"))
    con.close()


@pytest.mark.parametrize("old_version", range(1, len(MIGRATIONS)))
def test_migration_from_an_older_schema_keeps_data(tmp_path, old_version):
    root = tmp_path / "rec"
    make_old_database(root, old_version)
    assert user_version(root / DB_NAME) == old_version

    store = Store(root)
    assert user_version(root / DB_NAME) == len(MIGRATIONS)
    s = store.session("20250101-090000")
    assert (s.kind, s.status, s.settings["bank"]) == ("practice", "complete", "general")
    [a] = s.answers
    assert a.question == {"text": "Why us?", "category": "motivation"}
    assert a.delivery == Delivery.from_dict(delivery(seed=7))
    assert (a.duration_s, a.engine, a.model) == (12.5, "faster-whisper", "tiny.en")
    assert a.audio == (root / "20250101-090000" / "answer-01.wav").resolve()
    # ... and the migrated file takes new sessions alongside the old one.
    write_session(store)
    assert len(store.sessions()) == 2
    store.close()
    with sqlite3.connect(root / DB_NAME) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert "sessions_started" in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}


def test_fresh_database_is_at_the_current_version_and_reopens_unchanged(tmp_path):
    store = Store(tmp_path)
    sid = write_session(store)
    store.close()
    assert user_version(tmp_path / DB_NAME) == len(MIGRATIONS)
    again = Store(tmp_path)
    assert [s.id for s in again.sessions()] == [sid]
    assert len(again.session(sid).answers) == 2


def test_a_failing_migration_changes_nothing(tmp_path, monkeypatch):
    root = tmp_path / "rec"
    make_old_database(root, 1)
    import simulator.store.db as store_mod

    monkeypatch.setattr(store_mod, "MIGRATIONS", MIGRATIONS + ["CREATE TABLE extra (x INTEGER);\nNOT SQL AT ALL;"])
    with pytest.raises(UserError):
        Store(root)
    monkeypatch.undo()
    with sqlite3.connect(root / DB_NAME) as con:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 1
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    assert "extra" not in names and "sessions_started" not in names  # all steps or none
    assert len(Store(root).session("20250101-090000").answers) == 1


def test_a_newer_schema_is_refused_not_damaged(tmp_path):
    root = tmp_path / "rec"
    make_old_database(root, len(MIGRATIONS))
    with sqlite3.connect(root / DB_NAME) as con:
        con.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    with pytest.raises(UserError, match="newer interview-sim"):
        Store(root)
    assert user_version(root / DB_NAME) == len(MIGRATIONS) + 5


def test_not_a_database_is_a_clear_error(tmp_path):
    (tmp_path / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(UserError, match="not a usable session database"):
        Store(tmp_path)


# -- transactional writes -----------------------------------------------------------------------

def test_a_failed_write_rolls_back(tmp_path):
    store = Store(tmp_path)
    s = store.new_session("practice", {})
    path = store.answer_path(s.id, 1)
    path.write_bytes(b"RIFF")
    bad = Answer(session_id=s.id, number=1, question={"text": "q"}, audio=path, duration_s=1.0,
                 stopped_by="enter", delivery={"not json": object()})
    with pytest.raises(TypeError):
        store.add_answer(bad)
    assert store.session(s.id).answers == []
    write_session(store)  # the connection is usable afterwards


def test_delete_session_removes_rows_and_audio(tmp_path):
    store = Store(tmp_path)
    keep = write_session(store)
    gone = write_session(store)
    assert (tmp_path / gone / "answer-01.wav").exists()
    store.delete_session(gone)
    assert [s.id for s in store.sessions()] == [keep]
    assert not (tmp_path / gone).exists()
    assert store._db.execute("SELECT COUNT(*) FROM answers WHERE session_id = ?", (gone,)).fetchone()[0] == 0
    assert len(store.session(keep).answers) == 2


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from simulator.store import Store, Answer
    from test_store import delivery

    store = Store(Path({rec!r}))
    big = delivery(words=3000)  # ~400 KB of JSON per answer: the kill lands inside writes
    n_session = 0
    while True:
        s = store.new_session("practice", {{"bank": "general"}})
        print("session", s.id, flush=True)
        for n in range(1, 5):
            path = store.answer_path(s.id, n)
            path.write_bytes(b"RIFF" * 1000)
            store.add_answer(Answer(session_id=s.id, number=n, question={{"text": "q%d" % n}}, audio=path,
                                    duration_s=30.0, stopped_by="silence", engine="faster-whisper",
                                    model="tiny.en", delivery=big))
            print("answer", n, flush=True)
        store.finish_session(s.id)
        print("finished", s.id, flush=True)
""")


def test_sigkill_while_writing_a_session_leaves_the_database_consistent(tmp_path):
    rec = tmp_path / "rec"
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), tests=str(ROOT / "tests"), rec=str(rec)))
    rng = random.Random(5)
    killed_mid_session = 0
    for round_ in range(6):
        proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        lines = []
        try:
            # Let it write a little (a finished session, or part of one), then kill it without warning.
            target = rng.randint(2, 9)
            for line in proc.stdout:
                lines.append(line.strip())
                if len(lines) >= target:
                    break
            assert lines, proc.stderr.read()
            time.sleep(rng.uniform(0.0, 0.03))
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)
        assert proc.returncode == -signal.SIGKILL, f"round {round_}: writer ended by itself: {lines}"
        killed_mid_session += not lines[-1].startswith("finished")

        # The raw file, as any other program sees it after the crash.
        con = sqlite3.connect(rec / DB_NAME)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = con.execute("SELECT COUNT(*) FROM answers WHERE session_id NOT IN (SELECT id FROM sessions)")
        assert orphans.fetchone()[0] == 0
        for sid, status, ended in con.execute("SELECT id, status, ended_at FROM sessions"):
            numbers = [r[0] for r in con.execute("SELECT number FROM answers WHERE session_id = ? ORDER BY number",
                                                 (sid,))]
            assert numbers == list(range(1, len(numbers) + 1)), (sid, numbers)  # no holes
            if status == "complete":
                assert ended and numbers == [1, 2, 3, 4], (sid, numbers)  # a finished session is whole
            else:
                assert status == "in_progress" and ended is None
        for (text,) in con.execute("SELECT delivery FROM answers"):
            assert json.loads(text)["word_count"] == 3000  # never a truncated row
        con.close()

        # ... and through the store: everything reads back, and writing goes on.
        store = Store(rec)
        for s in store.sessions():
            for a in s.answers:
                assert a.audio.is_file()
        store.close()
    assert killed_mid_session >= 3, "the kills should land inside sessions, not between them"
    store = Store(rec)
    sid = write_session(store)
    assert store.session(sid).status == "complete"


def test_listing_reads_every_session_in_two_queries(tmp_path):
    store = Store(tmp_path)
    ids = [write_session(store, answers=n % 3) for n in range(12)]
    statements: list[str] = []
    store._db.set_trace_callback(statements.append)
    listed = store.sessions()
    store._db.set_trace_callback(None)
    answers = {sid: n % 3 for n, sid in enumerate(ids)}
    assert {s.id: len(s.answers) for s in listed} == answers and len(listed) == 12
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2, statements
    assert all(isinstance(a.delivery, Delivery) for s in listed for a in s.answers)
    recent = store.recent(4)
    assert [s.id for s in recent] == [s.id for s in listed][-4:]
    assert all(len(s.answers) == answers[s.id] for s in recent)


def test_sessions_started_in_the_same_second_keep_the_order_they_were_made_in(tmp_path):
    # Their ids share the second's stamp and end "-2" ... "-12": as text "-10" sorts before "-2".
    store = Store(tmp_path)
    made = [store.new_session("practice", {"bank": "general"}).id for _ in range(12)]
    assert [s.id for s in store.sessions()] == made
    assert [s.id for s in store.recent(3)] == made[-3:]
    assert store.latest().id == made[-1]
