from __future__ import annotations

from simulator.cli.common import engine_options, llm_options, print_json, recordings_option, settings

HELP = "Check the microphone, speaker, text to speech, model, recordings folder and your own model server."


def add_arguments(c) -> None:
    c.add_argument("--json", action="store_true")
    recordings_option(c)
    engine_options(c)
    llm_options(c)


def run(args) -> int:
    from simulator.app.sessions import recordings_root
    from simulator.doctor import run_checks

    resolved = settings(args)
    checks = run_checks(recordings_root(resolved), resolved.engine, resolved.model, resolved.llm_url,
                        resolved.llm_model, args.allow_remote_llm)
    if args.json:
        print_json([c.to_dict() for c in checks])
    else:
        from simulator.report.tables import print_checks
        from simulator.report.terminal import console

        print_checks(console(), checks)
    return 1 if any(c.status == "fail" for c in checks) else 0
