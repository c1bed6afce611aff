"""Sessions and answers in one SQLite file beside the audio they point to.

The folder's layout and the inside-the-folder check are `simulator.store.folder`. Every write is one transaction, so an interrupted process never leaves half a session row.
The schema version lives in `PRAGMA user_version`; `MIGRATIONS` moves old files forward.
Session ids never become paths directly: they are looked up in the database, and every audio
path read back is checked to lie inside the recordings folder. Errors are the domain errors of
`simulator.errors` (SessionNotFound, StoreUnwritable, ...): the front ends add the hints.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sqlite3
import sys
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from simulator.delivery.analyze import Delivery
from simulator.delivery.model_feedback import ModelFeedback

from simulator.errors import (NotASessionId, SessionNotFound, StoreDamaged, StoreUnreadable, StoreUnwritable,
                              UserError)
from simulator.store.folder import DB_NAME, RecordingsFolder, default_root  # noqa: F401 (public here too)

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
    # 3: content feedback written by the person's own model (issue 22), stored when it is ready
    """
    -- JSON of simulator.delivery.model_feedback.ModelFeedback
    ALTER TABLE answers ADD COLUMN model_feedback TEXT;
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
    delivery: Delivery | None = None  # None: nothing analysed (or figures this version cannot read)
    created_at: str = ""
    model_feedback: ModelFeedback | None = None  # what the person's own model wrote, when it was kept


@dataclass(slots=True)
class Session:
    id: str
    kind: str
    started_at: str
    ended_at: str | None
    status: str
    settings: dict
    answers: list[Answer] = field(default_factory=list)


def _reading(method):
    """A damaged page found while reading is the same one line as a damaged header, not a crash."""
    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:  # locks, I/O: the file may be fine
            raise StoreUnreadable(f"cannot read {self._db_path}: {exc}") from None
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None
    return read


