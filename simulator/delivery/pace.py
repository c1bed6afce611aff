"""Pace: words per minute over the speech span, articulation rate, and pace over time.

Whisper writes numbers as digits; a rate must count what was said, so "50,000" counts as
"fifty thousand" (2 words) and "20%" as "twenty percent" (2 words). Hyphenated words count
each part ("cold-hearted" is two words said, as a forced aligner counts them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

WINDOW_S = 15.0
# Sustained drift: at least this many consecutive windows outside the band (30 s or more).
DRIFT_WINDOWS = 2
FAST_WPM = 170.0  # above the 100-165 wpm band tools use (docs/sources.md), with a margin
SLOW_WPM = 100.0

_NUMBER = re.compile(r"^(?P<pre>[$€£¥]?)(?P<num>\d[\d,]*(?:\.\d+)?)(?P<post>%|k|m|bn|x|st|nd|rd|th|s)?$", re.I)
_SCALE_WORDS = {"%": 1, "k": 1, "m": 1, "bn": 1, "x": 1}  # percent, thousand, million, billion, times


def _integer_words(text: str) -> int:
    """How many words an integer takes to say: 125 -> one hundred twenty-five -> 4."""
    digits = text.replace(",", "")
    value = int(digits)
    groups = []
    while value:
        value, g = divmod(value, 1000)
        groups.append(g)
    if not groups:
        return 1
    count = 0
    for scale, group in enumerate(groups):
        if not group:
            continue
        hundreds, rest = divmod(group, 100)
        count += 2 if hundreds else 0
        count += 0 if rest == 0 else 1 if rest < 20 or rest % 10 == 0 else 2
        count += 1 if scale else 0  # thousand, million, ...
    return count


def _year_words(value: int) -> int | None:
    """Four-digit years are said in pairs: 1995 -> nineteen ninety-five (3), 2019 -> twenty nineteen."""
    if 1100 <= value <= 1999 or 2010 <= value <= 2099:
        high, low = divmod(value, 100)
        said_high = 1 if high < 20 or high % 10 == 0 else 2
        if low == 0:
            return said_high + 1  # nineteen hundred
        said_low = 2 if low < 10 else 1 if low < 20 or low % 10 == 0 else 2  # "oh five"
        return said_high + said_low
    return None


def spoken_words(token: str) -> int:
    """Words said for one written token (punctuation around it ignored)."""
    core = token.strip(" \t\"'“”‘’()[]{}.,;:!?…-—–")
    if not core:
        return 0
    if not any(c.isdigit() for c in core):
        return sum(1 for part in re.split(r"[-/]", core) if any(c.isalnum() for c in part))
    parts = [p for p in re.split(r"[-/:–]", core) if p]
    if len(parts) > 1:  # 24/7, 9-5, 10:30
        return sum(spoken_words(p) for p in parts)
    m = _NUMBER.match(core)
    if not m:  # mixed like "v2" or "B2B": one word per run of letters or digits
        return max(1, len(re.findall(r"[A-Za-z]+|\d+", core)))
    num, post = m.group("num"), (m.group("post") or "").lower()
    whole, _, fraction = num.partition(".")
    whole = whole.strip(",") or "0"
    count = None
    if not fraction and "," not in whole and len(whole) == 4 and not m.group("pre") and post in ("", "s"):
        count = _year_words(int(whole))
    if count is None:
        count = _integer_words(whole)
    if fraction:
        count += 1 + len(fraction)  # "point" and each digit
    count += 1 if m.group("pre") else 0  # dollars
    count += _SCALE_WORDS.get(post, 0)
    return count


def spoken_counts(texts: Sequence[str]) -> list[int]:
    """Words said per token. Whisper sometimes splits "$50,000" into "$50" ",000": rejoin first."""
    counts = [0] * len(texts)
    i = 0
    while i < len(texts):
        joined, j = texts[i].strip(), i + 1
        while (j < len(texts) and re.match(r"^[,.]\d", texts[j].strip()) and joined
               and joined.rstrip("%")[-1:].isdigit()):
            joined += texts[j].strip()
            j += 1
        counts[i] = spoken_words(joined)
        i = j
    return counts


def per_minute(count: float, seconds: float | None) -> float | None:
    if not seconds or seconds <= 0:
        return None
    return round(count * 60.0 / seconds, 1)


@dataclass
class PaceWindow:
    start: float
    end: float
    words: int
    wpm: float
    flag: str | None = None  # "fast" or "slow" when part of a sustained drift


@dataclass
class Drift:
    start: float
    end: float
    direction: str  # "fast" or "slow"
    wpm: float  # over the stretch


def pace_windows(midpoints: Sequence[float], counts: Sequence[int], span: tuple[float, float],
                 window_s: float = WINDOW_S) -> list[PaceWindow]:
    """Words per minute in consecutive windows over the speech span; a short tail joins the last window."""
    start, end = span
    if end <= start:
        return []
    edges = [start]
    while edges[-1] + window_s < end:
        edges.append(edges[-1] + window_s)
    edges.append(end)
    if len(edges) > 2 and edges[-1] - edges[-2] < window_s / 3:
        del edges[-2]
    windows = []
    k = 0
    order = sorted(range(len(midpoints)), key=lambda i: midpoints[i])
    for a, b in zip(edges, edges[1:]):
        n = 0
        while k < len(order) and (midpoints[order[k]] < b or b == end):
            n += counts[order[k]]
            k += 1
        windows.append(PaceWindow(round(a, 3), round(b, 3), n, round(n * 60.0 / (b - a), 1)))
    return windows


def find_drift(windows: list[PaceWindow], fast: float = FAST_WPM, slow: float = SLOW_WPM,
               min_windows: int = DRIFT_WINDOWS) -> list[Drift]:
    """Runs of consecutive windows all fast (or all slow); marks those windows."""
    drifts: list[Drift] = []
    i = 0
    while i < len(windows):
        kind = "fast" if windows[i].wpm > fast else "slow" if windows[i].wpm < slow else None
        j = i + 1
        while kind and j < len(windows) and (
                (windows[j].wpm > fast) if kind == "fast" else (windows[j].wpm < slow)):
            j += 1
        if kind and j - i >= min_windows:
            run = windows[i:j]
            for w in run:
                w.flag = kind
            seconds = run[-1].end - run[0].start
            drifts.append(Drift(run[0].start, run[-1].end, kind,
                                round(sum(w.words for w in run) * 60.0 / seconds, 1)))
        i = j
    return drifts
