from __future__ import annotations

from simulator.cli.common import print_json

HELP = "List audio input and output devices."


def add_arguments(c) -> None:
    c.add_argument("--json", action="store_true")


def run(args) -> int:
    from simulator.audio import devices as dev

    found = dev.list_devices()
    if args.json:
        from dataclasses import asdict

        print_json([asdict(d) for d in found])
        return 0
    from simulator.report.tables import print_devices
    from simulator.report.terminal import console

    print_devices(console(), found)
    return 0
