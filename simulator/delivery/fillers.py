"""Filler words: hesitations (um, uh, er, hmm) and discourse markers in filler position.

A false positive hurts more than a miss (docs/sources.md), so discourse markers count only where the
transcript sets them off from the sentence: "I was, like, thinking" is a filler, "I like my
team", "would like to", "looks like" and "I actually shipped it" are not. Whisper writes those
commas from the little breaks around a filler. Hesitations count whatever their spelling:
tiny.en writes "umm" for "uh", so um and uh are counted together as hesitations.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Sequence

from simulator.delivery.language import Token
from simulator.transcribe.hesitations import hesitation_kind  # noqa: F401 - part of this module's interface

_TRAILS_OFF = re.compile(r"(\.\.\.|…)$")

HESITATION = "hesitation"
DISCOURSE = "discourse"


# Words whose filler use is set off by breaks on both sides (", basically,").
_SET_OFF = {"like", "basically", "actually", "literally", "honestly", "seriously", "totally", "anyway", "anyways"}
# Words that are fillers when they open a sentence with a break after ("Basically, ...").
_OPENERS = {"basically", "honestly", "like", "literally"}
# Openers that usually carry meaning ("So, I joined...", "Actually, I disagree"): fillers only when
# they stall, followed by a hesitation or trailing off ("So... um").
_WEAK_OPENERS = {"so", "well", "okay", "ok", "right", "actually", "anyway", "and"}
# "like" after these is a verb or a comparison even when commas stray around it.
_LIKE_NOT_AFTER = {"would", "i'd", "you'd", "we'd", "they'd", "he'd", "she'd", "feel", "feels", "felt", "look",
                   "looks", "looked", "sound", "sounds", "sounded", "seem", "seems", "seemed", "something",
                   "anything", "nothing", "more", "most", "much", "i", "you", "we", "they", "don't", "didn't",
                   "do", "does", "did", "not", "really", "also", "just", "exactly", "things", "stuff"}
# A quotative or hedging "like" right after these, followed by a break: "it was like, a mess".
_LIKE_FILLER_AFTER = {"was", "were", "it's", "i'm", "and", "but", "is", "i'm"}
_YOU_KNOW_NOT_AFTER = {"do", "did", "don't", "didn't", "if", "as", "would", "will", "you", "let", "let's", "we", "they"}
# Set off by breaks on both sides: ", you know," ", I mean," ", kind of,".
_PHRASES = (("you", "know"), ("i", "mean"), ("kind", "of"), ("sort", "of"), ("you", "see"))


def label_fillers(tokens: Sequence[Token]) -> tuple[list[str | None], list[str | None]]:
    """Per token: its filler class (None, "hesitation", "discourse") and the phrase it counts as.

    A multi-word filler labels all its tokens; its phrase is given on its first token only.
    """
    n = len(tokens)
    labels: list[str | None] = [None] * n
    phrases: list[str | None] = [None] * n
    for i, t in enumerate(tokens):
        kind = hesitation_kind(t.norm) if t.norm else None
        if kind:
            labels[i], phrases[i] = HESITATION, kind

    def break_before(i: int) -> bool:
        return i == 0 or tokens[i - 1].pause_after or labels[i - 1] == HESITATION

    def sentence_start(i: int) -> bool:
        return i == 0 or tokens[i - 1].sentence_end or labels[i - 1] == HESITATION

    def break_after(i: int) -> bool:
        return tokens[i].pause_after or i == n - 1 or labels[i + 1] == HESITATION

    i = 0
    while i < n:
        if labels[i]:
            i += 1
            continue
        norm = tokens[i].norm
        matched = 0
        for phrase in _PHRASES:
            k = len(phrase)
            if tuple(t.norm for t in tokens[i: i + k]) != phrase or any(labels[i: i + k]):
                continue
            end = i + k - 1
            if not break_after(end) or end == n - 1 and not tokens[end].pause_after:
                continue
            prev = tokens[i - 1].norm if i else ""
            if phrase == ("you", "know") and (prev in _YOU_KNOW_NOT_AFTER or not (break_before(i) or prev in ("and", "but", "so"))):
                continue
            if phrase != ("you", "know") and not break_before(i):
                continue
            if phrase in (("kind", "of"), ("sort", "of")) and sentence_start(i):
                continue  # "Kind of, yes." answers a question: a hedge, counted in language
            matched = k
            break
        if matched:
            for j in range(i, i + matched):
                labels[j] = DISCOURSE
            phrases[i] = " ".join(t.norm for t in tokens[i: i + matched])
            i += matched
            continue
        prev = tokens[i - 1].norm if i else ""
        is_filler = False
        if norm in _OPENERS and sentence_start(i) and break_after(i) and tokens[i].pause_after:
            is_filler = True  # "Basically, ...", "Like, ..."
        elif norm in _WEAK_OPENERS and sentence_start(i) and (
                (i + 1 < n and labels[i + 1] == HESITATION) or _TRAILS_OFF.search(tokens[i].raw)):
            is_filler = True  # "So, um, ...", "Well..."
        elif norm in _SET_OFF and break_before(i) and break_after(i) and i > 0 and not tokens[i].sentence_end:
            is_filler = norm != "like" or prev not in _LIKE_NOT_AFTER
        elif norm == "like" and prev in _LIKE_FILLER_AFTER and tokens[i].pause_after and not tokens[i].sentence_end:
            is_filler = True
        if is_filler:
            labels[i], phrases[i] = DISCOURSE, norm
        i += 1
    return labels, phrases


@dataclass
class FillerCounts:
    hesitation: int = 0
    discourse: int = 0
    by_phrase: dict[str, int] = field(default_factory=dict)  # most frequent first

    @property
    def total(self) -> int:
        return self.hesitation + self.discourse


def count_fillers(labels: Sequence[str | None], phrases: Sequence[str | None]) -> FillerCounts:
    by_phrase: Counter[str] = Counter(p for p in phrases if p)
    hesitation = sum(1 for label, p in zip(labels, phrases) if label == HESITATION and p)
    discourse = sum(1 for label, p in zip(labels, phrases) if label == DISCOURSE and p)
    return FillerCounts(hesitation, discourse, dict(by_phrase.most_common()))


@dataclass
class Cluster:
    start: float
    end: float
    count: int


CLUSTER_S = 5.0  # several fillers within a few seconds read as a moment of lost footing
CLUSTER_MIN = 3


def find_clusters(times: Sequence[float], window_s: float = CLUSTER_S, minimum: int = CLUSTER_MIN) -> list[Cluster]:
    """Groups of at least `minimum` fillers where each is within `window_s` of the group's first."""
    times = sorted(times)
    out: list[Cluster] = []
    i = 0
    while i < len(times):
        j = i
        while j + 1 < len(times) and times[j + 1] - times[i] <= window_s:
            j += 1
        if j - i + 1 >= minimum:
            # Chain on: a following filler close to the last one extends the same cluster.
            while j + 1 < len(times) and times[j + 1] - times[j] <= window_s / 2:
                j += 1
            out.append(Cluster(round(times[i], 3), round(times[j], 3), j - i + 1))
            i = j + 1
        else:
            i += 1
    return out
