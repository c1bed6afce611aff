from __future__ import annotations

from simulator.cli.common import print_json, recordings_option, store

HELP = "List stored sessions."


def add_arguments(c) -> None:
    c.add_argument("--json", action="store_true")
    recordings_option(c)


def run(args) -> int:
    """A listing only: it never recovers a session or loads a model (that is `recover`)."""
    from simulator.report.export import session_dict

    opened = store(args, create=False)  # a listing never changes the folder
    rows = opened.sessions()
    if args.json:
        print_json([session_dict(opened, s, full=False) for s in rows])
        return 0
    from simulator.report.tables import print_sessions
    from simulator.report.terminal import console

    print_sessions(console(), rows, opened.root)
    return 0
