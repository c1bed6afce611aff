"""Sessions and answers in one SQLite file beside the audio they point to.

Layout of a recordings folder:
    interview-sim.db              sessions, answers, their delivery metrics (JSON)
    <session id>/answer-01.wav    the recorded audio, written while the person speaks

Every write is one transaction, so an interrupted process never leaves half a session row.
The schema version lives in `PRAGMA user_version`; `MIGRATIONS` moves old files forward.
Session ids never become paths directly: they are looked up in the database, and every audio
path read back is checked to lie inside the recordings folder.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from simulator.errors import UserError

DB_NAME = "interview-sim.db"
SESSION_ID = re.compile(r"^\d{8}-\d{6}(-\d+)?$")

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,                 -- practice | demo
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,               -- in_progress | complete | incomplete
        settings TEXT NOT NULL DEFAULT '{}' -- JSON: bank, mode, engine, model, devices...
    );
    CREATE TABLE answers (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        question TEXT NOT NULL,             -- JSON: id, bank, text, category, time_budget_s...
        audio TEXT NOT NULL,                -- path relative to the recordings folder
        duration_s REAL NOT NULL,
        stopped_by TEXT NOT NULL,
        overflows INTEGER NOT NULL DEFAULT 0,
        engine TEXT,
        model TEXT,
        delivery TEXT,                      -- JSON of simulator.delivery.analyze.Delivery
        created_at TEXT NOT NULL,
        PRIMARY KEY (session_id, number)
    );
    """,
    # 2: sessions are listed and picked by start time; history reads them all in that order
    """
    CREATE INDEX IF NOT EXISTS sessions_started ON sessions(started_at, id);
    """,
]


@dataclass(slots=True)
class Answer:
    session_id: str
    number: int
    question: dict
    audio: Path  # absolute
    duration_s: float
    stopped_by: str
    overflows: int = 0
    engine: str | None = None
    model: str | None = None
    delivery: dict | None = None
    created_at: str = ""


@dataclass(slots=True)
class Session:
    id: str
    kind: str
    started_at: str
    ended_at: str | None
    status: str
    settings: dict
    answers: list[Answer] = field(default_factory=list)


def default_root() -> Path:
    """The repo's recordings/ in a checkout; otherwise a folder in the user's data dir."""
    repo = Path(__file__).resolve().parents[1] / "recordings"
    if repo.is_dir():
        return repo
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "interview-sim" / "recordings"


def _reading(method):
    """A damaged page found while reading is the same one line as a damaged header, not a crash."""
    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:  # locks, I/O: the file may be fine
            raise UserError(f"cannot read {self._db_path}: {exc}", exit_code=1) from None
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None
    return read


