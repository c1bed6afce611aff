from __future__ import annotations

from simulator.cli.common import positive, recordings_option, settings, store

HELP = "Play a stored answer while its transcript follows along."


def add_arguments(c) -> None:
    c.add_argument("session", nargs="?", default="latest", metavar="SESSION", help="session id (default: latest)")
    c.add_argument("--answer", type=positive(int), metavar="N", help="answer number (default: all)")
    c.add_argument("--output-device", metavar="ID", help="speaker: index or part of its name")
    recordings_option(c)


def run(args) -> int:
    from simulator.app.sessions import replay_device
    from simulator.audio.playback import play
    from simulator.errors import UserError
    from simulator.report.replay import replay_answer
    from simulator.report.terminal import console

    import soundfile

    resolved = settings(args)
    session = store(args, resolved).session(args.session)
    answers = session.answers
    if args.answer:
        answers = [a for a in answers if a.number == args.answer]
        if not answers:
            raise UserError(f"session {session.id} has no answer {args.answer} "
                            f"(it has {len(session.answers)})")
    if not answers:
        raise UserError(f"session {session.id} has no recorded answers")
    out = console()
    device = replay_device(resolved, args.output_device, lambda m: out.print(f"warning: {m}"))
    for a in answers:
        if not a.audio.is_file():
            raise UserError(f"the audio of answer {a.number} is missing: {a.audio}")
        samples, rate = soundfile.read(str(a.audio), dtype="float32")
        replay_answer(out, session.id, a, lambda follow: play(samples, rate, device, on_position=follow))
    return 0
