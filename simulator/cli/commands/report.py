from __future__ import annotations

import sys
from pathlib import Path

from simulator.cli.common import recordings_option, store

HELP = "A session's report: a summary here, or one self-contained HTML file with --html."


def add_arguments(c) -> None:
    c.add_argument("session", nargs="?", default="latest", metavar="SESSION", help="session id (default: latest)")
    c.add_argument("--html", metavar="PATH", help="write the HTML report here (a folder or a .html file)")
    c.add_argument("--open", action="store_true", help="open the HTML report in the web browser")
    recordings_option(c)


def run(args) -> int:
    from rich.text import Text

    from simulator.errors import UserError
    from simulator.report.terminal import TerminalView, console, print_delivery, print_model_feedback

    session = store(args).session(args.session)
    if args.open and not args.html:
        raise UserError("--open needs --html PATH (the report to open)")
    if args.html:
        from simulator.report.html import write_report

        path = write_report(session, Path(args.html))
        print(f"Report written to {path}")
        if args.open:
            import webbrowser

            if not webbrowser.open(path.resolve().as_uri()):
                print(f"interview-sim: could not start a web browser; open {path} yourself", file=sys.stderr)
        return 0
    view = TerminalView(console())
    out = view.out
    for a in session.answers:
        q = a.question or {}
        out.rule(f"Answer {a.number}" + (f" · {q['category']}" if q.get("category") else ""))
        out.print(Text(f"Q: {q.get('text', '')}", style="bold"))
        print_delivery(out, a.delivery, a.engine, a.model)
        if a.model_feedback is not None:
            print_model_feedback(out, a.number, a.model_feedback)
    view.summary(session)
    out.print(Text(f"HTML report: interview-sim report {session.id} --html report.html", style="dim"))
    return 0
