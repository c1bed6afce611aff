"""Command line: parse arguments, call one function per command, print a view.

Heavy imports (numpy, faster-whisper, torch, sounddevice) happen inside the commands, so
`interview-sim --help` and every error about arguments come back at once.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading

from simulator import __version__
from simulator.errors import EnvironmentProblem, Interrupted, StoreUnwritable, UserError

EPILOG = "Run `interview-sim COMMAND --help` for a command's options."


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit 2, as for every other bad input
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than zero, not {text}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="interview-sim", description="Practise interviews aloud, offline: spoken questions, "
               "recorded answers, instant delivery feedback.", epilog=EPILOG)
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name, help_text):
        return sub.add_parser(name, help=help_text, description=help_text)

    def recordings(c):
        c.add_argument("--recordings-dir", metavar="PATH",
                       help="where sessions are stored (default: $INTERVIEW_SIM_RECORDINGS, the config, or recordings/)")

    def engine(c):
        c.add_argument("--engine", choices=["faster-whisper", "openai-whisper"], help="transcription engine")
        c.add_argument("--model", help="tiny.en (packaged, default), base, or a CTranslate2 model folder")

    c = command("practice", "Answer spoken questions into your microphone and get feedback on each answer.")
    c.add_argument("--questions", type=_positive(int), default=5, metavar="N",
                   help="how many questions, counting the warm-up and the closing (default 5); "
                        "follow-ups come on top")
    c.add_argument("--bank", metavar="NAME", action="append",
                   help="question bank: a name (see `questions`) or the path to your own .toml file; repeat it "
                        "or use commas for several (default: general,composure,self-awareness,motivation)")
    c.add_argument("--mode", choices=["standard", "pressure"], default="standard",
                   help="pressure: shorter time budgets, a faster voice, more curveballs, and the "
                        "interviewer cuts in when your time is up")
    c.add_argument("--seed", type=int, help="make the session reproducible (the same seed and history give the "
                                            "same questions; add --repeat to ask a past session's again)")
    c.add_argument("--repeat", action="store_true", help="allow questions asked in your recent sessions")
    c.add_argument("--voice", metavar="ID", help="the interviewer's voice, a pyttsx3/espeak id such as gmw/en-US "
                                                 "(default: the config's voice)")
    c.add_argument("--rate", type=int, metavar="WPM", help="the interviewer's speaking rate, 80-400 words per "
                                                          "minute (default: the config's rate, 170)")
    c.add_argument("--interviewer", metavar="NAME", help="the interviewer's name (default: the config's, Alex)")
    c.add_argument("--input-device", metavar="ID", help="microphone: index or part of its name (see `devices`)")
    c.add_argument("--output-device", metavar="ID", help="speaker: index or part of its name")
    c.add_argument("--max-answer", type=_positive(float), default=180.0, metavar="SECONDS",
                   help="longest answer before recording stops (default 180)")
    c.add_argument("--silence-stop", type=_positive(float), default=4.0, metavar="SECONDS",
                   help="stop after this much silence once you have spoken (default 4)")
    c.add_argument("--think-time", type=_positive(float), metavar="SECONDS",
                   help="time to think before your first word; then the interviewer gently prompts you and "
                        "keeps listening (default: the config's think_time, 30)")
    c.add_argument("--live", action="store_true",
                   help="show running pace and filler counts while you speak (off by default: some find it distracting)")
    c.add_argument("--no-speak", action="store_true", help="print the questions without speaking them")
    recordings(c)
    engine(c)

    c = command("demo", "A complete short interview answered by a synthetic candidate: no microphone needed.")
    c.add_argument("--output-device", metavar="ID", help="speaker: index or part of its name")
    c.add_argument("--no-speak", action="store_true", help="print the questions without speaking them")
    recordings(c)
    engine(c)

    c = command("questions", "List the interview questions in the banks.")
    c.add_argument("--bank", metavar="NAME", action="append",
                   help="a bank name or the path to your own .toml file; repeat it or use commas "
                        "(default: every shipped bank)")
    c.add_argument("--json", action="store_true",
                   help="a list of objects: id, bank, category, text, difficulty, time_budget_s, "
                        "strong_answer, follow_ups, curveball")

    c = command("analyze", "Delivery metrics for audio files (WAV, FLAC, MP3, OGG, M4A...).")
    c.add_argument("audio", nargs="+", metavar="AUDIO")
    c.add_argument("--json", action="store_true", help="machine-readable output (see README for the keys)")
    c.add_argument("--budget", type=_positive(float), metavar="SECONDS", help="time budget to compare length with")
    engine(c)

    c = command("replay", "Play a stored answer while its transcript follows along.")
    c.add_argument("session", nargs="?", default="latest", metavar="SESSION", help="session id (default: latest)")
    c.add_argument("--answer", type=_positive(int), metavar="N", help="answer number (default: all)")
    c.add_argument("--output-device", metavar="ID", help="speaker: index or part of its name")
    recordings(c)

    c = command("sessions", "List stored sessions.")
    c.add_argument("--json", action="store_true")
    recordings(c)

    c = command("report", "A session's report: a summary here, or one self-contained HTML file with --html.")
    c.add_argument("session", nargs="?", default="latest", metavar="SESSION", help="session id (default: latest)")
    c.add_argument("--html", metavar="PATH", help="write the HTML report here (a folder or a .html file)")
    c.add_argument("--open", action="store_true", help="open the HTML report in the web browser")
    recordings(c)

    c = command("history", "Your progress across sessions: trends, personal bests, categories practised.")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.add_argument("--html", metavar="PATH", help="write the progress charts as one HTML file")
    c.add_argument("--last", type=_positive(int), default=5, metavar="N",
                   help="show the last N sessions and the change over them (default 5)")
    recordings(c)

    c = command("export", "Export stored sessions as JSON or CSV, for your own records.")
    c.add_argument("session", nargs="?", metavar="SESSION", help="one session id (default: every session)")
    c.add_argument("--format", choices=["json", "csv"], default="json", help="json (default) or csv")
    c.add_argument("--output", metavar="PATH", help="write to this file instead of the screen")
    recordings(c)

    c = command("delete", "Delete a stored session and its audio.")
    c.add_argument("session", metavar="SESSION", help="session id (see `interview-sim sessions`)")
    c.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    recordings(c)

    c = command("devices", "List audio input and output devices.")
    c.add_argument("--json", action="store_true")

    c = command("doctor", "Check the microphone, speaker, text to speech, model and recordings folder.")
    c.add_argument("--json", action="store_true")
    recordings(c)

    c = command("bench", "Measure transcription speed and accuracy, and feedback latency after a long answer.")
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.add_argument("--answer-seconds", type=_positive(float), default=120.0, metavar="S",
                   help="length of the long answer for the feedback-latency test (default 120)")
    c.add_argument("--accuracy", action="store_true",
                   help="also run the delivery-metrics accuracy suite (pauses, pace, fillers against ground truth)")
    c.add_argument("--engines-only", action="store_true", help="skip the feedback-latency test")

    c = command("config", "Show or change saved defaults (devices, voice, rate, recordings folder, engine).")
    c.add_argument("action", nargs="?", choices=["show", "set", "unset", "path"], default="show")
    c.add_argument("key", nargs="?")
    c.add_argument("value", nargs="?")
    c.add_argument("--json", action="store_true")
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


# What a person can do about an error raised below, in this front end's words.
HINTS = {
    StoreUnwritable: "free some space, fix its permissions, or choose another folder with --recordings-dir",
}


def explain(exc: UserError) -> tuple[str, int]:
    """The one line and the exit code for an error: the one place the CLI decides them
    (2: bad usage or bad input, 1: the environment is missing something)."""
    hint = exc.hint or next((h for kind, h in HINTS.items() if isinstance(exc, kind)), None)
    line = exc.message if not hint else f"{exc.message} ({hint})"
    return line, (1 if isinstance(exc, EnvironmentProblem) else exc.exit_code)


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    try:
        from simulator import commands

        return getattr(commands, args.command.replace("-", "_"))(args) or 0
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
