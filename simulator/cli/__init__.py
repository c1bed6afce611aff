"""Command line: parse arguments, run one command from the registry, map errors to exit codes.

Each command is a module in `simulator.cli.commands` (the registry lists them); errors become
one line and an exit code in `simulator.cli.errors`. Heavy imports (numpy, faster-whisper, torch,
sounddevice) happen inside the commands, so `interview-sim --help` and every error about
arguments come back at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from simulator import __version__
from simulator.cli import commands
from simulator.cli.common import Parser
from simulator.cli.errors import explain
from simulator.errors import Interrupted, UserError

EPILOG = "Run `interview-sim COMMAND --help` for a command's options."


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="interview-sim", description="Practise interviews aloud, offline: spoken questions, "
               "recorded answers, instant delivery feedback.", epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in commands.NAMES:
        command = commands.module(name)
        command.add_arguments(sub.add_parser(name, help=command.HELP, description=command.HELP))
    return p


# -- Ctrl-C and SIGTERM ---------------------------------------------------------------------------
#
# The default Ctrl-C raises KeyboardInterrupt and the interpreter then finalises while
# CTranslate2's native threads are still transcribing: a segfault (139) or a C++ abort (134).
# Here both signals raise `Interrupted` on the main thread, so every `finally` runs (the audio
# file closed, the session marked incomplete, SQLite committed or rolled back), and the process
# then ends with os._exit, which never runs the finalisers the native threads crash in.

GRACE_S = 5.0  # longest clean-up after the first signal before the process ends anyway
EXIT_NAMES = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated (SIGTERM)"}
_received: int | None = None  # the first signal, once one has come
_said = False  # the one line has been written


def _on_signal(signum: int, _frame) -> None:
    global _received
    if _received is None:
        _received = signum
        # A clean-up that hangs (a device, a helper process) must not keep the process alive.
        watchdog = threading.Timer(GRACE_S, _end_now, (signum,))
        watchdog.daemon = True
        watchdog.start()
        raise Interrupted(signum)
    _end_now(_received)  # a second signal: what is committed is committed, end at once


def _catch_signals() -> dict:
    global _received, _said
    _received, _said = None, False
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}


def _say(signum: int, note: str = "") -> None:
    """The one line, written straight to the file descriptor: safe inside a signal handler, where
    sys.stderr may be in the middle of another write."""
    global _said
    if _said:
        return
    _said = True
    line = f"interview-sim: {EXIT_NAMES.get(signum, f'signal {signum}')}{'; ' + note if note else ''}\n"
    try:
        os.write(2, line.encode("utf-8", "replace"))
    except OSError:
        pass


def _end_now(signum: int, note: str = "") -> None:
    _say(signum, note)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, RuntimeError):  # closed pipe, closed file, a write in progress
            pass
    os._exit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    previous = _catch_signals()
    try:
        code = _main(argv)
        if _received is not None:  # the signal's exception was swallowed on the way: still end as it asks
            _end_now(_received)
        return code
    except Interrupted as exc:
        _end_now(exc.signum, exc.note)
    except KeyboardInterrupt:  # a Ctrl-C that came before the handlers were in place
        _end_now(signal.SIGINT)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        return commands.module(args.command).run(args) or 0
    except UserError as exc:
        if _received is not None:  # a clean-up step failed because of the signal: the signal tells
            raise Interrupted(_received) from None
        line, code = explain(exc)
        print(f"interview-sim: {line}", file=sys.stderr)
        return code
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the promise: never a traceback, unless asked for
        if _received is not None:
            raise Interrupted(_received) from None
        if os.environ.get("INTERVIEW_SIM_DEBUG"):
            raise
        print(f"interview-sim: internal error: {type(exc).__name__}: {exc} "
              "(set INTERVIEW_SIM_DEBUG=1 for details)", file=sys.stderr)
        return 1
