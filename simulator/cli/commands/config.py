from __future__ import annotations

from simulator.cli.common import print_json

HELP = "Show or change saved defaults (devices, voice, rate, recordings folder, engine)."


def add_arguments(c) -> None:
    c.add_argument("action", nargs="?", choices=["show", "set", "unset", "path"], default="show")
    c.add_argument("key", nargs="?")
    c.add_argument("value", nargs="?")
    c.add_argument("--json", action="store_true")


def run(args) -> int:
    from simulator import config as config_mod
    from simulator.errors import UserError

    if args.action == "path":
        print(config_mod.config_path())
        return 0
    if args.action == "set":
        if not args.key or args.value is None:
            raise UserError("usage: interview-sim config set KEY VALUE")
        cfg = config_mod.set_value(args.key, args.value)
    elif args.action == "unset":
        if not args.key:
            raise UserError("usage: interview-sim config unset KEY")
        cfg = config_mod.set_value(args.key, None)
    else:
        cfg = config_mod.load()
    data = config_mod.as_dict(cfg)
    if args.json:
        print_json(data)
    else:
        for key, value in data.items():
            print(f"{key} = {'' if value is None else value}")
        print(f"# {config_mod.config_path()}")
    return 0
