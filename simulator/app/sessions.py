"""Stored sessions as a front end needs them: the store in force, recovery, deletion."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from simulator.config import Config
from simulator.errors import EnvironmentProblem, UserError
from simulator.store import Session, Store, default_root


def recordings_root(settings: Config) -> Path:
    return Path(settings.recordings_dir or default_root())


def open_store(settings: Config, *, create: bool = True) -> Store:
    """The store the settings point at. Opening never recovers anything and never loads a model;
    with `create=False` it creates no folder or database either (a listing of nothing)."""
    return Store(recordings_root(settings), create=create)


def transcriber_loader(settings: Config) -> Callable[[], object]:
    """Loads the settings' engine and model when called (not before: it takes a while)."""
    engine, model = settings.engine, settings.model

    def load():
        from simulator import transcribe

        return transcribe.load(engine, model)

    return load


def check_model(settings: Config) -> None:
    """An engine or model that cannot be had fails before an interview starts."""
    from simulator.transcribe import check

    check(settings.engine, settings.model)


def recover(store: Store, load: Callable[[], object], notify: Callable[[str], None]) -> Callable[[], object]:
    """Sessions a killed process left behind: keep and analyse their audio, mark them incomplete.

    Returns `load` made load-once, so recovery and a new session share one model.
    """
    from simulator.recovery import once, recover as recover_sessions

    load = once(load)
    recover_sessions(store, load, notify)
    return load


def deletable(store: Store, ref: str) -> Session:
    """The session `ref` names exactly, refused while its recording process still runs."""
    from simulator.recovery import owner_alive

    session = store.session(ref, exact=True)
    owner = session.settings.get("owner")
    if session.status == "in_progress" and owner_alive(owner):
        where = f"process {owner.get('pid')} on {owner.get('host')}" if isinstance(owner, dict) else "another process"
        raise UserError(f"not deleting session {session.id}: {where} is still recording it", exit_code=1,
                        hint="end that interview first")
    return session


def output_device(settings: Config, chosen: str | None, warn: Callable[[str], None]):
    """The speaker: the option's device, else the saved one (or the default, with a warning)."""
    from simulator.audio import devices

    return (devices.resolve(chosen, "output") if chosen
            else devices.resolve_or_default(settings.output_device, "output", warn))


def replay_device(settings: Config, chosen: str | None, warn: Callable[[str], None]):
    from simulator.audio import devices

    device = output_device(settings, chosen, warn)
    if not devices.has_device("output", device):
        raise EnvironmentProblem("no audio output device to play through", hint="check `interview-sim devices`")
    return device
