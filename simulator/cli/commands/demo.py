from __future__ import annotations

from simulator.cli.common import engine_options, recordings_option, settings

HELP = "A complete short interview answered by a synthetic candidate: no microphone needed."


def add_arguments(c) -> None:
    c.add_argument("--output-device", metavar="ID", help="speaker: index or part of its name")
    c.add_argument("--no-speak", action="store_true", help="print the questions without speaking them")
    recordings_option(c)
    engine_options(c)


def run(args) -> int:
    from simulator.app.practice import run_demo
    from simulator.report.terminal import TerminalView

    run_demo(settings(args), TerminalView(), speak=not args.no_speak, output_device=args.output_device)
    return 0
