"""What the command modules share: argument helpers, settings, JSON output, the spinner."""

from __future__ import annotations

import argparse
import json
import math
import sys


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and exit 2, as for every other bad input
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def positive(kind):
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):  # float("nan") and float("inf") parse, but no wait is endless
            raise argparse.ArgumentTypeError(f"must be a finite number, not {text}")
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be greater than zero, not {text}")
        return value
    return parse


def port(text: str) -> int:
    """A TCP port: 0 (any free one) to 65535."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535, not {text}")
    return value


def recordings_option(c) -> None:
    c.add_argument("--recordings-dir", metavar="PATH",
                   help="where sessions are stored (default: $INTERVIEW_SIM_RECORDINGS, the config, or recordings/)")


def engine_options(c) -> None:
    c.add_argument("--engine", choices=["faster-whisper", "openai-whisper"], help="transcription engine")
    c.add_argument("--model", help="tiny.en (packaged, default), base, or a CTranslate2 model folder")


def llm_options(c) -> None:
    c.add_argument("--llm", dest="llm_url", metavar="URL",
                   help="your own local model server (OpenAI-compatible: Ollama, llama-server, ...), e.g. "
                        "http://127.0.0.1:11434; it writes main questions from --job/--resume, the follow-ups and content feedback "
                        "(default: the config's llm_url, none)")
    c.add_argument("--llm-model", metavar="NAME",
                   help="the model to ask for there (default: the config's llm_model, else the first it lists)")
    c.add_argument("--allow-remote-llm", action="store_true",
                   help="allow an --llm address that is not this machine's loopback (your answers' words go there)")


def settings(args):
    """The settings in force for this command (option > environment > file > default)."""
    from simulator import config

    return config.resolve(args)


def store(args, resolved=None, *, create: bool = True):
    from simulator.app.sessions import open_store

    return open_store(resolved or settings(args), create=create)


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def warn(line: str) -> None:
    print(f"interview-sim: {line}", file=sys.stderr)


def spinner(quiet: bool):
    """`busy(label, fn)` for the app layer: a spinner on a terminal's stderr, else nothing."""
    def busy(text: str, fn):
        from simulator.report.terminal import console

        err = console(stderr=True)
        if quiet or not err.is_terminal:
            return fn()
        with err.status(text):
            return fn()
    return busy