class Store:
    def __init__(self, root: Path, warn: Callable[[str], None] | None = None):
        """`warn` hears about damaged rows that are skipped (default: one line on stderr)."""
        self.warn = warn or (lambda line: print(f"interview-sim: warning: {line}", file=sys.stderr))
        self._reported: set[tuple[str, int | None]] = set()
        self.root = Path(root).expanduser().resolve()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot use recordings folder {self.root}: {exc.strerror}") from None
        self._db_path = self.root / DB_NAME
        writable = os.access(self.root, os.W_OK)
        if not writable and not self._db_path.is_file():
            raise UserError(f"cannot use recordings folder {self.root}: it is read-only and holds no sessions",
                            exit_code=1, hint="choose another folder with --recordings-dir")
        try:
            if writable:
                self._db = sqlite3.connect(self._db_path, timeout=10, isolation_level=None)
            else:  # read-only media: a WAL database cannot make its -shm file, so read it as immutable
                from urllib.parse import quote

                self._db = sqlite3.connect(f"file:{quote(str(self._db_path))}?mode=ro&immutable=1", uri=True,
                                           timeout=10, isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA journal_mode = WAL" if writable else "PRAGMA query_only = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            try:
                full = shutil.disk_usage(self.root).free < 64 * 1024
            except OSError:
                full = False
            if full:  # SQLite needs room for its journal even to read
                raise UserError(f"the recordings folder {self.root} is full", exit_code=1,
                                hint="free some space or choose another folder with --recordings-dir") from None
            if isinstance(exc, sqlite3.OperationalError):  # I/O, locks, permissions: the file may be fine
                raise UserError(f"cannot open {self._db_path}: {exc}", exit_code=1) from None
            raise self._unusable(exc) from None

    def _unusable(self, exc: sqlite3.DatabaseError) -> UserError:
        return UserError(f"{self._db_path}: not a usable session database ({exc})")

    def close(self) -> None:
        self._db.close()

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise UserError(f"cannot write to {self._db_path}: {exc}", exit_code=1) from None
        try:
            yield self._db
        except sqlite3.OperationalError as exc:  # disk full, read-only file: a sentence, not a traceback
            self._rollback()
            raise UserError(f"cannot write to {self._db_path}: {exc}", exit_code=1) from None
        except sqlite3.DatabaseError as exc:  # a damaged page
            self._rollback()
            raise self._unusable(exc) from None
        except BaseException:
            self._rollback()
            raise
        else:
            try:
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._rollback()
                raise UserError(f"cannot write to {self._db_path}: {exc}", exit_code=1) from None

    def _rollback(self) -> None:
        # After a disk-full or I/O error SQLite may have rolled back already; a second ROLLBACK
        # would raise and hide the real error.
        if self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass  # the error being raised says more than this one

    def ensure_writable(self, min_free_bytes: int = 1 << 20) -> None:
        """Fail before an interview starts, not after its first answer, when nothing can be saved."""
        import tempfile

        fix = "free some space, fix its permissions, or choose another folder with --recordings-dir"
        try:
            with tempfile.TemporaryFile(dir=self.root, prefix=".write-check-") as f:
                f.write(b"\0" * 4096)
                f.flush()
                os.fsync(f.fileno())
            free = shutil.disk_usage(self.root).free
        except OSError as exc:
            import errno

            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise UserError(f"the recordings folder {self.root} is full", exit_code=1, hint=fix) from None
            raise UserError(f"cannot save recordings in {self.root}: {exc.strerror}", exit_code=1, hint=fix) from None
        if free < min_free_bytes:
            raise UserError(f"the recordings folder {self.root} is full ({free // 1024} KB free)", exit_code=1,
                            hint=fix)

    def new_session(self, kind: str, settings: dict) -> Session:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        with self._transaction() as db:
            taken = {r[0] for r in db.execute("SELECT id FROM sessions WHERE id LIKE ?", (stamp + "%",))}
            sid, n = stamp, 1
            while sid in taken or (self.root / sid).exists():
                n += 1
                sid = f"{stamp}-{n}"
            now = _now()
            db.execute("INSERT INTO sessions (id, kind, started_at, status, settings) VALUES (?,?,?,?,?)",
                       (sid, kind, now, "in_progress", json.dumps(settings)))
        (self.root / sid).mkdir(parents=True, exist_ok=True)
        return Session(id=sid, kind=kind, started_at=now, ended_at=None, status="in_progress",
                       settings=settings)

    def answer_path(self, session_id: str, number: int) -> Path:
        return self.root / session_id / f"answer-{number:02d}.wav"

    def add_answer(self, answer: Answer) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers (session_id, number, question, audio, duration_s, stopped_by,"
                " overflows, engine, model, delivery, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (answer.session_id, answer.number, json.dumps(answer.question),
                 str(answer.audio.resolve().relative_to(self.root)), answer.duration_s,
                 answer.stopped_by, answer.overflows, answer.engine, answer.model,
                 json.dumps(answer.delivery) if answer.delivery is not None else None,
                 answer.created_at or _now()))

    def finish_session(self, session_id: str, status: str = "complete") -> bool:
        """Close a session. One that ended early with nothing recorded is not kept (a closed pipe,
        Ctrl-C before the first answer): returns False when the session was removed."""
        with self._transaction() as db:
            db.execute("UPDATE sessions SET status = ?, ended_at = ? WHERE id = ?", (status, _now(), session_id))
            empty = (status != "complete"
                     and db.execute("SELECT COUNT(*) FROM answers WHERE session_id = ?", (session_id,)).fetchone()[0] == 0
                     and not any((self.root / session_id).glob("answer-*.wav")))
        if empty:
            try:
                self.delete_session(session_id)
            except UserError as exc:
                self.warn(f"could not remove empty session {session_id}: {exc}")
                return True
        return not empty

    def delete_session(self, session_id: str) -> None:
        """Remove a session (by its exact id) and its folder: both or neither.

        The folder is moved aside inside the transaction that deletes the rows, so a folder that
        cannot be removed leaves every row in place.
        """
        session = self.session(session_id, exact=True)
        folder = self._inside(self.root / session.id)  # refused before anything is removed
        aside = self.root / f".deleting-{session.id}-{os.getpid()}"
        moved = False
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM sessions WHERE id = ?", (session.id,))
                if folder.exists():
                    try:
                        os.rename(folder, aside)
                    except OSError as exc:
                        raise UserError(f"cannot delete session {session.id}: its folder {folder} cannot be removed "
                                        f"({exc.strerror}); nothing was deleted", exit_code=1) from None
                    moved = True
        except BaseException:
            if moved:
                os.rename(aside, folder)
            raise
        if moved:
            failed: list[str] = []
            shutil.rmtree(aside, onerror=lambda _fn, path, exc: failed.append(path))
            if failed:
                raise UserError(f"session {session.id} is deleted, but {len(failed)} of its files could not be "
                                f"removed: they are in {aside}", exit_code=1)

    # -- reading ---------------------------------------------------------------------------

    @_reading
    def sessions(self) -> list[Session]:
        rows = self._db.execute("SELECT id FROM sessions ORDER BY started_at, id").fetchall()
        return [self.session(r[0]) for r in rows]

    @_reading
    def session_states(self) -> list[tuple[str, str, str]]:
        """(id, status, settings JSON) of every session not complete: cheap, for recovery."""
        return self._db.execute("SELECT id, status, settings FROM sessions WHERE status != 'complete'"
                                " ORDER BY started_at, id").fetchall()

    @_reading
    def recent(self, count: int) -> list[Session]:
        """The last `count` sessions, oldest first, without reading the rest."""
        rows = self._db.execute("SELECT id FROM sessions ORDER BY started_at DESC, id DESC LIMIT ?",
                                (max(0, count),)).fetchall()
        return [self.session(r[0]) for r in reversed(rows)]

    @_reading
    def latest(self) -> Session:
        row = self._db.execute("SELECT id FROM sessions ORDER BY started_at DESC, id DESC LIMIT 1").fetchone()
        if row is None:
            raise UserError(f"no sessions stored in {self.root} yet (try `interview-sim demo`)")
        return self.session(row[0])

    @_reading
    def session(self, ref: str, *, exact: bool = False) -> Session:
        """A session by its id, a unique start of its id, or "latest".

        `exact`: only a whole id or the word "latest" (for deleting, where a guess is not enough).
        """
        if exact:
            if ref != "latest" and not (ref and SESSION_ID.fullmatch(ref)):
                raise UserError(f"{ref!r} is not a session id: give a whole id (see `interview-sim sessions`) "
                                "or the word latest")
        ref = (ref or "").strip()
        if ref in ("", "latest"):
            return self.latest()
        if not re.fullmatch(r"[0-9-]{1,24}", ref):
            raise UserError(f"{ref!r} is not a session id (ids look like 20261125-194612; see `interview-sim sessions`)")
        rows = self._db.execute("SELECT id, kind, started_at, ended_at, status, settings FROM sessions"
                                " WHERE id = ? OR id LIKE ? ORDER BY id", (ref, ref + "%")).fetchall()
        whole = [r for r in rows if r[0] == ref]
        rows = whole if exact else whole or rows
        if not rows:
            raise UserError(f"no session {ref!r} in {self.root} (see `interview-sim sessions`)")
        if len(rows) > 1:
            raise UserError(f"{ref!r} matches {len(rows)} sessions; give more of the id")
        sid, kind, started, ended, status, settings = rows[0]
        try:
            settings = _object(settings)
        except ValueError:
            self._damaged(sid, None, "its settings are damaged (read as empty)")
            settings = {}
        session = Session(sid, kind, started, ended, status, settings)
        for r in self._db.execute("SELECT number, question, audio, duration_s, stopped_by, overflows, engine,"
                                  " model, delivery, created_at FROM answers WHERE session_id = ?"
                                  " ORDER BY number", (sid,)):
            try:
                question, delivery = _object(r[1]), _object(r[8]) if r[8] else None
            except ValueError:
                self._damaged(sid, r[0], f"answer {r[0]} is damaged and is skipped")
                continue
            session.answers.append(Answer(
                session_id=sid, number=r[0], question=question, audio=self._inside(self.root / r[2]),
                duration_s=r[3], stopped_by=r[4], overflows=r[5], engine=r[6], model=r[7],
                delivery=delivery, created_at=r[9]))
        return session

    def _damaged(self, sid: str, number: int | None, what: str) -> None:
        if (sid, number) not in self._reported:  # once per process, however often it is read
            self._reported.add((sid, number))
            self.warn(f"session {sid}: {what} ({self._db_path})")

    def _inside(self, path: Path) -> Path:
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise UserError(f"refusing to touch {path}: it is outside the recordings folder {self.root}")
        return resolved

    def _migrate(self) -> None:
        """Bring the file up to the current schema in one transaction: all steps or none.

        The version is read again under the write lock, so two processes opening an old file at
        the same moment do not both migrate it.
        """
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise UserError(f"{self._db_path} was written by a newer interview-sim (schema {version});"
                            " upgrade this program to read it")
        if version == len(MIGRATIONS):
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number}")
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise


def _statements(script: str) -> Iterator[str]:
    """The SQL statements of a migration script, one at a time (DDL is transactional in SQLite)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending.strip()
            pending = ""
    if pending.strip() and not all(l.strip().startswith("--") or not l.strip() for l in pending.splitlines()):
        raise ValueError(f"incomplete SQL statement in a migration: {pending.strip()[:60]}")


def _object(text) -> dict:
    """A stored JSON object; ValueError for anything else (a damaged or tampered row)."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError, RecursionError):
        raise ValueError("not JSON") from None
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")
