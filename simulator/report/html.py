"""The session report as one self-contained HTML file: works offline, no CDN, no network.

Per answer: the audio (embedded as a data: URI), the transcript with fillers highlighted and pauses
drawn where they happened (click a word to play from it), a pace-over-time chart (inline SVG), and
the metrics against their targets with their one-line notes. The session summary sits on top.

This is a view: it only reads stored results (typed, as the store returns them) and the judge's
verdicts (`simulator.delivery.judge`), and never computes or judges a metric itself. Every piece of user or
transcript text goes through `html.escape`.
"""

from __future__ import annotations

import base64
import math
import mimetypes
from dataclasses import dataclass
from datetime import datetime
from html import escape
from importlib import resources
from pathlib import Path
from typing import Iterable

from simulator.delivery.judge import clock
from simulator.store import Answer, Session

AUDIO_TYPES = {".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg", ".mp3": "audio/mpeg",
               ".m4a": "audio/mp4", ".webm": "audio/webm"}


def asset(name: str) -> str:
    return resources.files("simulator.report").joinpath("templates", name).read_text(encoding="utf-8")


def inline_script() -> str:
    """The report script, exactly as it stands between <script> and </script> (a server's
    Content-Security-Policy allows it by the hash of this text)."""
    return f"\n{asset('report.js')}"


def page(title: str, body: str, *, script: bool = True) -> str:
    """A complete HTML document with the inline stylesheet (and the report script)."""
    js = f"<script>{inline_script()}</script>\n" if script else ""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        # No network, ever: a report opened from disk must not fetch anything.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; media-src data: blob: file:; img-src data:\">\n"
        f"<title>{escape(title)}</title>\n<style>\n{asset('report.css')}</style>\n</head>\n<body>\n"
        f"<main>\n{body}\n</main>\n{js}</body>\n</html>\n"
    )


# -- charts -----------------------------------------------------------------------------------

@dataclass
class Point:
    x: float
    y: float
    title: str
    cls: str = ""
    seek: float | None = None  # clicking the point plays the answer from here


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    if hi <= lo:
        hi = lo + 1
    raw = (hi - lo) / count
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 6) for i in range(int((hi - first) / step + 1e-9) + 1)]


def line_chart(points: list[Point], *, x_range: tuple[float, float], y_range: tuple[float, float],
               x_ticks: list[tuple[float, str]], y_unit: str = "", band: tuple[float, float] | None = None,
               band_label: str = "", spans: Iterable[tuple[float, float, float]] = (), label: str = "",
               width: int = 640, height: int = 190, connect: bool = True) -> str:
    """An inline SVG line chart: points (circles, class `pt`), an optional target band and
    horizontal spans (x0, x1, y), e.g. the window each pace figure covers."""
    left, right, top, bottom = 42, 14, 12, 26
    (x0, x1), (y0, y1) = x_range, y_range
    if x1 <= x0:
        x1 = x0 + 1
    if y1 <= y0:
        y1 = y0 + 1
    pw, ph = width - left - right, height - top - bottom

    def sx(x: float) -> float:
        return round(left + (x - x0) / (x1 - x0) * pw, 1)

    def sy(y: float) -> float:
        return round(top + (1 - (min(max(y, y0), y1) - y0) / (y1 - y0)) * ph, 1)

    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">']
    ticks = nice_ticks(y0, y1)
    if len(ticks) > 1:  # the frame ends on gridlines
        step = ticks[1] - ticks[0]
        y0, y1 = min(y0, ticks[0]), ticks[-1] if ticks[-1] >= y1 - 1e-9 else ticks[-1] + step
        ticks = nice_ticks(y0, y1)
    for t in ticks:
        out.append(f'<line class="grid" x1="{left}" x2="{width - right}" y1="{sy(t)}" y2="{sy(t)}"/>')
        out.append(f'<text x="{left - 6}" y="{sy(t) + 4}" text-anchor="end">{_num(t)}{escape(y_unit)}</text>')
    if band:
        b0, b1 = max(band[0], y0), min(band[1], y1)
        if b1 > b0:
            out.append(f'<rect class="band" x="{left}" y="{sy(b1)}" width="{pw}" height="{round(sy(b0) - sy(b1), 1)}"/>')
            if band_label:
                out.append(f'<text class="bandlabel" x="{width - right - 6}" y="{sy(b0) - 6}" '
                           f'text-anchor="end">{escape(band_label)}</text>')
    for x, text in x_ticks:
        out.append(f'<text x="{sx(x)}" y="{height - 6}" text-anchor="middle">{escape(text)}</text>')
    for a, b, y in spans:
        out.append(f'<line class="span" x1="{sx(a) + 3}" x2="{sx(b) - 3}" y1="{sy(y)}" y2="{sy(y)}"/>')
    if connect and len(points) > 1:
        path = " ".join(f"{sx(p.x)},{sy(p.y)}" for p in points)
        out.append(f'<polyline class="line" points="{path}"/>')
    for p in points:
        seek = f' data-s="{p.seek:.3f}"' if p.seek is not None else ""
        cls = f"pt {p.cls}".strip()
        out.append(f'<circle class="{escape(cls)}" cx="{sx(p.x)}" cy="{sy(p.y)}" r="5"{seek}>'
                   f"<title>{escape(p.title)}</title></circle>")
    out.append("</svg>")
    return "".join(out)


