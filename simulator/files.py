"""Files a person names. Writing one (a report, an export, the settings): whole or not at all.
Reading one they pasted text into (a job description, a résumé): `read_pasted_text`.

The text goes to a private temporary file beside the target, created exclusively (so a link
planted under a predictable name is never followed), and is then renamed over the target.
Only a regular file is ever replaced: a device, a folder, a pipe or a socket named by mistake
is refused. A target that is a symbolic link is written through: the link stays, the file it
points to gets the new text.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from simulator.errors import UserError

_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
          (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"))


def replace_file(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically; returns the path as given. Errors are one line."""
    path = Path(path).expanduser()
    target = Path(os.path.realpath(path))
    try:
        try:
            old = os.stat(target)
        except FileNotFoundError:
            old = None
        if old is not None and not stat.S_ISREG(old.st_mode):
            kind = next((name for test, name in _KINDS if test(old.st_mode)), "not a file")
            raise UserError(f"cannot write {path}: it is {kind}, not a regular file (name a file to write)")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(text.encode("utf-8"))
                f.flush()
                os.fsync(f.fileno())
            # mkstemp makes the file private; keep the mode the file had, or what a plain write gives.
            os.chmod(tmp, stat.S_IMODE(old.st_mode) if old is not None else 0o666 & ~_umask())
            if old is not None and (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                try:
                    os.chown(tmp, old.st_uid, old.st_gid)
                except OSError:
                    pass  # not allowed: the file becomes ours, as any editor's save would make it
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def read_pasted_text(name: str, option: str, what: str, fix: str, stdin=None) -> str:
    """The plain text a person gives as `option FILE` (`-`: standard input), at least five words
    of it; each way it can fail is one line naming the option. `what` names the text ("job
    description"), `fix` says what to do with a file that is not UTF-8."""
    import sys

    if name == "-":
        text, where = (stdin or sys.stdin).read(), "standard input"
    else:
        try:
            text, where = Path(name).expanduser().read_text(encoding="utf-8-sig"), name
        except FileNotFoundError:
            raise UserError(f"{option}: no such file: {name}") from None
        except IsADirectoryError:
            raise UserError(f"{option}: {name} is a folder; give the {what}'s text file") from None
        except UnicodeDecodeError:
            raise UserError(f"{option}: {name} is not UTF-8 text; {fix}") from None
        except OSError as e:
            raise UserError(f"{option}: cannot read {name}: {e.strerror or e}") from None
    if len(text.split()) < 5:
        raise UserError(f"{option}: {where} has no {what} in it (fewer than five words)")
    return text
