"""STAR cues: does the answer show a Situation, a Task, the Actions taken, and a Result?

A light, explained hint from phrases people use for each part, never a grade: it cannot tell
whether the story is good, only whether its usual signposts were heard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

_CUES: dict[str, tuple[str, ...]] = {
    "situation": (r"\bwhen i was\b", r"\bat my (last|previous|current|old) (job|company|role|team)\b",
                  r"\bthe situation\b", r"\bback (in|when)\b", r"\bwe were (working|building|running|trying)\b",
                  r"\bthe (context|background|problem) was\b", r"\bour team (was|had)\b", r"\bin \d{4}\b",
                  r"\bi was working\b", r"\bat (the time|that time)\b"),
    "task": (r"\bmy (task|job|role|goal|responsibility) was\b", r"\bi was (responsible|asked|tasked)\b",
             r"\bi (needed|had) to\b", r"\bthe goal was\b", r"\bwe (needed|had) to\b", r"\bi was in charge\b",
             r"\bmy assignment\b", r"\bthe challenge was\b"),
    "action": (r"\bi (decided|built|led|wrote|designed|implemented|created|started|set up|organi[sz]ed|"
               r"proposed|talked|met|worked|reached out|introduced|changed|fixed|found|looked|analy[sz]ed|"
               r"migrated|automated|refactored|negotiated|coordinated|ran|tested|measured|split|moved)\b",
               r"\bso i\b", r"\bmy approach\b", r"\bfirst,? i\b", r"\bthen i\b"),
    "result": (r"\bas a result\b", r"\bin the end\b", r"\bthe (result|outcome) was\b", r"\bresult(ed)? in\b",
               r"\bwe (reduced|increased|improved|saved|cut|grew|shipped|launched|delivered|won|hit|doubled|halved)\b",
               r"\b(reduced|increased|improved|saved|cut|grew|doubled|halved)\b", r"\bended up\b",
               r"\bwhich (meant|led to)\b", r"\bi learned\b"),
}
_COMPILED = {part: [re.compile(p) for p in pats] for part, pats in _CUES.items()}
_MEASURE = re.compile(r"\d|\b(percent|half|double|twice|thousand|million|hours?|days?|weeks?|minutes?)\b")
_RESULT_VERB = re.compile(r"\b(reduced|increased|improved|saved|cut|grew|doubled|halved|dropped|raised|"
                          r"from|to|by|result|outcome)\b")


@dataclass
class StarCues:
    situation: bool = False
    task: bool = False
    action: bool = False
    result: bool = False
    measured_result: bool = False  # a number near a result ("cut build time by 40%")
    i_count: int = 0  # "I" and "I'm", "I've" ... : STAR advice is to tell your own actions
    we_count: int = 0
    evidence: dict[str, str] = field(default_factory=dict)  # part -> the phrase heard

    @property
    def parts_heard(self) -> int:
        return sum((self.situation, self.task, self.action, self.result))


def star_cues(texts: Sequence[str]) -> StarCues:
    text = " ".join(t.strip() for t in texts).lower().replace("’", "'")
    flat = re.sub(r"[^a-z0-9'%$ ]", " ", text)
    flat = re.sub(r"\s+", " ", flat)
    cues = StarCues()
    for part, patterns in _COMPILED.items():
        for pattern in patterns:
            m = pattern.search(flat)
            if m:
                setattr(cues, part, True)
                cues.evidence[part] = m.group(0)
                break
    words = flat.split()
    for i, w in enumerate(words):
        if _RESULT_VERB.fullmatch(w) and any(_MEASURE.search(x) for x in words[i + 1: i + 6]):
            cues.measured_result = True
            break
    cues.i_count = sum(1 for w in words if w in ("i", "i'm", "i've", "i'd", "i'll", "me", "my"))
    cues.we_count = sum(1 for w in words if w in ("we", "we're", "we've", "we'd", "we'll", "us", "our"))
    return cues