def pace_chart(delivery, target: tuple[float, float]) -> str:
    """Words per minute in the stored pace windows across the answer, against the target band."""
    windows = [w for w in delivery.pace_windows if w.wpm is not None]
    if not windows:
        return '<p class="meta">Too little speech for a pace chart.</p>'
    end = max(delivery.duration_s or 0, max(w.end for w in windows))
    top = max([target[1] + 20] + [w.wpm + 15 for w in windows])
    bottom = min([target[0] - 20] + [w.wpm - 15 for w in windows])
    points = [Point((w.start + w.end) / 2, w.wpm,
                    f"{clock(w.start)}–{clock(w.end)}: {w.wpm:.0f} wpm ({w.words or 0} words)"
                    + (f", {w.flag}" if w.flag else ""),
                    cls=w.flag or "", seek=w.start) for w in windows]
    step = 5 if end <= 40 else 15 if end <= 120 else 30 if end <= 300 else 60
    ticks = [(t, clock(t)) for t in range(0, int(end) + 1, step)]
    return line_chart(points, x_range=(0, end), y_range=(max(0, bottom), top), x_ticks=ticks,
                      band=target, band_label=f"target {target[0]:.0f}–{target[1]:.0f} wpm",
                      spans=[(w.start, w.end, w.wpm) for w in windows], label="pace over time")


# -- the session report -------------------------------------------------------------------------

def render_session(session: Session, *, embed_audio: bool = True, base_dir: Path | None = None) -> str:
    """The whole report. Audio is embedded (self-contained) unless `embed_audio` is False, in
    which case it is referenced relative to `base_dir` (the folder the HTML file will be in)."""
    from simulator.delivery.judge import PACE_TARGET, session_metrics
    from simulator.delivery.summary import summarize

    summary = summarize([a.delivery for a in session.answers])
    engines = sorted({f"{a.engine} {a.model}" for a in session.answers if a.engine})
    started = _when(session.started_at)
    body = [
        '<header class="page">',
        f'<div class="eyebrow">Interview practice · {escape(session.kind)}</div>',
        f"<h1>Session {escape(session.id)}</h1>",
        '<div class="meta">' + "".join(f"<span>{escape(x)}</span>" for x in filter(None, [
            started, _status(session.status), f"{len(session.answers)} answer{'s' if len(session.answers) != 1 else ''}",
            (session.settings or {}).get("bank") and f"bank: {session.settings['bank']}",
            engines and "transcribed with " + ", ".join(engines)])) + "</div>",
        "</header>",
        '<div class="tiles">' + "".join(_tile(m) for m in session_metrics(summary)) + "</div>",
    ]
    if session.answers:
        body.append(_overview(session))
    else:
        body.append('<section class="card"><p>This session has no recorded answers.</p></section>')
    for a in session.answers:
        body.append(_answer(a, PACE_TARGET, embed_audio, base_dir))
    body.append(f'<footer>interview-sim · report written {escape(datetime.now().strftime("%Y-%m-%d %H:%M"))}'
                " · works offline; click any word to hear it</footer>")
    return page(f"Interview practice · session {session.id}", "\n".join(body))


