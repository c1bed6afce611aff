"""The terminal view: questions, a live level meter, each answer's delivery, the session summary.

Colour only on a terminal, and never with NO_COLOR set (see `console`).
"""

from __future__ import annotations

import os
import sys
import time

from rich.console import Console
from rich.table import Table
from rich.text import Text

STATUS_STYLE = {"good": "green", "watch": "yellow", "info": "cyan"}


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Output piped into `head` that stopped reading: end quietly (Rich would exit 1).

        The BrokenPipeError unwinds like any other end, so a session in progress is closed
        properly; the CLI turns it into a quiet exit."""
        self.quiet = True
        quiet_output(self.file)
        raise BrokenPipeError


def quiet_output(stream=None) -> None:
    """Point a closed output (stdout unless told) at /dev/null, so the interpreter's last flush
    cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, (stream or sys.stdout).fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def console(stderr: bool = False) -> Console:
    """Colour only on a terminal (Rich's own check) and, with NO_COLOR set, no escape codes at
    all: Rich alone would still send bold and dim."""
    if os.environ.get("NO_COLOR"):
        return _Console(stderr=stderr, highlight=False, soft_wrap=False, color_system=None)
    return _Console(stderr=stderr, highlight=False, soft_wrap=False)


def transcript_text(words) -> Text:
    """The transcript with hesitations and discourse fillers marked (`LabeledWord`s)."""
    text = Text()
    for i, w in enumerate(words):
        if i:
            text.append(" ")
        style = {"hesitation": "bold magenta", "discourse": "magenta"}.get(w.filler or "", "")
        text.append(w.text, style=style)
    return text


def metrics_table(metrics) -> Table:
    """Metric, value (coloured by status), and what was heard with the target beside it: three
    columns, so it stays readable in an 80-column terminal. `metrics`: the judge's `Metric`s."""
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("metric", no_wrap=True)
    table.add_column("you", justify="right", no_wrap=True)
    table.add_column("what was heard (target)", ratio=1)
    for m in metrics:
        note = Text(m.note)
        if m.target:
            note.append(f"  (target {m.target})", style="dim")
        table.add_row(m.label, Text(m.display, style=STATUS_STYLE.get(m.status, "")), note)
    return table


def content_table(content) -> Table:
    """What was said (a `ContentFeedback`'s points, judged once by simulator.delivery.content)."""
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("content", no_wrap=True)
    table.add_column("what was heard", ratio=1)
    for label, text in content.points:
        table.add_row(label, Text(text, style="bold" if label == "Next step" else ""))
    return table


def print_model_feedback(out: Console, number: int, feedback) -> None:
    """What the person's own model wrote about an answer (a `ModelFeedback`), marked as its own."""
    out.print(Text(f"Content feedback on answer {number}, {feedback.mark}:", style="bold"))
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column("content", no_wrap=True)
    table.add_column("what your model wrote", ratio=1)
    for label, text in feedback.points:
        table.add_row(label, Text(text, style="bold" if label == "Next step" else ""))
    out.print(table)


def print_delivery(out: Console, delivery, engine: str | None, model: str | None,
                   heading: str = "You said: ") -> None:
    """One answer's transcript, judged metrics and engine (`delivery`: a `Delivery` or None)."""
    from simulator.delivery.judge import judge

    words = delivery.words if delivery is not None else []
    out.print(Text(heading, style="bold") + (transcript_text(words) if words else Text("(no speech found)")))
    if delivery is not None:
        out.print(metrics_table(judge(delivery)))
        out.print(content_table(delivery.content))
    if engine:
        out.print(Text(f"transcribed with {engine} {model or ''}".rstrip(), style="dim"))


