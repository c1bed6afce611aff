from __future__ import annotations

from simulator.cli.common import engine_options, recordings_option, settings, store, warn

HELP = ("Recover sessions a killed process left behind: keep and analyse their audio, mark them incomplete "
        "(practice and demo do this when they start).")


def add_arguments(c) -> None:
    recordings_option(c)
    engine_options(c)


def run(args) -> int:
    from simulator.app.sessions import recover, transcriber_loader

    resolved = settings(args)
    said: list[str] = []

    def notify(line: str) -> None:
        said.append(line)
        warn(line)

    recover(store(args, resolved), transcriber_loader(resolved), notify)
    if not said:
        print("No interrupted sessions to recover.")
    return 0
