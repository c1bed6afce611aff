from __future__ import annotations

import sys

from simulator.cli.common import recordings_option, store

HELP = "Export stored sessions as JSON or CSV, for your own records."


def add_arguments(c) -> None:
    c.add_argument("session", nargs="?", metavar="SESSION", help="one session id (default: every session)")
    c.add_argument("--format", choices=["json", "csv"], default="json", help="json (default) or csv")
    c.add_argument("--output", metavar="PATH", help="write to this file instead of the screen")
    recordings_option(c)


def run(args) -> int:
    from simulator.report.export import to_csv, to_json

    opened = store(args)
    sessions = [opened.session(args.session)] if args.session else opened.sessions()
    text = to_csv(opened, sessions) if args.format == "csv" else to_json(opened, sessions)
    if args.output:
        from simulator.files import replace_file

        path = replace_file(args.output, text)
        print(f"{len(sessions)} session{'s' if len(sessions) != 1 else ''} written to {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
