from __future__ import annotations

import argparse

from simulator.cli.common import engine_options, port, recordings_option

HELP = "Practise in your web browser: the same interview, sessions and reports, on this machine."


def add_arguments(c) -> None:
    c.add_argument("--port", type=port, default=8765, metavar="N", help="port to listen on (default 8765; 0: any free one)")
    c.add_argument("--host", default="127.0.0.1", metavar="H",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    c.add_argument("--allow-remote", action="store_true",
                   help="allow a --host other machines can reach (they still need the token)")
    c.add_argument("--open", action="store_true", help="open the address in your web browser")
    c.add_argument("--token", help=argparse.SUPPRESS)  # tests and scripts: a known token
    recordings_option(c)
    engine_options(c)


def run(args) -> int:
    # The web app (starlette, uvicorn) is imported only when served: every other command starts without it.
    from simulator.web.serve import serve

    return serve(args)
