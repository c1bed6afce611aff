"""Stored sessions as JSON or CSV, for people who keep their own records.

JSON: a list of sessions, each with its settings, its summary and every answer with the full
stored delivery (the `analyze --json` keys). CSV: one row per answer with the headline figures
(the same for every version), then any other plain figures the stored delivery carries.
"""

from __future__ import annotations

import csv
import io

from simulator.store import Session, Store

CSV_COLUMNS = [
    "session_id", "session_kind", "session_started_at", "session_status", "answer", "question_id", "bank",
    "category", "question", "audio", "duration_s", "stopped_by", "engine", "model", "word_count", "speech_s",
    "wpm", "time_to_first_word_s", "pauses", "long_pauses", "hesitations", "discourse_fillers",
    "fillers_per_min", "transcript",
]
# Delivery keys already covered above, or not plain figures.
_COVERED = {"file", "duration_s", "transcript", "words", "word_count", "speech_s", "wpm", "time_to_first_word_s",
            "pauses", "fillers", "fillers_per_min", "metrics", "engine", "model"}
_TEXT = {"question", "transcript", "category", "bank", "question_id", "content_next_step"}


def session_dict(store: Store, s: Session, *, full: bool = True) -> dict:
    """The one way a session becomes a dict: `export` (full) and `sessions --json` (a listing row:
    no settings, `answers` is their count)."""
    from simulator.delivery.summary import summarize

    head = {"id": s.id, "kind": s.kind, "started_at": s.started_at, "ended_at": s.ended_at, "status": s.status}
    summary = summarize([a.delivery for a in s.answers]).to_dict()
    if not full:
        return {**head, "answers": len(s.answers), "summary": summary}
    return {
        **head,
        "settings": s.settings,
        "summary": summary,
        "answers": [{
            "number": a.number, "question": a.question, "audio": a.audio.relative_to(store.root).as_posix(),
            "duration_s": a.duration_s, "stopped_by": a.stopped_by, "overflows": a.overflows,
            "engine": a.engine, "model": a.model, "created_at": a.created_at,
            "delivery": a.delivery.to_dict() if a.delivery is not None else None,
            # what the person's own model wrote about it, when it was kept (issue 22)
            **({"model_feedback": a.model_feedback.to_dict()} if a.model_feedback is not None else {}),
        } for a in s.answers],
    }


def to_json(store: Store, sessions: list[Session]) -> str:
    import json

    return json.dumps([session_dict(store, s) for s in sessions], indent=2, ensure_ascii=False) + "\n"


def csv_rows(store: Store, sessions: list[Session]) -> tuple[list[str], list[dict]]:
    from simulator.delivery.summary import summarize

    rows, extra = [], []
    for s in sessions:
        for a in s.answers:
            d = a.delivery.to_dict() if a.delivery is not None else {}
            q = a.question or {}
            one = summarize([a.delivery]) if a.delivery is not None else None  # counted as the session summary counts
            row = {
                "session_id": s.id, "session_kind": s.kind, "session_started_at": s.started_at,
                "session_status": s.status, "answer": a.number, "question_id": q.get("id"), "bank": q.get("bank"),
                "category": q.get("category"), "question": q.get("text"),
                "audio": a.audio.relative_to(store.root).as_posix(), "duration_s": a.duration_s,
                "stopped_by": a.stopped_by, "engine": a.engine, "model": a.model,
                "word_count": d.get("word_count"), "speech_s": d.get("speech_s"), "wpm": d.get("wpm"),
                "time_to_first_word_s": d.get("time_to_first_word_s"),
                "pauses": len(d["pauses"]) if "pauses" in d else None,
                "long_pauses": one.long_pauses if one else None,
                "hesitations": (d.get("fillers") or {}).get("hesitation"),
                "discourse_fillers": (d.get("fillers") or {}).get("discourse"),
                "fillers_per_min": d.get("fillers_per_min"), "transcript": d.get("transcript"),
            }
            if a.delivery is not None and a.delivery.content.judged:  # the content judge's verdicts, as judged
                c = a.delivery.content
                d = {**d, "content_parts": " ".join(c.parts_heard), "content_owner": c.ownership.owner,
                     "content_measured_result": c.measured_result, "content_answered": c.answered,
                     "content_next_step": c.next_step.text if c.next_step else None}
            for key, value in d.items():
                if key in _COVERED or not _plain(value):
                    continue
                row[key] = value
                if key not in extra:
                    extra.append(key)
            rows.append(row)
    return CSV_COLUMNS + extra, rows


def to_csv(store: Store, sessions: list[Session]) -> str:
    columns, rows = csv_rows(store, sessions)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(k, v) for k, v in row.items()})
    return buf.getvalue()


def _plain(value) -> bool:
    return value is None or isinstance(value, (int, float, str, bool))


def _cell(key: str, value):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is quoted with a leading '."""
    if value is None:
        return ""
    if key in _TEXT and isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
