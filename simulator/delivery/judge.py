"""The judge: the one place a figure is called good or worth watching, with its target and note.

`analyze` computes figures; this module reads them (a `Delivery`, or a session's summary) and
says what they mean. Every view (terminal, `analyze --json`, the HTML report, history, the
session summary) shows these judgements and none makes its own, so an old answer is judged the
same everywhere, by today's targets. Where the targets come from: docs/sources.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from simulator.delivery.alignment import FAINT, UNHEARD
from simulator.delivery.pauses import VERY_LONG_S
from simulator.delivery.prosody import MONOTONE_ST

if TYPE_CHECKING:  # types only: analyze imports this module to attach the judgements it serialises
    from simulator.delivery.analyze import Delivery
    from simulator.delivery.summary import SessionSummary

# Targets (docs/sources.md, "Delivery norms"): heuristics that products use, not laws.
PACE_TARGET = (120.0, 160.0)  # within 100-165 (Speaker Coach) and 130-175 (Read.ai); conversation 120-150
FILLERS_PER_MIN_WATCH = 3.0  # one scorer: 1.2/min "fluent", 4.8/min "hesitant"
FILLER_PERCENT_WATCH = 4.0  # Read.ai flags more than 4% of words


@dataclass
class Metric:
    key: str
    label: str
    value: float | int | None
    display: str  # e.g. "142 wpm"
    target: str | None  # e.g. "120-160 wpm"
    status: str  # "good" | "watch" | "info"
    note: str  # one line of evidence



def clock(seconds: float | None) -> str:
    seconds = max(0, int(round(seconds or 0)))
    return f"{seconds // 60}:{seconds % 60:02d}"


def pace_status(wpm: float) -> str:
    """The one judgement of a pace, for an answer or a whole session."""
    lo, hi = PACE_TARGET
    return "good" if lo <= wpm <= hi else "watch"


def filler_status(per_min: float | None, percent: float | None) -> str:
    """The one judgement of a filler rate: over 3 a minute or over 4% of words is worth watching."""
    if per_min is None and percent is None:
        return "info"
    watch = (per_min or 0) > FILLERS_PER_MIN_WATCH or (percent or 0) > FILLER_PERCENT_WATCH
    return "watch" if watch else "good"


def judge(d: Delivery) -> list[Metric]:
    """One answer's headline figures, each judged against its target."""
    if not d.speech_found:
        note = "no speech was found in the recording"
        fell = [w for w in d.dropped_words if w.text]
        if fell:
            note += f" ({len(fell)} transcribed word(s) fell on silence and were dropped)"
        return [m for m in (Metric("speech", "Speech", 0, "none", None, "watch", note), _unheard(d), _overflows(d))
                if m]
    return [m for m in (_unheard(d), _other_voice(d), _pace(d), _articulation(d), _first_word(d), _pauses(d),
                        _fillers(d), _hedges(d), _repetitions(d), _length(d), _pitch(d), _loudness(d), _overflows(d))
            if m]


def _unheard(d: Delivery) -> Metric | None:
    """First when present: every other figure of the answer misses what was said there."""
    if not d.unheard_s:
        return None
    spans = [w for w in d.dropped_words if w.reason == UNHEARD]
    where = ", ".join(f"{clock(w.start)}-{clock(w.end)}" for w in spans[:3]) + (", ..." if len(spans) > 3 else "")
    return Metric("unheard_speech", "Unheard speech", d.unheard_s, f"{d.unheard_s:.1f} s", "0 s", "watch",
                  f"a voice was heard at {where} but no words were recognised there: word count, pace and "
                  "fillers leave that part out")


def _other_voice(d: Delivery) -> Metric | None:
    """Said, not judged: the transcript leaves out a voice far quieter than the person's."""
    spans = [w for w in d.dropped_words if w.reason == FAINT]
    if not spans:
        return None
    seconds = round(sum(w.end - w.start for w in spans), 1)
    where = ", ".join(f"{clock(w.start)}-{clock(w.end)}" for w in spans[:3]) + (", ..." if len(spans) > 3 else "")
    return Metric("other_voice", "Another voice", seconds, f"{seconds:.1f} s", None, "info",
                  f"a voice far quieter than yours at {where} was left out of the transcript "
                  "(someone else in the room, or you far from the microphone)")


