"""The recordings folder on disk: where each file lives, and the check that a path stays inside it.

Layout:
    interview-sim.db              sessions, answers, their delivery metrics (simulator.store.db)
    <session id>/answer-01.wav    the recorded audio, written while the person speaks
    <session id>/answer-01.question.json   the question it answers (read by recovery)

Session ids never become paths directly: they are looked up in the database first, and every
path read back goes through `inside`.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from simulator.errors import OutsideFolder, StoreUnwritable

DB_NAME = "interview-sim.db"
ANSWER_FILE = re.compile(r"^answer-(\d{2,4})\.wav$")


def default_root() -> Path:
    """The repo's recordings/ in a checkout; otherwise a folder in the user's data dir."""
    repo = Path(__file__).resolve().parents[2] / "recordings"
    if repo.is_dir():
        return repo
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "interview-sim" / "recordings"


class RecordingsFolder:
    def __init__(self, root: Path):
        self.root = Path(root).expanduser().resolve()

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    def session_folder(self, session_id: str) -> Path:
        return self.inside(self.root / session_id)

    def answer_path(self, session_id: str, number: int) -> Path:
        return self.root / session_id / f"answer-{number:02d}.wav"

    def inside(self, path: Path) -> Path:
        """`path` resolved, or OutsideFolder when it (or a link on the way) leads out of the folder."""
        resolved = Path(path).resolve()
        if not resolved.is_relative_to(self.root):
            raise OutsideFolder(f"refusing to touch {path}: it is outside the recordings folder {self.root}")
        return resolved

    def relative(self, path: Path) -> str:
        """How a path inside the folder is stored and exported: relative, with forward slashes."""
        return Path(path).resolve().relative_to(self.root).as_posix()

    def answer_files(self, session_id: str) -> list[tuple[int, Path]]:
        """The `answer-NN.wav` files in a session's folder, by number (links not followed)."""
        folder = self.session_folder(session_id)
        if not folder.is_dir():
            return []
        found = []
        for entry in os.scandir(folder):
            m = ANSWER_FILE.match(entry.name)
            if m and entry.is_file(follow_symlinks=False):
                found.append((int(m.group(1)), self.inside(Path(entry.path))))
        return sorted(found)

    def ensure_writable(self, min_free_bytes: int = 1 << 20) -> None:
        """Fail before an interview starts, not after its first answer, when nothing can be saved."""
        import errno
        import tempfile

        try:
            with tempfile.TemporaryFile(dir=self.root, prefix=".write-check-") as f:
                f.write(b"\0" * 4096)
                f.flush()
                os.fsync(f.fileno())
            free = shutil.disk_usage(self.root).free
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StoreUnwritable(f"the recordings folder {self.root} is full") from None
            raise StoreUnwritable(f"cannot save recordings in {self.root}: {exc.strerror}") from None
        if free < min_free_bytes:
            raise StoreUnwritable(f"the recordings folder {self.root} is full ({free // 1024} KB free)")

    def nearly_full(self) -> bool:
        """Too full for SQLite's journal, which it needs even to read."""
        try:
            return shutil.disk_usage(self.root).free < 64 * 1024
        except OSError:
            return False
