"""The one place the CLI turns an error into its one line and exit code.

2: bad usage or bad input; 1: the environment is missing something (`EnvironmentProblem`).
The domain errors raised below (`simulator.errors`) carry no CLI wording: hints that name an
option are added here.
"""

from __future__ import annotations

from simulator.app.options import OptionError
from simulator.errors import EnvironmentProblem, StoreUnwritable, UserError

# What a person can do about an error raised below, in this front end's words.
HINTS: dict[type[UserError], str] = {
    StoreUnwritable: "free some space, fix its permissions, or choose another folder with --recordings-dir",
}


# Options by the names the command line gives them (the rest are `--` and the name).
FLAGS = {"banks": "--bank", "max_answer_s": "--max-answer", "silence_stop_s": "--silence-stop",
         "think_s": "--think-time"}


def explain(exc: UserError) -> tuple[str, int]:
    """The line (without the program's name) and the exit code for `exc`."""
    if isinstance(exc, OptionError):
        exc = UserError(f"{FLAGS.get(exc.field, '--' + exc.field)}: {exc.reason}", exit_code=exc.exit_code,
                        hint=exc.hint)
    hint = exc.hint or next((h for kind, h in HINTS.items() if isinstance(exc, kind)), None)
    line = exc.message if not hint else f"{exc.message} ({hint})"
    return line, (1 if isinstance(exc, EnvironmentProblem) else exc.exit_code)
