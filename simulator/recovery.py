"""Find sessions a killed process left behind, keep their audio, analyse it, close them.

A session-writing process (practice, demo) records who owns the session in its settings:
pid, host and the process's start time. When a later command starts, any session still
`in_progress` whose owner is gone (killed, crashed, power cut) is recovered:

* every `answer-NN.wav` in its folder is kept; a WAV whose header was not refreshed before
  the kill gets its length fixed from the file size, so the audio written after the last
  header update is not lost;
* every such file without an answer row is analysed with the normal pipeline and stored
  (`stopped_by = "recovered"`), with the question it answered when the plan is known;
* the session is marked `incomplete`.

The same happens to `incomplete` sessions that still have audio without an answer row
(a second Ctrl-C during analysis). Sessions owned by a live process, or by another host
(a recordings folder on a shared drive), are left alone.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from simulator.audio.io import wav_layout
from simulator.errors import EnvironmentProblem, UserError
from simulator.store import Answer, Store


# -- who owns a session ------------------------------------------------------------------------

def owner_info() -> dict:
    """This process, as stored in a session's settings under "owner"."""
    pid = os.getpid()
    return {"pid": pid, "host": socket.gethostname(), "started": process_start(pid)}


def process_start(pid: int) -> int | float | None:
    """When `pid` started, in a form that differs between two processes that reuse one pid."""
    try:  # Linux: field 22 of /proc/PID/stat, clock ticks since boot
        text = Path(f"/proc/{pid}/stat").read_text()
        return int(text.rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        pass
    try:
        import psutil

        return round(psutil.Process(pid).create_time(), 2)
    except Exception:  # psutil missing, or no such process
        return None


def owner_alive(owner: dict | None) -> bool:
    """Is the process that started this session still running it?

    Unknown owners (sessions written before owners were recorded) count as gone; owners on
    another host count as alive, since their process cannot be checked from here.
    """
    if not isinstance(owner, dict) or not isinstance(owner.get("pid"), int):
        return False
    if owner.get("host") != socket.gethostname():
        return True
    pid = owner["pid"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # exists, owned by someone else
    except OSError:
        return False
    started = owner.get("started")
    return started is None or process_start(pid) in (None, started)


# -- WAV files cut short -------------------------------------------------------------------------

def repair_wav(path: Path) -> bool:
    """Make a WAV header's lengths match the audio that is really in the file.

    The recorder refreshes the header twice a second; a process killed in between leaves
    samples after the length the header states. Returns True when the header was changed.
    Only plain RIFF files whose data chunk is the last chunk are touched.
    """
    try:
        f = open(path, "r+b")
    except OSError:
        return False
    with f:
        layout = wav_layout(f)
        if layout is None or layout.block_align <= 0:
            return False
        present = layout.bytes_present
        if present <= layout.data_length:  # complete (or truncated: readers already stop at the end)
            return False
        f.seek(layout.data_header + 4)
        f.write(present.to_bytes(4, "little"))
        f.seek(4)
        f.write((layout.data_start + present - 8).to_bytes(4, "little"))
        f.flush()
        os.fsync(f.fileno())
        return True


# -- recovery ------------------------------------------------------------------------------------

@dataclass
class Recovered:
    session_id: str
    kept: int = 0  # answers the session has now
    analysed: int = 0  # of which analysed during recovery
    unreadable: list[str] = field(default_factory=list)  # audio kept on disk but not analysable
    marked_incomplete: bool = False

    def line(self) -> str:
        text = (f"recovered session {self.session_id}, which was interrupted: {self.kept} answer"
                f"{'s' if self.kept != 1 else ''} kept")
        if self.analysed:
            text += f" ({self.analysed} analysed just now)"
        if self.unreadable:
            text += f"; {', '.join(self.unreadable)} could not be analysed but {'are' if len(self.unreadable) > 1 else 'is'} kept"
        return text + "; marked incomplete"


def orphan_audio(store: Store, session) -> list[tuple[int, Path]]:
    """Answer audio in the session's folder that has no answer row, by number."""
    stored = {a.number for a in session.answers}
    return [(n, path) for n, path in store.folder.answer_files(session.id) if n not in stored]


def needs_recovery(store: Store) -> list[str]:
    """Ids of sessions to recover: abandoned in progress, or incomplete with unanalysed audio.
    Session folders the database does not list (it was deleted or replaced while they were
    recorded) are listed again first, as abandoned sessions."""
    for sid in store.unlisted_sessions():
        try:
            store.adopt_session(sid)
        except UserError:  # a read-only folder: listed again on a later start that can write
            break
    ids = []
    for sid, status, settings in store.session_states():
        if status == "in_progress":
            import json

            try:
                owner = json.loads(settings or "{}").get("owner")
            except (ValueError, AttributeError):
                owner = None
            if not owner_alive(owner):
                ids.append(sid)
        elif status == "incomplete":
            try:
                if orphan_audio(store, store.session(sid)):
                    ids.append(sid)
            except UserError:
                continue
    return ids


def recover(store: Store, load_transcriber: Callable[[], object], notify: Callable[[str], None]) -> list[Recovered]:
    """Recover every abandoned session; one line per session through `notify`.

    `load_transcriber` is called (once) only if there is audio to analyse. A session that
    cannot be recovered now (read-only folder, unreadable database) is reported and left as
    it is, to be tried again next time.
    """
    from simulator.pipeline import analyze_file

    done = []
    transcriber = None
    for sid in needs_recovery(store):
        try:
            session = store.session(sid)
            result = Recovered(sid)
            plan = session.settings.get("plan") or []
            for number, path in orphan_audio(store, session):
                repair_wav(path)
                question = _question(path, number, plan)
                try:
                    import soundfile

                    duration = soundfile.info(str(path)).duration
                    if transcriber is None:
                        transcriber = load_transcriber()
                    analysis = analyze_file(path, transcriber, time_budget_s=question.get("time_budget_s"),
                                            display_name=path.name)
                except (UserError, RuntimeError, OSError) as exc:
                    if isinstance(exc, EnvironmentProblem):  # no model, no engine, no room: try later
                        raise
                    result.unreadable.append(path.name)
                    continue
                store.add_answer(Answer(session_id=sid, number=number, question=question, audio=path,
                                        duration_s=round(duration, 3), stopped_by="recovered", overflows=0,
                                        engine=analysis.engine, model=analysis.model,
                                        delivery=analysis.delivery))
                result.analysed += 1
            if session.status == "in_progress":
                result.marked_incomplete = True
                if not store.finish_session(sid, "incomplete"):
                    notify(f"removed interrupted session {sid}: nothing had been recorded")
                    continue
            result.kept = len(store.session(sid).answers)
        except UserError as exc:
            notify(f"could not recover interrupted session {sid} yet: {exc}")
            continue
        if result.marked_incomplete or result.analysed:
            notify(result.line())
        done.append(result)
    return done


def _question(path: Path, number: int, plan: list) -> dict:
    """The question an answer file was for: its note beside the audio, else the session's plan."""
    import json

    try:
        question = json.loads(path.with_suffix(".question.json").read_text(encoding="utf-8"))
        if isinstance(question, dict):
            return question
    except (OSError, ValueError):
        pass
    if 0 < number <= len(plan) and isinstance(plan[number - 1], dict):
        return plan[number - 1]
    return {"text": "(question not recorded)"}


def once(load: Callable[[], object]) -> Callable[[], object]:
    """`load`, called at most once, thread-safe: recovery and the session share one model."""
    lock = threading.Lock()
    box: list = []

    def loader():
        with lock:
            if not box:
                box.append(load())
            return box[0]

    return loader
