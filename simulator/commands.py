"""One function per CLI command: resolve settings, call the stage that does the work, show a view."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from simulator import config as config_mod
from simulator.errors import EnvironmentProblem, UserError


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def _store(args, cfg=None):
    from simulator.store import Store

    return Store(_store_root(args, cfg))


def _transcriber_loader(args, cfg, quiet: bool):
    engine = getattr(args, "engine", None) or cfg.engine
    model = getattr(args, "model", None) or cfg.model

    def load():
        from simulator import transcribe

        return transcribe.load(engine, model)

    return engine, model, load


def _with_spinner(text: str, fn, quiet: bool):
    from simulator.report.terminal import console

    err = console(stderr=True)
    if quiet or not err.is_terminal:
        return fn()
    with err.status(text):
        return fn()


# -- the interview ---------------------------------------------------------------------------

def practice(args) -> int:
    from simulator.audio import devices
    from simulator.interview.interviewer import Interviewer, parse_banks, pressure_rate, recent_question_keys
    from simulator.interview.practice import MicrophoneSource
    from simulator.interview.session import SessionSettings, run_session
    from simulator.report.terminal import TerminalView

    cfg = config_mod.load()
    view = TerminalView()
    rate = config_mod._coerce("rate", args.rate, "--rate") if args.rate is not None else cfg.rate
    if args.mode == "pressure":
        rate = pressure_rate(rate)
    # The plan comes first: a broken bank file fails before any device is opened.
    store = _store(args, cfg)
    interviewer = Interviewer(parse_banks(args.bank), questions=args.questions, seed=args.seed, mode=args.mode,
                              name=args.interviewer or cfg.interviewer, recent=recent_question_keys(store),
                              repeat=args.repeat)
    input_device = (devices.resolve(args.input_device, "input") if args.input_device
                    else devices.resolve_or_default(cfg.input_device, "input", view.warn))
    if not devices.has_device("input", input_device):
        raise EnvironmentProblem("no microphone (input device) found",
                                 hint="connect one, check `interview-sim devices`, or try `interview-sim demo`")
    store.ensure_writable()  # a read-only or full folder fails now, not after the first answer
    engine, model, load = _transcriber_loader(args, cfg, quiet=False)
    _check_model(engine, model)
    load = _recover(store, load, view.warn)
    speaker = _speaker(args, cfg, view, rate=rate, voice=args.voice or cfg.voice)
    source = MicrophoneSource(input_device, args.max_answer, args.silence_stop, on_tick=view.meter,
                              live=args.live, think_s=args.think_time or cfg.think_time)
    view.listening(f"Answer after each question. Recording stops when you press Enter, after "
                   f"{args.silence_stop:g} s of silence, or at {args.max_answer:g} s. Ctrl-C ends the session.")
    if args.mode == "pressure":
        view.listening("Pressure mode: shorter time budgets, and the interviewer cuts in when yours is up.")
    view.listening(f"Seed {interviewer.seed}: `--seed {interviewer.seed} --repeat` asks these questions again.")
    for note in interviewer.notes:
        view.listening(f"Note: {note}.")
    settings = SessionSettings(kind="practice", bank=",".join(b.name for b in interviewer.banks), engine=engine,
                               model=model, extra={"input_device": input_device, "questions": args.questions,
                                                   "repeat": args.repeat, "voice": speaker.voice.voice,
                                                   "rate": rate, **interviewer.settings()})
    try:
        run_session(store, settings, interviewer, source, speaker, load, view)
    finally:
        speaker.voice.close()
    return 0


def demo(args) -> int:
    from simulator.interview.demo import DemoSource, demo_turns
    from simulator.interview.session import SessionSettings, run_session
    from simulator.report.terminal import TerminalView

    cfg = config_mod.load()
    view = TerminalView()
    store = _store(args, cfg)
    store.ensure_writable()  # a read-only or full folder fails now, not after the first answer
    engine, model, load = _transcriber_loader(args, cfg, quiet=False)
    _check_model(engine, model)
    load = _recover(store, load, view.warn)
    speaker = _speaker(args, cfg, view)
    source = DemoSource()
    view.listening("Demo: a synthetic candidate answers three questions; its answers go through the "
                   "same transcription, metrics and storage as yours would.")
    settings = SessionSettings(kind="demo", bank="demo", engine=engine, model=model)
    try:
        run_session(store, settings, demo_turns(), source, speaker, load, view)
    finally:
        speaker.voice.close()
        source.voice.close()
    return 0


def _check_model(engine: str, model: str) -> None:
    """An engine or model that cannot be had fails before the interview starts (the model itself
    loads in the background, while the interviewer speaks)."""
    from simulator.transcribe import check

    check(engine, model)


def _recover(store, load, notify):
    """Sessions a killed process left behind: keep and analyse their audio, mark them incomplete.

    Returns `load` made load-once, so recovery and the new session share one model.
    """
    from simulator.recovery import once, recover

    load = once(load)
    recover(store, load, notify)
    return load


def _speaker(args, cfg, view, rate: int | None = None, voice: str | None = None):
    from simulator.audio import devices
    from simulator.interview.tts import Speaker, Voice

    voice = Voice(rate=rate or cfg.rate, voice=voice or cfg.voice)
    if getattr(args, "no_speak", False):
        return Speaker(voice, None, enabled=False)
    try:
        device = (devices.resolve(args.output_device, "output") if args.output_device
                  else devices.resolve_or_default(cfg.output_device, "output", view.warn))
        available = devices.has_device("output", device)
    except EnvironmentProblem as exc:
        available, device = False, None
        view.warn(exc.message)
    if not available:
        view.warn("no audio output device found: the questions are shown here but not spoken")
    return Speaker(voice, device, enabled=available)


def questions(args) -> int:
    from simulator.interview.interviewer import parse_banks
    from simulator.interview.questions import load_all, load_bank

    banks = [load_bank(name) for name in parse_banks(args.bank)] if args.bank else load_all()
    if args.json:
        _print_json([q.to_dict() for b in banks for q in b.questions])
        return 0
    for b in banks:
        print(f"{b.name}: {b.title} ({len(b)} question{'s' if len(b) != 1 else ''})")
        for q in b.questions:
            mark = " *curveball*" if q.curveball else ""
            print(f"  {q.id}  [{q.category}, {q.time_budget_s:g} s]{mark}  {q.text}")
    total = sum(len(b) for b in banks)
    print(f"{total} questions in {len(banks)} bank{'s' if len(banks) != 1 else ''}")
    return 0


# -- files and sessions ------------------------------------------------------------------------

def analyze(args) -> int:
    from simulator.pipeline import analyze_file
    from simulator.report.terminal import TerminalView

    cfg = config_mod.load()
    engine, model, load = _transcriber_loader(args, cfg, quiet=args.json)
    # Check every file can be opened before the model loads: bad input fails fast.
    from simulator.audio.io import iter_blocks, wav_shortfall

    results, failed = [], 0
    paths = [Path(a) for a in args.audio]
    transcriber = None
    view = TerminalView()
    for path in paths:
        try:
            next(iter_blocks(path, block_s=0.1), None)
            short = wav_shortfall(path)
            if short:
                print(f"interview-sim: warning: {path} is cut short (its header promises {short[0]:.1f} s, "
                      f"{short[1]:.1f} s are there): analysing what is there", file=sys.stderr)
            if transcriber is None:
                transcriber = _with_spinner(f"loading {engine} {model}…", load, args.json)
            analysis = _with_spinner(f"analysing {path.name}…",
                                     lambda: analyze_file(path, transcriber, time_budget_s=args.budget,
                                                          display_name=str(path)), args.json)
        except UserError as exc:
            if len(paths) == 1 or not args.json:
                print(f"interview-sim: {exc}", file=sys.stderr)
            failed += 1
            if args.json:
                results.append({"file": str(path), "error": exc.message})
            if len(paths) == 1:
                return exc.exit_code
            continue
        if args.json:
            results.append(analysis.to_dict())
        else:
            from simulator.report.terminal import print_delivery

            view.out.rule(str(path))
            print_delivery(view.out, analysis.delivery, analysis.engine, analysis.model, heading="Transcript: ")
    if args.json:
        _print_json(results[0] if len(paths) == 1 else results)
    return 2 if failed else 0


def sessions(args) -> int:
    from rich.table import Table

    from simulator.delivery.summary import summarize
    from simulator.report.terminal import console

    store = _store(args)
    _recover(store, _transcriber_loader(args, config_mod.load(), quiet=True)[2],
             lambda line: print(f"interview-sim: {line}", file=sys.stderr))
    rows = store.sessions()
    if args.json:
        from simulator.report.export import session_dict

        _print_json([session_dict(store, s, full=False) for s in rows])
        return 0
    out = console()
    if not rows:
        out.print(f"No sessions in {store.root} yet. Try `interview-sim demo` or `interview-sim practice`.")
        return 0
    table = Table(box=None, header_style="bold", pad_edge=False)
    # The id is what a person copies: it never wraps or shrinks; the other columns give way.
    table.add_column("session", no_wrap=True, min_width=max(len(s.id) for s in rows))
    for col in ("kind", "started", "status", "answers", "pace", "fillers/min"):
        table.add_column(col)
    for s in rows:
        sm = summarize([a.delivery for a in s.answers])
        table.add_row(s.id, s.kind, s.started_at.replace("T", " "), s.status, str(len(s.answers)),
                      f"{sm.wpm:.0f} wpm" if sm.wpm else "–",
                      f"{sm.fillers_per_min:.1f}" if sm.fillers_per_min is not None else "–")
    out.print(table)
    out.print(f"[dim]{store.root}[/dim]")
    return 0


def replay(args) -> int:
    from rich.text import Text

    from simulator.audio import devices
    from simulator.audio.playback import play
    from simulator.report.terminal import console

    import soundfile

    cfg = config_mod.load()
    store = _store(args, cfg)
    session = store.session(args.session)
    answers = session.answers
    if args.answer:
        answers = [a for a in answers if a.number == args.answer]
        if not answers:
            raise UserError(f"session {session.id} has no answer {args.answer} "
                            f"(it has {len(session.answers)})")
    if not answers:
        raise UserError(f"session {session.id} has no recorded answers")
    out = console()
    device = (devices.resolve(args.output_device, "output") if args.output_device
              else devices.resolve_or_default(cfg.output_device, "output", lambda m: out.print(f"warning: {m}")))
    if not devices.has_device("output", device):
        raise EnvironmentProblem("no audio output device to play through",
                                 hint="check `interview-sim devices`")
    for a in answers:
        if not a.audio.is_file():
            raise UserError(f"the audio of answer {a.number} is missing: {a.audio}")
        out.rule(f"Session {session.id} · answer {a.number}")
        out.print(Text(f"Q: {(a.question or {}).get('text', '')}", style="bold"))
        samples, rate = soundfile.read(str(a.audio), dtype="float32")
        words = a.delivery.words if a.delivery is not None else []
        shown = 0

        def follow(position: float) -> None:
            nonlocal shown
            while shown < len(words) and words[shown].start <= position:
                w = words[shown]
                style = "magenta" if w.filler else ""
                out.print(Text(w.text + " ", style=style), end="")
                shown += 1

        play(samples, rate, device, on_position=follow)
        follow(float("inf"))
        out.print()
    return 0


# -- the machine -------------------------------------------------------------------------------

def devices(args) -> int:
    from rich.table import Table

    from simulator.audio import devices as dev
    from simulator.report.terminal import console

    found = dev.list_devices()
    if args.json:
        from dataclasses import asdict

        _print_json([asdict(d) for d in found])
        return 0
    out = console()
    if not found:
        out.print("No audio devices found. Run `interview-sim doctor` for what to do.")
        return 0
    table = Table(box=None, header_style="bold")
    for col in ("index", "name", "api", "in", "out", "default"):
        table.add_column(col)
    for d in found:
        default = " ".join(x for x, y in (("input", d.is_default_input), ("output", d.is_default_output)) if y)
        table.add_row(str(d.index), d.name, d.host_api, str(d.max_input_channels), str(d.max_output_channels), default)
    out.print(table)
    return 0


def doctor(args) -> int:
    from simulator.doctor import run_checks
    from simulator.report.terminal import console

    checks = run_checks(_store_root(args))
    if args.json:
        _print_json([c.to_dict() for c in checks])
    else:
        out = console()
        for c in checks:
            mark = {"ok": "[green]ok[/green]  ", "warn": "[yellow]warn[/yellow]", "fail": "[red]FAIL[/red]"}[c.status]
            out.print(f"{mark} {c.name}: {c.detail}" + (f"\n      fix: {c.fix}" if c.fix and c.status != "ok" else ""))
    return 1 if any(c.status == "fail" for c in checks) else 0


def _store_root(args, cfg=None) -> Path:
    """--recordings-dir, else $INTERVIEW_SIM_RECORDINGS, else the config, else the default."""
    from simulator.store import default_root

    chosen = getattr(args, "recordings_dir", None)
    if chosen is not None and not chosen.strip():  # an unset variable in a script: not "the default"
        raise UserError("--recordings-dir needs a folder, not an empty name")
    cfg = cfg or config_mod.load()
    return Path(chosen or os.environ.get("INTERVIEW_SIM_RECORDINGS") or cfg.recordings_dir or default_root())


def config(args) -> int:
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
        _print_json(data)
    else:
        for key, value in data.items():
            print(f"{key} = {'' if value is None else value}")
        print(f"# {config_mod.config_path()}")
    return 0


# -- reports and records -----------------------------------------------------------------------

def report(args) -> int:
    from rich.text import Text

    from simulator.report.terminal import TerminalView, console, print_delivery

    store = _store(args)
    session = store.session(args.session)
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
    view.summary(session)
    out.print(Text(f"HTML report: interview-sim report {session.id} --html report.html", style="dim"))
    return 0


def history(args) -> int:
    from simulator.report.history import build_history, print_history, render_history
    from simulator.report.terminal import console

    store = _store(args)
    h = build_history(store.sessions(), last=args.last)
    if args.html:
        path = Path(args.html).expanduser()
        if path.is_dir():
            path = path / "history.html"
        from simulator.report.html import save_page

        save_page(path, lambda: render_history(h))
        if not args.json:
            print(f"Progress charts written to {path}")
    if args.json:
        _print_json(h.to_dict())
    elif not args.html:
        print_history(h, console())
    return 0


def export(args) -> int:
    from simulator.report.export import to_csv, to_json

    store = _store(args)
    sessions = [store.session(args.session)] if args.session else store.sessions()
    text = to_csv(store, sessions) if args.format == "csv" else to_json(store, sessions)
    if args.output:
        from simulator.files import replace_file

        path = replace_file(args.output, text)
        print(f"{len(sessions)} session{'s' if len(sessions) != 1 else ''} written to {path}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def delete(args) -> int:
    from simulator.recovery import owner_alive

    store = _store(args)
    session = store.session(args.session, exact=True)
    owner = session.settings.get("owner")
    if session.status == "in_progress" and owner_alive(owner):
        where = f"process {owner.get('pid')} on {owner.get('host')}" if isinstance(owner, dict) else "another process"
        raise UserError(f"not deleting session {session.id}: {where} is still recording it", exit_code=1,
                        hint="end that interview first")
    if not args.yes:
        if not sys.stdin or not sys.stdin.isatty():
            raise UserError(f"not deleting session {session.id} without confirmation: add --yes")
        answer = input(f"Delete session {session.id} ({session.kind}, {session.started_at.replace('T', ' ')}, "
                       f"{len(session.answers)} answers) and its audio? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return 0  # the person chose; nothing went wrong
    store.delete_session(session.id)
    print(f"Deleted session {session.id}.")
    return 0


def bench(args) -> int:
    from rich.table import Table

    from simulator import bench as bench_mod
    from simulator.report.terminal import console

    err = console(stderr=True)
    progress = (lambda text: None) if args.json or not err.is_terminal else (lambda text: err.print(f"[dim]… {text}[/dim]"))
    result = bench_mod.run(answer_s=args.answer_seconds, progress=progress, latency=not args.engines_only)
    if args.accuracy:
        result["accuracy"] = bench_mod.accuracy(progress)
        result["accuracy"]["summary"] = bench_mod.accuracy_summary(result["accuracy"])
    if args.json:
        _print_json(result)
        return 0
    out = console()
    table = Table(title="Transcription engines (clips: JFK, two LibriVox readings)", header_style="bold")
    for col in ("engine", "model", "compute", "load s", "RTF", "peak RSS MB", "WER"):
        table.add_column(col, justify="left" if col in ("engine", "model", "compute") else "right")
    for e in result["engines"]:
        table.add_row(e["engine"], e["model"], e["compute_type"], f"{e['load_s']:.2f}", f"{e['rtf']:.3f}",
                      f"{e['peak_rss_mb']:.0f}", f"{100 * e['wer']:.1f}%")
    out.print(table)
    lat = result.get("feedback_latency_s")
    if lat:
        out.print(f"Feedback latency after a {lat['answer_s']:.0f} s answer: streaming {lat['streaming']:.2f} s, "
                  f"whole-file {lat['batch']:.2f} s")
    if "accuracy" in result:
        acc = result["accuracy"]["summary"]
        out.print(f"Pace error: {100 * acc['pace_error_aligned_max']:.1f}% worst aligned clip, "
                  f"{100 * acc['pace_error_synthetic_median']:.1f}% median synthetic answer (target 5%)")
        out.print(f"Pauses of 0.5 s or more: recall {acc['pause_recall_aligned']:.2f}, "
                  f"precision {acc['pause_precision_aligned']:.2f} (target 0.9)")
        out.print(f"Hesitations: recall {acc['hesitation_recall']:.2f} (target 0.9), precision "
                  f"{acc['hesitation_precision']:.2f} (target 0.95); discourse false positives: "
                  f"{acc['discourse_false_positives']} (target 0)")
        table = Table(title="Hesitations kept, by engine and decoding (synthetic answers)", header_style="bold")
        for col in ("engine", "verbatim", "found / said", "recall", "precision"):
            table.add_column(col)
        for row in result["accuracy"]["verbatim"]:
            h = row["hesitations"]
            table.add_row(row["engine"], "on" if row["verbatim"] else "off", f"{h['found']} / {h['true']}",
                          f"{row['hesitation_recall']:.2f}", f"{row['hesitation_precision']:.2f}")
        out.print(table)
    return 0
