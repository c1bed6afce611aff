from __future__ import annotations

import sys

from simulator.cli.common import recordings_option, store

HELP = "Delete a stored session and its audio."


def add_arguments(c) -> None:
    c.add_argument("session", metavar="SESSION", help="session id (see `interview-sim sessions`)")
    c.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    recordings_option(c)


def run(args) -> int:
    from simulator.app.sessions import deletable
    from simulator.errors import UserError

    opened = store(args)
    session = deletable(opened, args.session)
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise UserError(f"not deleting session {session.id} without confirmation: add --yes")
        answer = input(f"Delete session {session.id} ({session.kind}, {session.started_at.replace('T', ' ')}, "
                       f"{len(session.answers)} answers) and its audio? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 0  # the person chose; nothing went wrong
    opened.delete_session(session.id)
    print(f"Deleted session {session.id}.")
    return 0
