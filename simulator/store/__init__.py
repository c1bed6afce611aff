"""Stored sessions: the SQLite database (`db`) and the recordings folder on disk (`folder`)."""

from simulator.store.db import MIGRATIONS, SESSION_ID, Answer, Session, Store
from simulator.store.folder import DB_NAME, RecordingsFolder, default_root

__all__ = ["Answer", "DB_NAME", "MIGRATIONS", "RecordingsFolder", "SESSION_ID", "Session", "Store", "default_root"]