def _overflows(d: Delivery) -> Metric | None:
    n = d.input_overflows
    if not n:
        return None
    return Metric("input_overflows", "Input overflows", n, str(n), "0", "watch",
                  f"the machine fell behind the microphone {n} time{'s' if n > 1 else ''}: "
                  "some audio is missing from the recording")


def _pace(d: Delivery) -> Metric:
    lo, hi = PACE_TARGET
    target = f"{lo:.0f}-{hi:.0f} wpm"
    if d.wpm is None:
        return Metric("wpm", "Pace", None, "n/a", target, "info", f"too little speech to measure ({d.speech_s:.1f} s)")
    status = pace_status(d.wpm)
    if d.pace_drift:
        note = "; ".join(f"{x.direction} at {x.wpm:.0f} wpm from {clock(x.start)} to {clock(x.end)}" for x in d.pace_drift)
        status = "watch"
    elif len(d.pace_windows) > 1:
        rates = [w.wpm for w in d.pace_windows]
        note = f"steady: {min(rates):.0f}-{max(rates):.0f} wpm across {len(rates)} windows of 15 s"
    else:
        note = f"{d.word_count} words in {d.speech_s:.1f} s of speech"
    return Metric("wpm", "Pace", d.wpm, f"{d.wpm:.0f} wpm", target, status, note)


def _articulation(d: Delivery) -> Metric | None:
    if d.articulation_wpm is None:
        return None
    share = f"{100 * d.pause_ratio:.0f}%" if d.pause_ratio is not None else "n/a"
    return Metric("articulation_wpm", "Articulation rate", d.articulation_wpm, f"{d.articulation_wpm:.0f} wpm",
                  None, "info", f"speed while speaking; pauses take {share} of the answer")


def _first_word(d: Delivery) -> Metric:
    t = d.time_to_first_word_s or 0.0
    return Metric("time_to_first_word_s", "Time to first word", t, f"{t:.1f} s", None, "info",
                  f"started answering {t:.1f} s into the recording")


def _pauses(d: Delivery) -> Metric:
    n = len(d.pauses)
    long_ones = d.pause_classes.over_2s
    target = f"none over {VERY_LONG_S:.0f} s"
    if not n:
        return Metric("pauses", "Pauses", 0, "none", target, "good", "no silence of 0.25 s or more while answering")
    lp = d.longest_pause
    longest = f"longest {lp.duration_s:.1f} s at {clock(lp.start)}" if lp else ""
    if long_ones:
        note = f"{long_ones} pause{'s' if long_ones > 1 else ''} over {VERY_LONG_S:.0f} s, {longest}"
    else:
        note = f"{n} pause{'s' if n > 1 else ''}, {d.total_pause_s:.1f} s in all, {longest}"
    return Metric("pauses", "Pauses", n, f"{n} pause{'s' if n != 1 else ''}", target,
                  "watch" if long_ones else "good", note)


def _fillers(d: Delivery) -> Metric:
    target = f"under {FILLERS_PER_MIN_WATCH:.0f} per min"
    total = d.fillers.total
    rate = d.fillers_per_min
    if not total:
        return Metric("fillers_per_min", "Fillers", rate if rate is not None else 0, "none", target, "good",
                      "no um, uh or filler words heard")
    top = ", ".join(f"{p} ×{c}" for p, c in list(d.fillers.by_phrase.items())[:3])
    note = f"{total} filler{'s' if total > 1 else ''}: {top}"
    if d.filler_clusters:
        c = max(d.filler_clusters, key=lambda x: x.count)
        note += f"; {c.count} within {clock(c.start)}-{clock(c.end)}"
    watch = filler_status(rate, d.filler_percent) == "watch"
    display = f"{rate:.1f} per min" if rate is not None else f"{total}"
    return Metric("fillers_per_min", "Fillers", rate, display, target, "watch" if watch else "good", note)


def _hedges(d: Delivery) -> Metric:
    n = d.hedges.count
    note = ", ".join(f'"{p}" ×{c}' for p, c in list(d.hedges.by_phrase.items())[:3]) or "no hedging phrases"
    return Metric("hedges", "Hedges", n, str(n), None, "info", note)


def _repetitions(d: Delivery) -> Metric:
    n = len(d.repetitions)
    note = ", ".join(f'"{r.text}" at {clock(r.start)}' for r in d.repetitions[:3]) or "no repeated words"
    return Metric("repetitions", "Repetitions", n, str(n), None, "watch" if n >= 3 else "info", note)


