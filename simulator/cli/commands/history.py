from __future__ import annotations

from pathlib import Path

from simulator.cli.common import positive, print_json, recordings_option, store

HELP = "Your progress across sessions: trends, personal bests, categories practised."


def add_arguments(c) -> None:
    c.add_argument("--json", action="store_true", help="machine-readable output")
    c.add_argument("--html", metavar="PATH", help="write the progress charts as one HTML file")
    c.add_argument("--last", type=positive(int), default=5, metavar="N",
                   help="show the last N sessions and the change over them (default 5)")
    recordings_option(c)


def run(args) -> int:
    from simulator.delivery.coaching import changes
    from simulator.report.history import build_history, print_history, render_history
    from simulator.report.terminal import console

    rows = store(args, create=False).sessions()  # nor does the history
    h = build_history(rows, last=args.last)
    if args.html:
        path = Path(args.html).expanduser()
        if path.is_dir():
            path = path / "history.html"
        from simulator.report.html import save_page

        save_page(path, lambda: render_history(h))
        if not args.json:
            print(f"Progress charts written to {path}")
    ordered = sorted(rows, key=lambda s: (s.started_at, s.id))
    since = changes([[a.delivery for a in s.answers] for s in ordered])
    if args.json:
        print_json({**h.to_dict(), "changes": since})
    elif not args.html:
        print_history(h, console())
        if since:
            print("Since the session before: " + "; ".join(since) + ".")
    return 0