class Store:
    def __init__(self, root: Path, warn: Callable[[str], None] | None = None, *, create: bool = True):
        """`warn` hears about damaged rows that are skipped (default: one line on stderr).

        `create=False` (listings): a folder or database that is not there is read as an empty
        store, held in memory, and nothing is created on disk."""
        self.warn = warn or (lambda line: print(f"interview-sim: warning: {line}", file=sys.stderr))
        self._reported: set[tuple[str, int | None]] = set()
        self.folder = RecordingsFolder(root)
        self.root = self.folder.root
        self._db_path = self.folder.db_path
        self._identity: tuple[int, int] | None = None  # the open file's (device, inode): see _check_file
        if not create and not self._db_path.is_file():
            self._db = sqlite3.connect(":memory:", isolation_level=None)
            self._migrate()
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot use recordings folder {self.root}: {exc.strerror}") from None
        writable = os.access(self.root, os.W_OK)
        if not writable and not self._db_path.is_file():
            raise StoreUnwritable(f"cannot use recordings folder {self.root}: it is read-only and holds no sessions")
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
            self._identity = _file_identity(self._db_path) if writable else None
        except sqlite3.DatabaseError as exc:
            if self.folder.nearly_full():  # SQLite needs room for its journal even to read
                raise StoreUnwritable(f"the recordings folder {self.root} is full") from None
            if isinstance(exc, sqlite3.OperationalError):  # I/O, locks, permissions: the file may be fine
                raise StoreUnreadable(f"cannot open {self._db_path}: {exc}") from None
            raise self._unusable(exc) from None

    def _unusable(self, exc: sqlite3.DatabaseError) -> StoreDamaged:
        return StoreDamaged(f"{self._db_path}: not a usable session database ({exc})")

    def close(self) -> None:
        self._db.close()

    # -- writing ---------------------------------------------------------------------------

    def _check_file(self) -> None:
        """Before a write: is the file this store opened still the one at its path?

        A database deleted while a session runs (`rm interview-sim.db*`) stays open here, and
        SQLite goes on writing into the unlinked file: everything was lost when the process ended,
        without a word. Deleted, it is rebuilt at its path from the copy still open here (every
        session it held, and this one), and one line says so. Replaced by another file, nothing
        is written over that file: one line, and the session's audio stays in its folder, where
        `recover` finds it (recovery adopts a session folder the database does not list)."""
        if self._identity is None:
            return
        now = _file_identity(self._db_path)
        if now == self._identity:
            return
        if now is not None:
            raise self._replaced()
        # Copied beside it first, then the copy this process had is closed (SQLite removes the
        # -wal and -shm files by name on close: they must not be the new file's yet), then the
        # copy is linked into place, which fails rather than replace a file made there meanwhile.
        copy = self.root / f".{DB_NAME}.rebuilt-{os.getpid()}"
        try:
            target = sqlite3.connect(copy, isolation_level=None)
            try:
                self._db.backup(target)
                target.execute("PRAGMA journal_mode = DELETE")  # one file, nothing beside it
            finally:
                target.close()
            self._db.close()
            os.link(copy, self._db_path)
        except FileExistsError:  # another process made a new file there just now: not ours to fill
            raise self._replaced() from None
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnwritable(f"{self._db_path} was deleted while this session ran and could not be "
                                  f"rebuilt: {exc}") from None
        finally:
            copy.unlink(missing_ok=True)
        self._db = sqlite3.connect(self._db_path, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        self._identity = _file_identity(self._db_path)
        count = self._db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
        self.warn(f"{self._db_path} was deleted while in use: rebuilt from the copy this process still had "
                  f"open ({count} session{'s' if count != 1 else ''})")

    def _replaced(self) -> StoreUnwritable:
        return StoreUnwritable(f"{self._db_path} was replaced by another file while this session ran: nothing "
                               f"more is written to it; the session's audio stays in {self.root} for `recover`")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._check_file()
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise StoreUnwritable(f"cannot write to {self._db_path}: {exc}") from None
        try:
            yield self._db
        except sqlite3.OperationalError as exc:  # disk full, read-only file: a sentence, not a traceback
            self._rollback()
            raise StoreUnwritable(f"cannot write to {self._db_path}: {exc}") from None
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
                raise StoreUnwritable(f"cannot write to {self._db_path}: {exc}") from None

    def _rollback(self) -> None:
        # After a disk-full or I/O error SQLite may have rolled back already; a second ROLLBACK
        # would raise and hide the real error.
        if self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.DatabaseError:
                pass  # the error being raised says more than this one

    def ensure_writable(self, min_free_bytes: int = 1 << 20) -> None:
        self.folder.ensure_writable(min_free_bytes)

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
        return self.folder.answer_path(session_id, number)

    def add_answer(self, answer: Answer) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers (session_id, number, question, audio, duration_s, stopped_by,"
                " overflows, engine, model, delivery, created_at, model_feedback) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (answer.session_id, answer.number, json.dumps(answer.question),
                 self.folder.relative(answer.audio), answer.duration_s,
                 answer.stopped_by, answer.overflows, answer.engine, answer.model,
                 json.dumps(_delivery_dict(answer.delivery)) if answer.delivery is not None else None,
                 answer.created_at or _now(),
                 json.dumps(answer.model_feedback.to_dict()) if answer.model_feedback is not None else None))

    def set_model_feedback(self, session_id: str, number: int, feedback: ModelFeedback) -> None:
        """Store the model's feedback on an answer already stored (it comes later than the answer)."""
        with self._transaction() as db:
            db.execute("UPDATE answers SET model_feedback = ? WHERE session_id = ? AND number = ?",
                       (json.dumps(feedback.to_dict()), session_id, number))

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
        folder = self.folder.session_folder(session.id)  # refused before anything is removed
        aside = self.root / f".deleting-{session.id}-{os.getpid()}"
        moved = False
        try:
            with self._transaction() as db:
                db.execute("DELETE FROM sessions WHERE id = ?", (session.id,))
                if folder.exists():
                    try:
                        os.rename(folder, aside)
                    except OSError as exc:
                        raise StoreUnwritable(f"cannot delete session {session.id}: its folder {folder} cannot be "
                                              f"removed ({exc.strerror}); nothing was deleted") from None
                    moved = True
        except BaseException:
            if moved:
                os.rename(aside, folder)
            raise
        if moved:
            failed: list[str] = []
            shutil.rmtree(aside, onerror=lambda _fn, path, exc: failed.append(path))
            if failed:
                raise StoreUnwritable(f"session {session.id} is deleted, but {len(failed)} of its files could not "
                                      f"be removed: they are in {aside}")

    # -- reading ---------------------------------------------------------------------------

    _SESSION_COLUMNS = "id, kind, started_at, ended_at, status, settings"
    _ANSWER_COLUMNS = ("session_id, number, question, audio, duration_s, stopped_by, overflows, engine, model,"
                       " delivery, created_at, model_feedback")

    @_reading
    def sessions(self) -> list[Session]:
        """Every session with its answers, oldest first: two queries, however many sessions."""
        rows = self._db.execute(f"SELECT {self._SESSION_COLUMNS} FROM sessions ORDER BY started_at, rowid").fetchall()
        answers = self._db.execute(f"SELECT {self._ANSWER_COLUMNS} FROM answers ORDER BY session_id, number")
        return self._assemble(rows, answers)

    @_reading
    def session_states(self) -> list[tuple[str, str, str]]:
        """(id, status, settings JSON) of every session not complete: cheap, for recovery."""
        return self._db.execute("SELECT id, status, settings FROM sessions WHERE status != 'complete'"
                                " ORDER BY started_at, rowid").fetchall()

    @_reading
    def unlisted_sessions(self) -> list[str]:
        """Session folders with answer audio in them that no row lists: left by a process whose
        database was deleted or replaced under it (see _check_file)."""
        listed = {row[0] for row in self._db.execute("SELECT id FROM sessions")}
        try:
            entries = sorted(e.name for e in os.scandir(self.root) if e.is_dir(follow_symlinks=False))
        except OSError:
            return []
        return [name for name in entries
                if SESSION_ID.match(name) and name not in listed and self.folder.answer_files(name)]

    def adopt_session(self, session_id: str) -> None:
        """List an unlisted session folder again, as a session in progress whose owner is gone
        (recovery then analyses its audio and closes it). Its start time is in its id."""
        started = datetime.strptime(session_id[:15], "%Y%m%d-%H%M%S").isoformat(timespec="seconds")
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO sessions (id, kind, started_at, status, settings) VALUES (?,?,?,?,?)",
                       (session_id, "practice", started, "in_progress", json.dumps({"adopted": True})))

    @_reading
    def recent(self, count: int) -> list[Session]:
        """The last `count` sessions, oldest first, without reading the rest."""
        rows = self._db.execute(f"SELECT {self._SESSION_COLUMNS} FROM sessions ORDER BY started_at DESC, rowid DESC"
                                " LIMIT ?", (max(0, count),)).fetchall()
        rows.reverse()
        return self._assemble(rows, self._answers_of([r[0] for r in rows]))

    @_reading
    def latest(self) -> Session:
        row = self._db.execute("SELECT id FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT 1").fetchone()
        if row is None:
            raise SessionNotFound(f"no sessions stored in {self.root} yet (try `interview-sim demo`)")
        return self.session(row[0])

    @_reading
    def session(self, ref: str, *, exact: bool = False) -> Session:
        """A session by its id, a unique start of its id, or "latest".

        `exact`: only a whole id or the word "latest" (for deleting, where a guess is not enough).
        """
        if exact:
            if ref != "latest" and not (ref and SESSION_ID.fullmatch(ref)):
                raise NotASessionId(f"{ref!r} is not a session id: give a whole id (see `interview-sim sessions`) "
                                    "or the word latest")
        ref = (ref or "").strip()
        if ref in ("", "latest"):
            return self.latest()
        if not re.fullmatch(r"[0-9-]{1,24}", ref):
            raise NotASessionId(f"{ref!r} is not a session id (ids look like 20261125-194612; "
                                "see `interview-sim sessions`)")
        rows = self._db.execute(f"SELECT {self._SESSION_COLUMNS} FROM sessions"
                                " WHERE id = ? OR id LIKE ? ORDER BY id", (ref, ref + "%")).fetchall()
        whole = [r for r in rows if r[0] == ref]
        rows = whole if exact else whole or rows
        if not rows:
            raise SessionNotFound(f"no session {ref!r} in {self.root} (see `interview-sim sessions`)")
        if len(rows) > 1:
            raise SessionNotFound(f"{ref!r} matches {len(rows)} sessions; give more of the id")
        return self._assemble(rows, self._answers_of([rows[0][0]]))[0]

    def _answers_of(self, ids: list[str]):
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self._db.execute(f"SELECT {self._ANSWER_COLUMNS} FROM answers WHERE session_id IN ({marks})"
                                " ORDER BY session_id, number", ids)

    def _assemble(self, session_rows, answer_rows) -> list[Session]:
        """Typed sessions from their rows; damaged settings read as empty, damaged answers skipped."""
        by_session: dict[str, list[Answer]] = defaultdict(list)
        for r in answer_rows:
            sid = r[0]
            try:
                question, delivery = _object(r[2]), _object(r[9]) if r[9] else None
            except ValueError:
                self._damaged(sid, r[1], f"answer {r[1]} is damaged and is skipped")
                continue
            if delivery is not None:
                try:
                    delivery = Delivery.from_dict(delivery)
                except (KeyError, TypeError, ValueError, AttributeError):
                    self._damaged(sid, r[1], f"answer {r[1]}'s figures cannot be read by this version (shown without them)")
                    delivery = None
            written = None
            if r[11]:
                try:
                    written = ModelFeedback.from_dict(_object(r[11]))
                except (KeyError, TypeError, ValueError, AttributeError):
                    self._damaged(sid, r[1], f"answer {r[1]}'s feedback from your model cannot be read (shown without it)")
            by_session[sid].append(Answer(
                session_id=sid, number=r[1], question=question, audio=self.folder.inside(self.root / r[3]),
                duration_s=r[4], stopped_by=r[5], overflows=r[6], engine=r[7], model=r[8],
                delivery=delivery, created_at=r[10], model_feedback=written))
        out = []
        for sid, kind, started, ended, status, settings in session_rows:
            try:
                settings = _object(settings)
            except ValueError:
                self._damaged(sid, None, "its settings are damaged (read as empty)")
                settings = {}
            out.append(Session(sid, kind, started, ended, status, settings, by_session.get(sid, [])))
        return out

    def _damaged(self, sid: str, number: int | None, what: str) -> None:
        if (sid, number) not in self._reported:  # once per process, however often it is read
            self._reported.add((sid, number))
            self.warn(f"session {sid}: {what} ({self._db_path})")

    def _migrate(self) -> None:
        """Bring the file up to the current schema in one transaction: all steps or none.

        The version is read again under the write lock, so two processes opening an old file at
        the same moment do not both migrate it.
        """
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StoreDamaged(f"{self._db_path} was written by a newer interview-sim (schema {version});"
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


def _file_identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


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


def _delivery_dict(delivery) -> dict:
    """As stored: the `analyze --json` keys (a plain dict passes through, as older callers gave)."""
    return delivery.to_dict() if isinstance(delivery, Delivery) else delivery


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
