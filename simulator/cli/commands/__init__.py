"""The registry: every command, in the order `--help` lists them. One module per command, each
with `HELP`, `add_arguments(parser)` and `run(args) -> int`; a module only parses what it was
given, calls the application layer (simulator.app) and chooses a view (simulator.report)."""

from __future__ import annotations

import importlib
from types import ModuleType

NAMES = ["practice", "plan", "demo", "questions", "analyze", "replay", "sessions", "recover", "report", "history",
         "export", "delete", "devices", "doctor", "bench", "serve", "config"]


def module(name: str) -> ModuleType:
    return importlib.import_module(f"simulator.cli.commands.{name}")