def write_report(session: Session, path: Path, *, embed_audio: bool = True) -> Path:
    path = Path(path).expanduser()
    if path.is_dir():
        path = path / f"report-{session.id}.html"
    return save_page(path, lambda: render_session(session, embed_audio=embed_audio, base_dir=path.parent.resolve()))


def save_page(path: Path, render) -> Path:
    """Write a page atomically (a reader never sees half of it); a bad path is one line."""
    from simulator.files import replace_file

    return replace_file(path, render())


def _overview(session: Session) -> str:
    rows = []
    for a in session.answers:
        q = a.question or {}
        metrics = {m.key: m for m in answer_metrics(a)}
        cells = [f'<td class="num">{a.number}</td>',
                 f'<td><a href="#answer-{a.number}">{escape(_short(q.get("text", ""), 70))}</a>'
                 + (f'<div class="meta">{escape(q["category"])}</div>' if q.get("category") else "") + "</td>"]
        for key in ("answer_s", "wpm", "fillers_per_min", "pauses", "time_to_first_word_s"):
            m = metrics.get(key)
            cells.append(f'<td class="num">{_pill(m) if m else "–"}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f'<th class="{c}">{t}</th>' for t, c in (
        ("#", "num"), ("Question", ""), ("Length", "num"), ("Pace", "num"), ("Fillers", "num"),
        ("Pauses", "num"), ("First word", "num")))
    return (f'<section class="card"><h2>Answers</h2><table><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _written_by(q: dict) -> str:
    """A question or follow-up the person's own model wrote says so (the rules' need no mark)."""
    if not q.get("written_by"):
        return ""
    if not q.get("follow_up_of"):
        return (f'<div class="meta written-by">Question written by your model ({escape(q["written_by"])}): '
                f'{escape(q.get("why", ""))}</div>')
    return (f'<div class="meta written-by">Follow-up written by your model ({escape(q["written_by"])}), '
            f'about \u201c{escape(q.get("quote", ""))}\u201d</div>')


def _answer(a: Answer, target: tuple[float, float], embed: bool, base_dir: Path | None) -> str:
    d = a.delivery
    q = a.question or {}
    parts = [f'<section class="card answer" id="answer-{a.number}" data-answer="{a.number}">',
             f'<div class="qhead"><div class="qnum">{a.number}</div><div>'
             f'<div class="eyebrow">{escape(q.get("category") or "question")}'
             f'{" · " + escape(clock(a.duration_s)) + " recorded" if a.duration_s else ""}</div>'
             f'<div class="qtext">{escape(q.get("text", ""))}</div>{_written_by(q)}</div></div>',
             _audio(a, embed, base_dir)]
    words = d.words if d is not None else []
    parts.append("<h3>What you said</h3>")
    if words:
        parts.append(f'<div class="transcript">{transcript_html(words, d.pauses)}</div>')
        parts.append('<div class="legend"><span><span class="chip" style="background:var(--hes)"></span>hesitation'
                     '</span><span><span class="chip" style="background:var(--disc)"></span>discourse filler</span>'
                     '<span><span class="chip" style="background:#dfe4ea"></span>pause</span>'
                     '<span><span class="chip" style="background:#f6d7b8"></span>pause of 1 s or more</span>'
                     '<span>click a word to play from there</span></div>')
    else:
        parts.append('<p class="meta">No speech was found in this recording.</p>')
    if words:
        parts.append("<h3>Pace over time</h3>")
        parts.append(pace_chart(d, target))
    metrics = answer_metrics(a)
    if metrics:
        parts.append("<h3>Delivery</h3>")
        rows = "".join(
            f"<tr><td>{escape(m.label)}</td><td class=\"num\">{_pill(m)}</td>"
            f"<td class=\"target\">{escape(m.target or '')}</td><td class=\"note\">{escape(m.note)}</td></tr>"
            for m in metrics)
        parts.append('<table class="metrics"><thead><tr><th>Metric</th><th class="num">You</th><th>Target</th>'
                     f"<th>Note</th></tr></thead><tbody>{rows}</tbody></table>")
    if d is not None:
        parts.append("<h3>Content</h3>")
        parts.append(content_html(d.content))
    if a.model_feedback is not None:
        parts.append(model_feedback_html(a.model_feedback))
    if a.engine:
        parts.append(f'<div class="engine">Transcribed with {escape(a.engine)} {escape(a.model or "")}'
                     f' · stopped by {escape(a.stopped_by)}</div>')
    parts.append("</section>")
    return "\n".join(parts)


def content_html(content) -> str:
    """A `ContentFeedback`'s points as a definition list: the same words the terminal shows."""
    rows = "".join(f'<dt>{escape(label)}</dt><dd class="{"next" if label == "Next step" else ""}">'
                   f"{escape(text)}</dd>" for label, text in content.points)
    return f'<dl class="content">{rows}</dl>'


def model_feedback_html(feedback) -> str:
    """A `ModelFeedback`, marked as the person's model's: beside the rules' content, never instead."""
    rows = "".join(f'<dt>{escape(label)}</dt><dd class="{"next" if label == "Next step" else ""}">'
                   f"{escape(text)}</dd>" for label, text in feedback.points)
    return (f'<div class="model-feedback"><h3>Content feedback {escape(feedback.mark)}</h3>'
            f'<dl class="content">{rows}</dl></div>')


def transcript_html(words, pauses) -> str:
    """Words (`LabeledWord`) as clickable spans (fillers marked) with each `Pause` drawn between the
    words it fell between: before the first word whose middle comes after the pause's middle."""
    pending = sorted(pauses, key=lambda p: p.start)
    out, k = [], 0
    for w in words:
        mid = (w.start + w.end) / 2
        while k < len(pending) and (pending[k].start + pending[k].end) / 2 <= mid:
            out.append(_pause(pending[k]))
            k += 1
        cls = "w" + (f" {w.filler}" if w.filler in ("hesitation", "discourse") else "")
        title = f"{clock(w.start)}" + (f" · {w.filler}" if w.filler else "")
        out.append(f'<span class="{cls}" data-s="{w.start:.3f}" data-e="{w.end:.3f}" title="{escape(title)}">'
                   f"{escape(w.text.strip())}</span>")
    out.extend(_pause(p) for p in pending[k:])
    return " ".join(out)


def _pause(p) -> str:
    length = p.end - p.start
    width = min(110, 40 + length * 20)
    cls = "pause long" if length >= 1.0 else "pause"
    return (f'<span class="{cls}" style="width:{width:.0f}px" data-s="{p.start:.3f}" '
            f'title="pause of {length:.1f} s at {clock(p.start)}">{length:.1f} s</span>')


def _audio(a: Answer, embed: bool, base_dir: Path | None) -> str:
    path = a.audio
    if not path.is_file():
        return f'<p class="missing">The audio of this answer is missing ({escape(str(path))}).</p>'
    mime = AUDIO_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "audio/wav"
    if embed:
        src = f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"
    else:
        src = _relative(path, base_dir)
    return (f'<audio controls preload="auto" data-answer="{a.number}">'
            f'<source src="{escape(src)}" type="{escape(mime)}">Your browser cannot play this audio.</audio>')


def _relative(path: Path, base_dir: Path | None) -> str:
    import os
    from urllib.parse import quote

    rel = os.path.relpath(path, base_dir) if base_dir else str(path)
    return quote(Path(rel).as_posix())


def answer_metrics(a: Answer) -> list:
    """The judge's verdicts on a stored answer: the same the terminal shows."""
    from simulator.delivery.judge import judge

    return judge(a.delivery) if a.delivery is not None else []


def _tile(m) -> str:
    target = f'<div class="target">target {escape(m.target)}</div>' if m.target else ""
    number, _, unit = m.display.partition(" ")
    value = (f"{escape(number)}<small>{escape(unit)}</small>" if unit and number[:1].isdigit()
             else escape(m.display))
    return (f'<div class="tile {escape(m.status)}" data-key="{escape(m.key)}"><div class="label">{escape(m.label)}</div>'
            f'<div class="value">{value}</div>{target}<div class="note">{escape(m.note)}</div></div>')


def _pill(m) -> str:
    return f'<span class="pill {escape(m.status)}" title="{escape(m.note)}">{escape(m.display)}</span>'


def _status(status: str) -> str:
    return {"complete": "complete", "in_progress": "in progress or interrupted",
            "incomplete": "ended early"}.get(status, status)


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%A %-d %B %Y, %H:%M")
    except (TypeError, ValueError):
        return stamp or ""


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _num(v: float) -> str:
    return f"{v:.0f}" if abs(v - round(v)) < 1e-6 else f"{v:g}"


