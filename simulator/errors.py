"""The one exception type a person is meant to read.

Anything raised as `UserError` is printed by the CLI as a single line and exits with
`exit_code` (2: bad usage or bad input, 1: the environment is missing something).
"""


class UserError(Exception):
    def __init__(self, message: str, *, exit_code: int = 2, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class EnvironmentProblem(UserError):
    """Something outside the input is missing: a device, a package, the model."""

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message, exit_code=1, hint=hint)


# -- domain errors: raised below the front ends, which add the hints (the CLI: simulator/cli/errors.py) --

class SessionNotFound(UserError):
    """No stored session matches the reference (or it matches several)."""


class NotASessionId(UserError):
    """A reference that cannot be a session id at all."""


class OutsideFolder(UserError):
    """A path read back from the database points outside the recordings folder."""


class StoreDamaged(UserError):
    """The database file is not a usable session database (or a newer program wrote it)."""


class StoreUnreadable(EnvironmentProblem):
    """The database could not be opened or read (locks, I/O, permissions): the file may be fine."""


class StoreUnwritable(EnvironmentProblem):
    """Nothing can be saved: the folder is full, read-only, or refuses the write."""


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM, raised on the main thread by the CLI's signal handler.

    A BaseException, so no `except Exception` swallows it: it unwinds through every `finally`
    (files closed, the session marked incomplete) up to the CLI, which ends the process.
    Whatever it passes through may add to `note`, the one line the person is told.
    """

    def __init__(self, signum: int, note: str = ""):
        super().__init__(signum)
        self.signum = signum
        self.note = note