class TerminalView:
    def __init__(self, out: Console | None = None):
        self.out = out or console()
        self._meter_shown = False
        self._last_meter = 0.0

    def interviewer(self, text: str, spoken: bool) -> None:
        self.analysing()  # clears the meter: a line said during an answer gets a line of its own
        self.out.print(Text(f"Interviewer: {text}", style="bold"))

    def question(self, number: int, total: int, turn) -> None:
        q = turn.question or {}
        budget = f" · {q['time_budget_s']:g} s" if q.get("time_budget_s") else ""
        self.out.print()
        if q.get("written_by") and q.get("follow_up_of"):  # the person's own model wrote it: said, so it
            # is never taken for the rules'
            self.out.print(Text(f"(follow-up written by your model, {q['written_by']}, about "
                                f"\"{q.get('quote', '')}\")", style="dim"))
        elif q.get("follow_up_of"):  # the reason, so the rule that chose it is never a mystery
            self.out.print(Text(f"(follow-up: {q.get('reason', '')})", style="dim"))
        else:
            self.out.rule(f"Question {number} of {total}" + (f" · {q['category']}" if q.get("category") else "")
                          + budget)
            if q.get("written_by"):
                self.out.print(Text(f"(question written by your model, {q['written_by']}: {q.get('why', '')})",
                                    style="dim"))
        self.out.print(Text(f"Interviewer: {turn.text}", style="bold"))

    def listening(self, hint: str) -> None:
        self.out.print(Text(hint, style="dim"))

    def meter(self, elapsed: float, level_db: float, speaking: bool, live=None) -> None:
        """A one-line live meter; only on a terminal, at most ten refreshes a second.
        `live` (practice --live) adds the running pace and filler counts."""
        if not self.out.is_terminal or time.monotonic() - self._last_meter < 0.1:
            return
        self._last_meter = time.monotonic()
        bars = max(0, min(24, int((level_db + 60) / 2.5)))
        mins, secs = divmod(int(elapsed), 60)
        line = f"\r● REC {mins}:{secs:02d}  {'█' * bars}{'·' * (24 - bars)}  {'speaking' if speaking else '        '}"
        if live is not None:
            pace = f"{live.wpm:.0f} wpm" if live.wpm else "– wpm"
            line += f"  {pace} · {live.hesitations} um/uh · {live.discourse_fillers} fillers"
        sys.stdout.write(line)
        sys.stdout.flush()
        self._meter_shown = True

    def analysing(self) -> None:
        if self._meter_shown:
            sys.stdout.write("\r" + " " * 100 + "\r")
            self._meter_shown = False

    def warn(self, text: str) -> None:
        self.out.print(Text(f"warning: {text}", style="yellow"))

    def answer(self, answer, analysis) -> None:
        self.out.print(Text(f"Recorded {answer.duration_s:.1f} s → {answer.audio}", style="dim"))
        if answer.overflows:
            self.warn(f"input overflows: {answer.overflows} (the machine fell behind the microphone; "
                      "some audio is missing from this answer)")
        print_delivery(self.out, answer.delivery, answer.engine, answer.model)

    def model_feedback(self, number: int, feedback) -> None:
        self.out.print()
        print_model_feedback(self.out, number, feedback)

    def summary(self, session) -> None:
        from simulator.delivery.summary import long_pauses, summarize

        s = summarize([a.delivery for a in session.answers])
        self.out.print()
        self.out.rule(f"Session {session.id} · {session.status}")
        table = Table(box=None, header_style="bold")
        for col in ("#", "question", "length", "pace", "fillers/min", "pauses ≥1 s", "start"):
            if col == "question":  # one line each, cut with an ellipsis: the numbers are what matter here
                table.add_column(col, no_wrap=True, overflow="ellipsis", max_width=max(16, self.out.width - 58))
            else:
                table.add_column(col, justify="right", no_wrap=True)
        for a in session.answers:
            d = a.delivery
            table.add_row(str(a.number), (a.question or {}).get("text", ""), f"{a.duration_s:.0f} s",
                          _fmt(d and d.wpm, " wpm"), _fmt(d and d.fillers_per_min),
                          str(long_pauses(d)) if d else "–",
                          _fmt(d and d.time_to_first_word_s, " s"))
        self.out.print(table)
        self.out.print(
            f"Overall: {_fmt(s.wpm, ' wpm')} over {s.speaking_s:.0f} s of speech, "
            f"{s.hesitations} hesitations and {s.discourse_fillers} discourse fillers "
            f"({_fmt(s.fillers_per_min)} per minute), {s.long_pauses} pauses of 1 s or more, "
            f"{_fmt(s.mean_time_to_first_word_s, ' s')} on average before your first word.")
        from simulator.delivery.judge import session_metrics

        content = next(m for m in session_metrics(s) if m.key == "content")
        self.out.print(f"Content: {content.note}.")
        from simulator.delivery.coaching import coach

        for advice in coach([a.delivery for a in session.answers]):
            self.out.print(Text(f"Practise next · {advice.line()}"))
        self.out.print(Text(f"Replay: interview-sim replay {session.id}", style="dim"))


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "–"
    return f"{value:.0f}{unit}" if isinstance(value, float) and abs(value) >= 10 else f"{value}{unit}"
