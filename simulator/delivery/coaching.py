"""What to practise next, from the measured figures across a session's answers, and the change
since the last sessions in words.

Each rule counts answers (never one answer's bad moment): it applies when at least half the
measured answers show it, and the ones showing it most widely come first. Each piece of advice
carries its evidence and one concrete drill.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simulator.delivery.analyze import Delivery

PACE = (120.0, 160.0)  # the delivery target (simulator.delivery.analyze.PACE_TARGET), kept light to import
OPENING_S = 5.0  # "the start of an answer"
SLOW_START_S = 3.0
MIN_ANSWERS = 2


@dataclass(frozen=True, slots=True)
class Advice:
    topic: str
    evidence: str
    drill: str
    share: float  # of measured answers showing it: the order

    def line(self) -> str:
        return f"{self.topic}: {self.evidence}. Drill: {self.drill}"


def _measured(deliveries: list[Delivery | None]) -> list[Delivery]:
    return [d for d in deliveries if d is not None and d.word_count]


def _opening_fillers(d: Delivery) -> tuple[int, int]:
    words = d.words
    if not words:
        return 0, 0
    start = words[0].start
    fillers = [w for w in words if w.filler]
    return sum(1 for w in fillers if w.start - start <= OPENING_S), len(fillers)


def coach(deliveries: list[Delivery | None], questions: list[dict | None] | None = None) -> list[Advice]:
    """One or two things to practise next, most widespread first; none when nothing stands out."""
    ds = _measured(deliveries)
    n = len(ds)
    if n < MIN_ANSWERS:
        return []
    found: list[Advice] = []
    opening = [_opening_fillers(d) for d in ds]
    early, total = sum(o for o, _ in opening), sum(t for _, t in opening)
    with_early = sum(1 for o, _ in opening if o)
    if total >= 3 and early * 2 > total:
        found.append(Advice("Fillers at the start", f"{early} of your {total} fillers came in the first "
                            f"{OPENING_S:g} seconds of an answer ({with_early} of {n} answers)",
                            "take a full breath and a one-second pause before your first word", with_early / n))
    slow = [d for d in ds if (d.time_to_first_word_s or 0) > SLOW_START_S]
    if slow:
        found.append(Advice("Slow starts", f"{len(slow)} of {n} answers began after more than {SLOW_START_S:g} s "
                            "of silence", "open with a one-sentence headline of your answer, then the detail",
                            len(slow) / n))
    off = [d for d in ds if d.wpm and not PACE[0] <= d.wpm <= PACE[1]]
    if off:
        fast = sum(1 for d in off if d.wpm > PACE[1])
        way = "fast" if fast * 2 >= len(off) else "slow"
        found.append(Advice(f"Pace ({way})", f"{len(off)} of {n} answers were outside {PACE[0]:.0f}-{PACE[1]:.0f} "
                            "words per minute", "read a paragraph aloud for one minute and count the words; repeat "
                            "until you land in range twice running", len(off) / n))
    stories = [d.content for d in ds if d.content.judged and d.content.story_expected]
    no_result = [c for c in stories if not c.result]
    if no_result:
        found.append(Advice("Endings", f"{len(no_result)} of {n} answers told a story with no result",
                            "finish every story with one sentence that starts \"As a result\"", len(no_result) / n))
    we_only = [c for c in stories
               if c.ownership.owner == "we" or (c.ownership.owner == "none" and c.ownership.we_quotes)]
    if we_only:
        found.append(Advice("Your own part", f"{len(we_only)} of {n} answers told what \"we\" did and no action "
                            "of your own", "retell one story saying \"I\" for every action that was yours",
                            len(we_only) / n))
    found = [a for a in found if a.share >= 0.5]
    return sorted(found, key=lambda a: -a.share)[:2]


def in_range(d: Delivery) -> bool:
    return bool(d.wpm) and PACE[0] <= d.wpm <= PACE[1]


def changes(sessions: list[list[Delivery | None]]) -> list[str]:
    """The latest session against the ones before it, in words; sessions oldest first, each a list
    of its answers' deliveries. Empty with fewer than two measured sessions."""
    measured = [_measured(s) for s in sessions]
    measured = [s for s in measured if s]
    if len(measured) < 2:
        return []
    now, before = measured[-1], measured[-2]
    lines = []
    a, b = sum(map(in_range, now)), sum(map(in_range, before))
    if a / len(now) != b / len(before):
        word = "steadier" if a / len(now) > b / len(before) else "less steady"
        lines.append(f"pace {word}: {a} of {len(now)} answers in range, "
                     f"{'up' if word == 'steadier' else 'down'} from {b} of {len(before)}")

    def per_min(s: list[Delivery]) -> float | None:
        speech = sum(d.speech_s or 0 for d in s) / 60
        count = sum(d.fillers.hesitation + d.fillers.discourse for d in s)
        return count / speech if speech else None

    f_now, f_before = per_min(now), per_min(before)
    if f_now is not None and f_before is not None and abs(f_now - f_before) >= 0.5:
        lines.append(f"fillers {'fewer' if f_now < f_before else 'more'}: {f_now:.1f} a minute, "
                     f"from {f_before:.1f}")
    for what, counts in (("had a measured result", lambda c: c.measured_result),
                         ("told an action of your own (\"I\")", lambda c: c.ownership.owner in ("i", "mixed")),
                         ("were on topic", lambda c: c.answered)):
        c_now, n_now = content_count(now, counts)
        c_before, n_before = content_count(before, counts)
        if n_now and n_before and c_now / n_now != c_before / n_before:
            lines.append(f"{c_now} of {n_now} answers {what}, {'up' if c_now / n_now > c_before / n_before else 'down'}"
                         f" from {c_before} of {n_before}")
    return lines or ["no clear change since the session before"]


def content_count(deliveries: list[Delivery], test) -> tuple[int, int]:
    """(answers passing `test`, answers whose content was judged): `test` reads a ContentFeedback."""
    judged = [d.content for d in deliveries if d.content.judged]
    return sum(1 for c in judged if test(c)), len(judged)
