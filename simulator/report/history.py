"""Progress across sessions: per-session figures, trends, personal bests, categories practised.

`build_history` turns stored sessions into plain data (what `history --json` prints); the terminal
table with sparklines and the HTML page with charts only render that data. Session figures come
from `simulator.delivery.summary.summarize`; nothing here measures speech.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from html import escape
from typing import Literal

from simulator.store import Session

DEFAULT_LAST = 5
SPARKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class TrendSpec:
    key: str  # a SessionSummary field
    label: str
    unit: str
    better: Literal["lower", "target", "none"]  # how a personal best is chosen
    digits: int = 1
    short: str = ""  # column header in the terminal table


def _pace_target() -> tuple[float, float]:
    from simulator.delivery.judge import PACE_TARGET

    return PACE_TARGET


TRENDS = [
    TrendSpec("wpm", "Pace", " wpm", "target", 0, "wpm"),
    TrendSpec("hesitations_per_min", "Hesitations", "/min", "lower", 1, "um/min"),
    TrendSpec("discourse_per_min", "Discourse fillers", "/min", "lower", 1, "disc/min"),
    TrendSpec("long_pauses_per_min", "Long pauses (≥1 s)", "/min", "lower", 1, "pauses≥1s/min"),
    TrendSpec("mean_time_to_first_word_s", "Time to first word", " s", "lower", 1, "1st word"),
    TrendSpec("mean_answer_s", "Answer length", " s", "none", 0, "length"),
]


# Content added up per session (SessionSummary counts over the answers whose content was judged).
CONTENT_COLUMNS = [("measured_results", "measured result"), ("own_actions", "own \"I\""), ("answered", "on topic")]


def content_share(summary: dict, key: str) -> str:
    """"2/3": answers with it over answers whose content was judged."""
    n = summary.get("content_judged") or 0
    return f"{summary.get(key) or 0}/{n}" if n else "–"


@dataclass
class SessionRow:
    id: str
    started_at: str
    kind: str
    status: str
    answers: int
    categories: list[str]
    summary: dict  # SessionSummary.to_dict()


@dataclass
class Trend:
    key: str
    label: str
    unit: str
    better: str
    values: list[float | None]  # one per session shown, oldest first
    latest: float | None
    best: float | None  # over every session stored
    best_session: str | None
    change: float | None  # latest minus the first of the last N sessions that has a value
    direction: str | None  # "better" | "worse" | "same" | None (no judgement for this metric)
    over_sessions: int  # how many sessions the change spans


@dataclass
class History:
    sessions: list[SessionRow]  # the last N, oldest first
    total_sessions: int
    last: int
    trends: list[Trend]
    categories: dict[str, int]  # answers per question category, over every session
    pace_target: tuple[float, float] = field(default_factory=_pace_target)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["pace_target"] = list(self.pace_target)
        return d


def build_history(sessions: list[Session], last: int = DEFAULT_LAST) -> History:
    """Sessions oldest first; only those with at least one measured answer count."""
    from simulator.delivery.summary import summarize

    rows = []
    categories: Counter[str] = Counter()
    for s in sorted(sessions, key=lambda s: (s.started_at, s.id)):
        deliveries = [a.delivery for a in s.answers if a.delivery]
        if not deliveries:
            continue
        cats = [(a.question or {}).get("category") or "uncategorised" for a in s.answers]
        categories.update(cats)
        rows.append(SessionRow(s.id, s.started_at, s.kind, s.status, len(s.answers),
                               sorted(set(cats)), summarize(deliveries).to_dict()))
    last = max(1, last)
    shown = rows[-last:]
    target = _pace_target()
    trends = [_trend(spec, rows, shown, target) for spec in TRENDS]
    return History(shown, len(rows), last, trends, dict(categories.most_common()), target)


def _trend(spec: TrendSpec, every: list[SessionRow], shown: list[SessionRow], target) -> Trend:
    values = [r.summary.get(spec.key) for r in shown]
    present = [(r.id, r.summary.get(spec.key)) for r in every if r.summary.get(spec.key) is not None]
    best = best_id = None
    if present and spec.better != "none":
        centre = sum(target) / 2
        score = (lambda v: v) if spec.better == "lower" else (lambda v: (_distance(v, target), abs(v - centre)))
        best_id, best = min(present, key=lambda p: score(p[1]))
    window = [v for v in values if v is not None]
    latest = values[-1] if values else None
    change = direction = None
    if len(window) >= 2 and latest is not None:
        change = round(latest - window[0], 2)
        if spec.better == "lower":
            direction = "same" if abs(change) < 1e-9 else "better" if change < 0 else "worse"
        elif spec.better == "target":
            before, now = _distance(window[0], target), _distance(latest, target)
            direction = "same" if abs(before - now) < 1e-9 else "better" if now < before else "worse"
    return Trend(spec.key, spec.label, spec.unit, spec.better, values, latest, best, best_id, change, direction,
                 len(window))


def _distance(v: float, target: tuple[float, float]) -> float:
    lo, hi = target
    return 0.0 if lo <= v <= hi else (lo - v if v < lo else v - hi)


def sparkline(values: list[float | None]) -> str:
    """▁▂▃▅▇ from low to high; a gap for a session without the figure."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    lo, hi = min(present), max(present)
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif hi - lo < 1e-9:
            out.append(SPARKS[3])
        else:
            out.append(SPARKS[round((v - lo) / (hi - lo) * (len(SPARKS) - 1))])
    return "".join(out)