def _length(d: Delivery) -> Metric | None:
    a = d.answer_length
    if a is None:
        return None
    if not a.budget_s:
        return Metric("answer_s", "Answer length", a.answer_s, clock(a.answer_s), None, "info",
                      f"{d.speech_s:.0f} s of speaking after {d.time_to_first_word_s or 0:.1f} s")
    ratio = a.ratio or 0.0
    status = "good" if 0.4 <= ratio <= 1.1 else "watch"
    note = ("over the time budget" if ratio > 1.1 else "well under the time budget" if ratio < 0.4
            else "within the time budget")
    return Metric("answer_s", "Answer length", a.answer_s, f"{clock(a.answer_s)} of {clock(a.budget_s)}",
                  f"up to {clock(a.budget_s)}", status, f"{note} ({100 * ratio:.0f}%)")


def _pitch(d: Delivery) -> Metric:
    p = d.prosody
    target = f"{MONOTONE_ST:.0f} st or more"
    if p.pitch_variation_st is None:
        return Metric("pitch_variation_st", "Pitch variation", None, "n/a", target, "info",
                      f"too little voiced speech to measure ({p.pitched_s:.1f} s)")
    flat = p.monotone_stretches
    if flat:
        note = "monotone " + ", ".join(f"{clock(s.start)}-{clock(s.end)}" for s in flat[:3])
    else:
        note = f"pitch spread {p.pitch_variation_st:.1f} st around {p.pitch_median_hz:.0f} Hz"
    status = "watch" if flat or p.pitch_variation_st < MONOTONE_ST else "good"
    return Metric("pitch_variation_st", "Pitch variation", p.pitch_variation_st, f"{p.pitch_variation_st:.1f} st",
                  target, status, note)


def _loudness(d: Delivery) -> Metric | None:
    v = d.prosody.loudness_variation_db
    if v is None:
        return None
    return Metric("loudness_variation_db", "Loudness variation", v, f"{v:.1f} dB", None, "info",
                  "spread of loudness between half-second stretches of speech")


def session_metrics(s: SessionSummary) -> list[Metric]:
    """The session's headline figures judged against the same targets as each answer's metrics."""
    lo, hi = PACE_TARGET
    out = []
    if s.wpm is None:
        out.append(Metric("wpm", "Pace", None, "n/a", f"{lo:.0f}-{hi:.0f} wpm", "info", "too little speech to measure"))
    else:
        out.append(Metric("wpm", "Pace", s.wpm, f"{s.wpm:.0f} wpm", f"{lo:.0f}-{hi:.0f} wpm",
                          pace_status(s.wpm),
                          f"{s.word_count} words over {s.speaking_s:.0f} s of speech"))
    rate = s.fillers_per_min
    out.append(Metric("fillers_per_min", "Fillers", rate, "n/a" if rate is None else f"{rate:.1f} per min",
                      f"under {FILLERS_PER_MIN_WATCH:.0f} per min",
                      filler_status(rate, s.filler_percent),
                      f"{s.hesitations} hesitation{'s' if s.hesitations != 1 else ''} (um, uh), "
                      f"{s.discourse_fillers} discourse filler{'s' if s.discourse_fillers != 1 else ''}"))
    out.append(Metric("long_pauses", "Long pauses", s.long_pauses, str(s.long_pauses), None,
                      "info", "silences of 1 s or more inside answers"))
    t = s.mean_time_to_first_word_s
    out.append(Metric("time_to_first_word_s", "Time to first word", t, "n/a" if t is None else f"{t:.1f} s",
                      None, "info", "mean time before the first word of an answer"))
    out.append(_content_tally(s))
    out.append(Metric("speaking_s", "Speaking time", s.speaking_s, f"{s.speaking_s:.0f} s", None, "info",
                      f"{s.answers} answer{'s' if s.answers != 1 else ''}"))
    return out


def _content_tally(s: SessionSummary) -> Metric:
    """What was said, added up over the answers (each judged by simulator.delivery.content)."""
    n = s.content_judged
    if not n:
        return Metric("content", "Content", 0, "n/a", None, "info", "no answer was long or clear enough to judge")
    return Metric("content", "Content", s.measured_results, f"{s.measured_results} of {n} measured",
                  "a measured result in every story", "info",
                  f"{s.measured_results} of {n} answers had a measured result, {s.results} a result; "
                  f"{s.own_actions} told an action of your own; {s.answered} on topic")


headline_metrics = judge  # the name analyze used before the judge had a module of its own