def fmt(value: float | None, spec_or_trend, unit: bool = True) -> str:
    if value is None:
        return "–"
    digits = next((s.digits for s in TRENDS if s.key == spec_or_trend.key), 1)
    return f"{value:.{digits}f}" + (spec_or_trend.unit if unit else "")


def fmt_change(t: Trend) -> str:
    if t.change is None:
        return "–"
    sign = "+" if t.change > 0 else "−" if t.change < 0 else "±"
    return f"{sign}{fmt(abs(t.change), t)}"


def _ticks(rows: list[SessionRow]) -> list[tuple[int, str]]:
    """Short x labels: the day when sessions are on different days, else the time."""
    def parse(stamp):
        try:
            return datetime.fromisoformat(stamp)
        except (TypeError, ValueError):
            return None

    times = [parse(r.started_at) for r in rows]
    if any(t is None for t in times):
        labels = [f"#{i + 1}" for i in range(len(rows))]
    else:
        days = [t.strftime("%d %b") for t in times]
        labels = days if len(set(days)) == len(days) else [t.strftime("%H:%M") if len(set(days)) == 1
                                                           else t.strftime("%d/%m") for t in times]
    every = max(1, -(-len(rows) // 7))
    return [(i, label) for i, label in enumerate(labels) if i % every == 0 or i == len(rows) - 1]


def _date(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).strftime("%d %b %H:%M")
    except (TypeError, ValueError):
        return stamp


# -- terminal -------------------------------------------------------------------------------------

def print_history(h: History, out) -> None:
    from rich.table import Table
    from rich.text import Text

    if not h.sessions:
        out.print("No measured sessions yet. Try `interview-sim demo` or `interview-sim practice`.")
        return
    out.rule(f"Progress · last {len(h.sessions)} of {h.total_sessions} session{'s' if h.total_sessions != 1 else ''}")
    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column("session")
    table.add_column("kind")
    table.add_column("ans", justify="right")
    for spec in TRENDS:
        table.add_column(spec.short, justify="right", no_wrap=True)
    for r in h.sessions:
        table.add_row(_date(r.started_at), r.kind, str(r.answers),
                      *[fmt(r.summary.get(s.key), s, unit=False) for s in TRENDS])
    out.print(table)
    out.print()
    trends = Table(box=None, header_style="bold", pad_edge=False)
    for col, just in (("metric", "left"), ("trend", "left"), ("latest", "right"), ("best", "right"),
                      (f"change over last {min(h.last, len(h.sessions))}", "right")):
        trends.add_column(col, justify=just)
    for t in h.trends:
        style = {"better": "green", "worse": "yellow"}.get(t.direction or "", "")
        best = fmt(t.best, t) if t.best is not None else "–"
        if t.best_session and t.best_session == (h.sessions[-1].id if h.sessions else None):
            best += " ★"
        trends.add_row(t.label, Text(sparkline(t.values), style="cyan"), fmt(t.latest, t), best,
                       Text(fmt_change(t) + (f" ({t.direction})" if t.direction else ""), style=style))
    out.print(trends)
    lo, hi = h.pace_target
    out.print(Text(f"Pace best = closest to {lo:.0f}-{hi:.0f} wpm; other bests = lowest. ★ = a personal best "
                   "in your latest session.", style="dim"))
    # Content as lines, not columns: the table above already fills 80 columns.
    out.print("Content per session, oldest first: " + "; ".join(
        f"{label} " + " · ".join(content_share(r.summary, key) for r in h.sessions) for key, label in CONTENT_COLUMNS))
    if h.categories:
        out.print("Practised: " + ", ".join(f"{c} ×{n}" for c, n in h.categories.items()))


# -- HTML -----------------------------------------------------------------------------------------

def render_history(h: History) -> str:
    from simulator.report.html import Point, line_chart, page

    body = ['<header class="page"><div class="eyebrow">Interview practice · progress</div>',
            "<h1>Your progress</h1>",
            f'<div class="meta"><span>{h.total_sessions} measured session{"s" if h.total_sessions != 1 else ""}'
            f"</span><span>showing the last {len(h.sessions)}</span>"
            f"<span>change over the last {min(h.last, len(h.sessions))}</span></div></header>"]
    if not h.sessions:
        body.append('<section class="card"><p>No measured sessions yet. Run <code>interview-sim demo</code> or '
                    "<code>interview-sim practice</code>.</p></section>")
        return page("Interview practice · progress", "\n".join(body), script=False)
    charts = []
    n = len(h.sessions)
    for t in h.trends:
        pts = [Point(i, v, f"{_date(r.started_at)}: {fmt(v, t)}",
                     cls="best" if (t.best_session == r.id) else "")
               for i, (r, v) in enumerate(zip(h.sessions, t.values)) if v is not None]
        present = [p.y for p in pts]
        band = h.pace_target if t.key == "wpm" else None
        if present:
            lo, hi = min(present + ([band[0]] if band else [])), max(present + ([band[1]] if band else []))
            pad = max((hi - lo) * 0.15, 5 if t.key == "wpm" else 0.5)
            y_range = (max(0.0, lo - pad), hi + pad)
        else:
            y_range = (0.0, 1.0)
        ticks = _ticks(h.sessions)
        chart = line_chart(pts, x_range=(-0.3, max(n - 1, 1) + 0.3), y_range=y_range, x_ticks=ticks,
                           band=band, band_label="target" if band else "", label=f"{t.label} per session",
                           width=320, height=150)
        delta_cls = t.direction or ""
        charts.append(
            f'<section class="card trend" data-key="{escape(t.key)}"><h2>{escape(t.label)}</h2>'
            f'<div class="big">{escape(fmt(t.latest, t, unit=False))}<small>{escape(t.unit.strip())}</small>'
            f'<span class="delta {escape(delta_cls)}">{escape(fmt_change(t))}'
            f'{" " + escape(t.direction) if t.direction else ""}</span></div>'
            f'<div class="meta">{"best " + escape(fmt(t.best, t)) if t.best is not None else "latest session"}'
            f"</div>{chart}</section>")
    body.append('<div class="charts">' + "".join(charts) + "</div>")
    head = "".join(f'<th class="num">{escape(s.label.replace(" (≥1 s)", ""))}</th>' for s in TRENDS)
    head += "".join(f'<th class="num">{escape(label)}</th>' for _key, label in CONTENT_COLUMNS)
    rows = "".join(
        f"<tr><td class=\"nowrap\">{escape(_date(r.started_at))}</td><td>{escape(r.kind)}</td>"
        f'<td class="num">{r.answers}</td>'
        + "".join(f'<td class="num">{escape(fmt(r.summary.get(s.key), s))}</td>' for s in TRENDS)
        + "".join(f'<td class="num">{escape(content_share(r.summary, key))}</td>' for key, _label in CONTENT_COLUMNS)
        + f"<td>{escape(', '.join(r.categories))}</td></tr>" for r in reversed(h.sessions))
    body.append(f'<section class="card wide"><h2>Sessions</h2><table><thead><tr><th>Session</th><th>Kind</th>'
                f'<th class="num">Answers</th>{head}<th>Categories</th></tr></thead><tbody>{rows}</tbody></table></section>')
    tags = "".join(f'<span class="tag">{escape(c)} <b>×{k}</b></span>' for c, k in h.categories.items())
    body.append(f'<section class="card"><h2>Question categories practised</h2><div class="tags">{tags}</div></section>')
    body.append("<footer>interview-sim · pace best = closest to the target band; other bests = lowest; "
                "green dots mark personal bests</footer>")
    return page("Interview practice · progress", "\n".join(body), script=False)
