"""Content feedback: what was said, judged once per answer from its timed words and its question.

Rules, no language model: sentences come from the transcriber's punctuation; each sentence is
given at most one STAR part (situation, task, action, result) from families of cues weighed by
where the sentence sits in the answer, so a part is told by its sentence, not by one keyword.
Everything shown is quoted from the transcript: fillers are left out and words the recogniser
was unsure of show as "…", never as what it guessed. When the transcript is too short or too
uncertain, the result says so and judges nothing.

This module is the only place content is judged; every view (terminal, `analyze --json`, the
HTML report, the browser's answer card, the session summary and history) reads a
`ContentFeedback` and never recomputes it. Measured against hand-marked answers by
`simulator.evaluation.content` (`interview-sim bench --content`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol, Sequence

PARTS = ("situation", "task", "action", "result")
UNSURE_P = 0.35  # a word the recogniser gave less than this is never quoted
MIN_WORDS = 15  # fewer clean words than this: too short to judge
MIN_SENTENCES = 2
MAX_UNSURE_SHARE = 0.3  # more of the words unsure than this: too uncertain to judge


class SpokenWord(Protocol):  # simulator.delivery.analyze.LabeledWord
    text: str
    start: float
    end: float
    probability: float
    filler: str | None


@dataclass(frozen=True, slots=True)
class QuestionBrief:
    """What an answer is held against: the question, what a strong answer covers, and for a
    question made from a job description, the duty it came from."""
    text: str = ""
    strong_answer: str = ""
    duty: str = ""  # the job description's (or the résumé's) line the question was made from
    duty_source: str = "job"  # "job" or "resume"

    @classmethod
    def from_question(cls, question: dict | None) -> QuestionBrief | None:
        """From a plan's question dict: a job question carries its line as `job_words`, a résumé
        question as `resume_words` (simulator.interview.interviewer)."""
        if not question or not str(question.get("text") or "").strip():
            return None
        source = "resume" if question.get("resume_words") and not question.get("job_words") else "job"
        duty = question.get("duty") or question.get("job_words") or question.get("resume_words") or ""
        return cls(str(question["text"]).strip(), str(question.get("strong_answer") or "").strip(),
                   str(duty).strip(), source)


@dataclass(slots=True)
class Sentence:
    index: int
    quote: str  # fillers left out, unsure words as "…"
    start: float
    end: float
    words: int  # clean words
    part: str | None = None  # one of PARTS, or None


@dataclass(slots=True)
class CoveredTerm:
    term: str  # from the question or the duty
    heard: str  # the answer's word that covers it


@dataclass(slots=True)
class Coverage:
    covered: list[CoveredTerm] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unclear: list[str] = field(default_factory=list)  # matched only by words the recogniser was unsure of


@dataclass(slots=True)
class Ownership:
    owner: str = "none"  # who acts in the action sentences: "i", "we", "mixed" or "none"
    i_count: int = 0  # "I" as the one acting, in the action sentences
    we_count: int = 0
    i_quotes: list[str] = field(default_factory=list)
    we_quotes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class NextStep:
    text: str  # what to do, in a sentence the person can act on
    evidence: str  # what in this answer made it the most useful step


@dataclass(slots=True)
class ContentFeedback:
    judged: bool = False
    reason: str = "no transcript to judge"  # why nothing is judged (when not judged)
    question: str = ""
    story_expected: bool = False  # the question asks for an example from experience
    measure_expected: bool = True  # the question or its strong answer is about an effect that can be counted
    sentences: list[Sentence] = field(default_factory=list)
    parts_heard: list[str] = field(default_factory=list)  # in STAR order
    parts_missing: list[str] = field(default_factory=list)
    action_share: float | None = None  # words in action sentences over all clean words
    ownership: Ownership = field(default_factory=Ownership)
    result: bool = False
    measured_result: bool = False
    measure: str = ""  # the words that measure the result ("twenty percent")
    specifics: list[str] = field(default_factory=list)  # numbers and names heard
    vague: list[str] = field(default_factory=list)  # vague phrases heard
    question_terms: Coverage = field(default_factory=Coverage)
    duty_terms: Coverage | None = None
    duty_source: str = ""  # "job" or "resume": where the duty line came from
    answered: bool = False
    next_step: NextStep | None = None
    strong_answer: str = ""  # the bank's strong answer, or the duty for a job question

    def quote(self, part: str) -> str:
        """The first sentence heard as `part`, quoted ("" when not heard)."""
        return next((s.quote for s in self.sentences if s.part == part), "")

    @property
    def points(self) -> list[tuple[str, str]]:
        """(label, line) in reading order: what every view shows, in the same words."""
        if not self.judged:
            return [("Content", f"not judged: {self.reason}")]
        out = []
        cov = self.question_terms
        asked = []
        if cov.covered:
            asked.append("covered " + ", ".join(f"{c.term} (\u201c{c.heard}\u201d)" for c in cov.covered))
        if cov.missing:
            asked.append("not heard: " + ", ".join(cov.missing))
        if cov.unclear:
            asked.append("unclear in the recording: " + ", ".join(cov.unclear))
        if self.duty_terms is not None:
            d = self.duty_terms
            whose = "your résumé's line" if self.duty_source == "resume" else "the job's line"
            asked.append(f"{whose}: {len(d.covered)} of {len(d.covered) + len(d.missing)} of its words heard"
                         + (" (" + ", ".join(c.heard for c in d.covered) + ")" if d.covered else ""))
        if self.answered:
            line = "on topic" + ("; " + "; ".join(asked) if asked else "")
        else:  # words, not a verdict: a paraphrase of the question covers none of its words either
            line = "no sign it answers what was asked" + ("; " + "; ".join(asked) if asked else "")
        out.append(("The question", line))
        heard = [f"{p} \u201c{self.quote(p)}\u201d" for p in self.parts_heard]
        star = ("; ".join(heard) if heard else "no situation, task, action or result heard")
        if self.parts_missing and (self.story_expected or self.parts_heard):
            star += "; not heard: " + ", ".join(self.parts_missing)
        if self.action_share is not None and "action" in self.parts_heard:
            star += f"; the action is {100 * self.action_share:.0f}% of the answer"
        out.append(("Structure", star))
        o = self.ownership
        if o.owner != "none":
            line = f"\u201cI\u201d {o.i_count}, \u201cwe\u201d {o.we_count} in the action"
            if o.we_quotes:
                line += f"; \u201c{o.we_quotes[0]}\u201d"
            elif o.i_quotes:
                line += f"; \u201c{o.i_quotes[0]}\u201d"
            out.append(("Your part", line))
        elif o.we_quotes and self.story_expected:
            out.append(("Your part", "no action of your own heard; the story says \u201cwe\u201d: "
                                     f"\u201c{o.we_quotes[0]}\u201d"))
        if self.result:
            how = (f"measured (\u201c{self.measure}\u201d)" if self.measured_result
                   else "heard, with no number or before and after")
            out.append(("Result", f"{how}: \u201c{self.quote('result')}\u201d"))
        elif self.story_expected:
            out.append(("Result", "no result heard"))
        ev = f"{len(self.specifics)} specific{'s' if len(self.specifics) != 1 else ''}"
        if self.specifics:
            ev += " (" + ", ".join(self.specifics[:4]) + ")"
        ev += f", {len(self.vague)} vague phrase{'s' if len(self.vague) != 1 else ''}"
        if self.vague:
            ev += " (" + ", ".join(f"\u201c{v}\u201d" for v in self.vague[:3]) + ")"
        out.append(("Evidence", ev))
        if self.next_step is not None:
            out.append(("Next step", f"{self.next_step.text} ({self.next_step.evidence})"))
        if self.strong_answer:
            out.append(("A strong answer", self.strong_answer))
        return out


# -- words and sentences ---------------------------------------------------------------------------

def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9'%$]", "", text.lower().replace("\u2019", "'"))


def split_sentences(words: Sequence[SpokenWord]) -> list[Sentence]:
    """Sentences at the transcriber's full stops, question and exclamation marks; fillers left out
    of the quotes and unsure words shown as "…". A sentence of only fillers is no sentence."""
    groups: list[list[SpokenWord]] = [[]]
    for w in words:
        groups[-1].append(w)
        if re.search(r"[.!?\u2026][\"'\u201d\u2019)]*$", w.text.strip()) and _norm(w.text) not in _ABBREVIATIONS:
            groups.append([])
    groups = [piece for group in groups for piece in _run_on(group)]
    out: list[Sentence] = []
    for group in groups:
        kept = [w for w in group if not w.filler]
        if not any(_norm(w.text) for w in kept):
            continue
        quote = _quote(group)
        n = sum(1 for w in kept if _norm(w.text))
        out.append(Sentence(len(out), quote, group[0].start, group[-1].end, n))
    return out


_KEEP_COMMA = {"so", "well", "sure", "yes", "yeah", "okay", "ok", "right", "no", "now", "first", "then", "and",
               "but", "also", "finally", "honestly"}  # "Sure, um, I am": the comma is the opener's own


_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "prof", "vs", "eg", "ie", "etc", "jr", "sr", "inc", "ltd", "co"}
RUN_ON_WORDS = 25  # a "sentence" this long is several, said without a full stop
_JOINS = {"and", "so", "but", "then"}
_SUBJECTS = {"i", "we", "he", "she", "they", "it", "then", "so"}


def _run_on(group: list[SpokenWord]) -> list[list[SpokenWord]]:
    """A run-on sentence cut before each "and/so/but/then" that starts a new clause ("... and I
    called her"), keeping pieces of at least eight words."""
    if sum(1 for w in group if not w.filler) < RUN_ON_WORDS:
        return [group]
    pieces: list[list[SpokenWord]] = [[]]
    for k, w in enumerate(group):
        nxt = _norm(group[k + 1].text) if k + 1 < len(group) else ""
        said = sum(1 for x in pieces[-1] if not x.filler)
        rest = sum(1 for x in group[k:] if not x.filler)
        if (_norm(w.text) in _JOINS and not w.filler and nxt in _SUBJECTS and said >= 8 and rest >= 6):
            pieces.append([])
        pieces[-1].append(w)
    return pieces


def _quote(group: Sequence[SpokenWord]) -> str:
    pieces: list[str] = []
    skipped_filler = False
    for w in group:
        t = w.text.strip()
        if w.filler or not _norm(t):
            skipped_filler = skipped_filler or bool(w.filler)
            continue
        if skipped_filler and pieces and pieces[-1].endswith(",") and pieces[-1][:-1].lower() not in _KEEP_COMMA:
            pieces[-1] = pieces[-1][:-1]  # "was, you know, keeping": the comma belonged to the filler
        skipped_filler = False
        if w.probability < UNSURE_P:
            if not pieces or pieces[-1] != "\u2026":
                pieces.append("\u2026")
            continue
        glue = pieces and (t[:1] in ",.;:!?%" or (t[:1] == "-" and len(t) > 1))
        if glue:
            pieces[-1] += t
        else:
            pieces.append(t)
    text = " ".join(pieces).strip(" ,")
    return text[:1].upper() + text[1:] if text else text


# -- the STAR parts --------------------------------------------------------------------------------

_IRREGULAR_PAST = {
    "went", "made", "took", "wrote", "ran", "built", "led", "found", "told", "gave", "sent", "spent", "drove",
    "set", "put", "cut", "brought", "bought", "got", "sat", "began", "chose", "met", "saw", "spoke", "kept",
    "held", "taught", "paid", "sold", "won", "caught", "drew", "did", "rang", "rewrote", "split", "shut", "let",
    "stopped", "fixed", "moved", "asked", "called", "pulled", "showed", "offered", "added", "joined", "switched",
    "printed", "arranged", "dropped", "focused", "collected", "noticed", "matched", "traced", "flagged",
    "volunteered", "trained", "raised", "listened", "apologised", "apologized", "looked", "talked", "suggested",
    "turned", "posted", "sat", "gave", "threw", "broke", "rolled", "reached", "worked", "agreed", "decided",
}
_NOT_ACTION = {"was", "were", "had", "needed", "wanted", "used", "thought", "felt", "liked", "loved", "seemed",
               "tried", "hoped", "planned", "expected", "supposed", "grew", "based", "learned", "learnt", "loved"}
_ED = re.compile(r"^[a-z]{3,}ed$")
_SUBJECT_VERB = re.compile(r"\b(i|we)\s+(?:(?:also|then|just|quickly|first|finally|personally|actually|"
                           r"immediately|eventually|both|all|never|really)\s+)?"
                           r"(?!used to\b|did not\b|didn't\b)([a-z']+)")

_SITUATION = [re.compile(p) for p in (
    r"\b(at|in) my (last|previous|current|old|first|former) (job|role|company|team|school|position|workplace)\b",
    r"\bat (the|our|a) [a-z]+( [a-z]+)?,? (we|i|there|our)\b", r"\bwhen i (was|joined|started|worked|had)\b",
    r"\bi was (working|looking after|on call|at)\b", r"\bthere (was|were)\b", r"\bago\b", r"\bused to\b",
    r"\b(last|that) (year|spring|summer|autumn|winter|month|quarter|week)\b", r"\bin my first year\b",
    r"\bi am an? \b", r"\bi have worked\b", r"\bi had an? \b", r"\b(came|called) (in|into|down|because)\b",
    r"\bwith \w+ (weeks|days|months) left\b", r"\bon an? [a-z]+ (shift|night|day|morning)\b",
    r"\b(was|were) (planning|working|building|running|trying|in the)\b", r"\bwanted (a|to)\b",
    r"^(our|my|a|the|one|uh) [a-z ]{0,30}\b(was|were|had|wanted|went|crashed|failed|came|started|lost)\b",
    r"\b(took|takes) (about|over|around)? ?\w+ (minutes|hours|days)\b", r"\bby hand\b",
)]
_TASK = [re.compile(p) for p in (
    r"\b(i|we|he|she|they) (had|needed|have|need) to\b", r"\b(he|she|they|i|we) needed\b",
    r"\bmy (task|job|goal|target|role|responsibility|aim)( \w+){0,2} (was|is)\b",
    r"\b(had|have|got) (only )?(\w+ )?(weeks?|days?|months?|hours?) to\b",
    r"\b(i was|we were) (asked|tasked|responsible|in charge)\b", r"\basked me (to|how|whether|if)\b",
    r"\bthe (goal|challenge|problem|hard part|task|aim|question) was\b", r"\bwanted me to\b",
    r"\b(did not|didn't|don't|do not) have\b.*\bin stock\b", r"\bi was asked\b",
)]
_RESULT = [re.compile(p) for p in (
    r"\bin the end\b", r"\bas a result\b", r"\beventually\b", r"\bended up\b", r"\bsince then\b",
    r"\bafter that,? (i|we)\b", r"\bwhich (meant|was|led)\b", r"\bthe (result|outcome) was\b",
    r"\b(went|fell|dropped|rose|grew|came) (from|to|down|up|by)\b", r"\b(doubled|halved|tripled)\b",
    r"\b(saved|cut|reduced|increased|improved|stopped|solved|won|closed|passed|finished|signed|stayed|"
    r"shipped|launched|approved|settled|caught|kept)\b", r"\b(i|we) (learned|learnt)\b", r"\bnow takes\b",
    r"\b(review|award|promotion|promoted)\b", r"\bonly \w+ (percent|of)\b", r"\bthe (fix|change|test)\b",
    r"\bi always\b", r"\b(faster|slower|cheaper|fewer|happier)\b", r"\b(was|were) (happy|pleased|never)\b",
    r"\bwithin (a|an|the|\w+) (days?|weeks?|months?|hours?|minutes?|years?)\b", r"\bhelped\b",
    r"\bgot (\w+ ){0,3}(down|up) to\b", r"\binstead of\b", r"\bended (the|up|with)\b",
    r"^now (nothing|no|every|it|they|we|the)\b",
)]
_HYPOTHETICAL = re.compile(r"\b(would|will|i'd|i'll|should|could|usually|sometimes|always try)\b|"
                           r"\bi (really |just |also )?(think|like|love|want|believe|am|care)\b|"
                           r"\b(is|are) (my|the|a|very)\b")


def _subject_verbs(flat: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in _SUBJECT_VERB.finditer(flat)]


def _acts(verb: str) -> bool:
    return verb not in _NOT_ACTION and (verb in _IRREGULAR_PAST or bool(_ED.match(verb)))


def _flat(quote: str) -> str:
    """Lower case words only, a stutter said once ("I, I asked" -> "i asked")."""
    flat = re.sub(r"\s+", " ", re.sub(r"[^a-z0-9'% ]", " ", quote.lower().replace("\u2019", "'"))).strip()
    return re.sub(r"\b(\w+)( \1\b)+", r"\1", flat)


def _scores(flat: str, position: float, last: bool, first: bool, acted_before: bool) -> dict[str, float]:
    s = {p: 0.0 for p in PARTS}
    s["situation"] += 2 * min(2, sum(1 for p in _SITUATION if p.search(flat)))
    s["task"] += 3.5 * min(2, sum(1 for p in _TASK if p.search(flat)))
    result_cues = sum(1 for p in _RESULT if p.search(flat))
    s["result"] += 2 * min(2, result_cues)
    subjects = _subject_verbs(flat)
    actors = [(who, verb) for who, verb in subjects if _acts(verb)]
    if actors:
        s["action"] += 2.5 + min(1.0, 0.5 * (len(actors) - 1))
        if flat.startswith(("i ", "we ", "then i ", "so i ", "then we ", "so we ", "first i ", "after that i ")):
            s["action"] += 1.0  # the actor opens the sentence: its main clause is the step taken
    if first:
        s["situation"] += 1.5 + (1.0 if _PAST.search(flat) else 0.0)
        s["action"] -= 1.0
    elif position < 0.4:
        s["situation"] += 0.5
    if last:
        s["result"] += 2.0
        s["situation"] -= 1.5
        s["task"] -= 1.5
    elif position > 0.6:
        s["result"] += 0.5
        s["situation"] -= 1.0
    if last and acted_before and flat.startswith(_OTHERS) and _past(flat):
        result_cues += 1  # after the steps, what someone else did: how it turned out
        s["result"] += 2.0
    if not acted_before and not last and not _OUTCOME_OPENER.search(flat) and "percent" not in flat:
        s["result"] -= 1.5  # an outcome before anything was done is usually how things stood
    if _NUMBER.search(flat) and position > 0.5:
        s["result"] += 1.0
    if _HYPOTHETICAL.search(flat) and not actors:  # "I turned it into a demo ... what would happen" acted
        for p in PARTS:
            s[p] -= 1.0 if p == "task" else 2.0
    if not result_cues and not _NUMBER.search(flat):
        s["result"] = min(s["result"], 1.5)  # being last is not enough: a result says what came of it
    return s


_OTHERS = ("he ", "she ", "they ", "the ", "our ", "his ", "her ", "their ", "everyone ", "customers ")


def _past(flat: str) -> bool:
    """Some verb in the past: was, had, an -ed form or a common irregular one."""
    return any(w in _IRREGULAR_PAST or w in _NOT_ACTION or (len(w) > 3 and w.endswith("ed")) for w in flat.split())


_PAST = re.compile(r"\b(was|were|had|[a-z]{3,}ed)\b")
_OUTCOME_OPENER = re.compile(r"^(in the end|as a result|eventually|finally|since then|after that)\b")


def label_parts(sentences: list[Sentence]) -> None:
    """Give each sentence its STAR part (or none), by its cues and its place in the answer."""
    n = len(sentences)
    acted = False
    for s in sentences:
        flat = _flat(s.quote)
        position = s.index / (n - 1) if n > 1 else 0.0
        scores = _scores(flat, position, last=n > 2 and s.index == n - 1, first=s.index == 0, acted_before=acted)
        part, best = max(scores.items(), key=lambda kv: kv[1])
        s.part = part if best >= 2.0 else None
        acted = acted or s.part == "action"


# -- ownership, results, specifics -----------------------------------------------------------------

_NUMBER_WORDS = ("one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
                 "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
                 "hundred|thousand|million|billion|half|double|twice|percent|dozen")
_NUMBER = re.compile(rf"\d|\b({_NUMBER_WORDS})\b")
_MEASURE = re.compile(rf"(\$|£|€)?\d[\d,.]*\s*%?(\s*(percent|per cent|minutes?|hours?|days?|weeks?|months?|"
                      rf"years?|dollars|pounds|euros|accounts|customers|users|people|stars?))?|"
                      rf"\b(?:(?:{_NUMBER_WORDS})[\s-]?)+(?:percent|per cent|minutes?|hours?|days?|weeks?|months?|"
                      rf"years?|dollars|pounds|euros|accounts|bikes|stars?|times|people|customers)?\b|"
                      rf"\bfrom an? \w+ to an? \w+\b|\b(doubled|halved|tripled)\b")
_VAGUE = re.compile(r"\b(a lot( of)?|lots of|stuff|things like that|various|many things|some things|and so on|"
                    r"et cetera|etc|kind of|sort of|pretty good|really good|a bit|everyone|everything|somehow|"
                    r"a learning experience|all sorts|whatever)\b")
_NOT_NAMES = {"I", "I'm", "I've", "I'd", "I'll", "OK", "Okay", "Mr", "Mrs", "Ms", "Dr"}


def _ownership(sentences: list[Sentence]) -> Ownership:
    o = Ownership()
    story_we: list[str] = []  # "we" acting outside the action sentences: shown when no action is heard
    for s in sentences:
        subjects = _subject_verbs(_flat(s.quote))
        actors = [who for who, verb in subjects if _acts(verb)]
        if s.part != "action":
            if any(who == "we" for who, _ in subjects):
                story_we.append(s.quote)
            continue
        i, we = actors.count("i"), actors.count("we")
        o.i_count += i
        o.we_count += we
        if i:
            o.i_quotes.append(s.quote)
        if we:
            o.we_quotes.append(s.quote)
    if any(s.part == "action" for s in sentences):
        o.owner = ("mixed" if o.i_count and o.we_count else "we" if o.we_count
                   else "i" if o.i_count else "none")
    else:
        o.we_quotes = story_we
    return o


def _quotes(sentences: list[Sentence], part: str) -> list[str]:
    return [s.quote for s in sentences if s.part == part]


def _measure(quotes: list[str]) -> str:
    for q in quotes:
        for m in _MEASURE.finditer(q.lower()):
            text = m.group(0).strip()
            if _NUMBER.search(text) or re.search(r"doubled|halved|tripled|from an? ", text):
                return text
    return ""


def _specifics(sentences: list[Sentence]) -> list[str]:
    out: list[str] = []
    for s in sentences:
        tokens = s.quote.split()
        for k, t in enumerate(tokens):
            word = t.strip(",.;:!?\"'\u201c\u201d")
            if not word or word == "\u2026":
                continue
            named = k > 0 and (word[:1].isupper() and word not in _NOT_NAMES) or (len(word) > 1 and word.isupper()
                                                                                 and word not in _NOT_NAMES)
            if named and word not in out:
                out.append(word)
        for m in _MEASURE.finditer(s.quote.lower()):
            text = m.group(0).strip()
            if text and _NUMBER.search(text) and text not in out:
                out.append(text)
    return out


# -- the question ----------------------------------------------------------------------------------

_STOP = set("""a an the and or but of to in on at for with from by about as into than then that this these those
it its is are was were be been being do does did done have has had you your yours yourself me my i we our us
they them their he she his her what which who whom why how when where there here so if not no yes can could would
should will shall may might must tell describe walk talk through give example time times something anything
some any one ever just really very most more much many like little bit go went get got make made say said
thing things way kind sort other others own each every all both else also only even still want think know
over out up down off again once right now before after during while lot feel handle handled""".split())

_FAMILIES = [set(f.split()) for f in (
    "disagree disagreed disagreement disagreeing conflict argument argued fight convince convinced pushback",
    "colleague colleagues coworker teammate designer engineer manager lead director peer",
    "customer customers client clients guest guests user users patient caller shopper",
    "angry upset shouting furious frustrated complaint complained rude",
    "difficult hard hardest challenging tough tricky",
    "project projects migration migrate launch rollout",
    "led lead leading managed ran headed",
    "saved save saving cut reduced cheaper lower costs",
    "money cost costs budget dollars pounds euros spend postage",
    "bug bugs crash crashed crashes error errors failure failures failed fault",
    "stakeholder stakeholders director executive vp boss head senior",
    "deal deals contract sale sales",
    "lost lose losing",
    "target targets goal goals quota number",
    "wrong mistake error incorrect",
    "broke broken outage down failed",
    "weakness weaknesses weak perfectionist struggle struggled",
    "lesson lessons class lab",
    "student students pupil pupils",
    "handed handover handovers hand",
    "process processes workflow",
    "improve improved improving better faster fell reduced",
    "analysis analyses analysed analyzed data numbers report query model matched",
    "decision decisions decided decide",
    "built build wrote created designed",
    "production live outage stale",
    "value values",
    "company companies organisation organization business firm",
)]


def _stem(word: str) -> str:
    for suffix in ("ings", "ing", "ies", "ied", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            return stem[:-1] if len(stem) > 3 and stem[-1] == stem[-2] else stem  # planned -> plan
    return word


def key_terms(text: str) -> list[str]:
    out: list[str] = []
    for w in re.findall(r"[a-z][a-z']+", text.lower()):
        if w not in _STOP and len(w) > 2 and w not in out:
            out.append(w)
    return out


def _match(term: str, words: list[str]) -> str | None:
    stem = _stem(term)
    heard = next((w for w in words if _stem(w) == stem), None)
    if heard is None:
        family = next((f for f in _FAMILIES if term in f), None)
        if family is not None:
            heard = next((w for w in words if w in family), None)
    return heard


def _cover(terms: list[str], clear_words: list[str], unsure_words: list[str]) -> Coverage:
    """Each term covered by a clear word (quoted), only by an unsure one (unclear: never quoted as
    heard, never counted as missing), or missing."""
    cov = Coverage()
    for term in terms:
        heard = _match(term, clear_words)
        if heard is not None:
            cov.covered.append(CoveredTerm(term, heard))
        elif _match(term, unsure_words) is not None:
            cov.unclear.append(term)
        else:
            cov.missing.append(term)
    return cov


# A conflict or a lesson ends well without a number; an achievement, a saving or a target does not.
_COUNTABLE = re.compile(r"measur|number|how much|saving|saved|money|revenue|target|progress|before and after|"
                        r"sales|percent|impact|achievement|result|grow|exceed|improv|decision|metric")
_STORY = re.compile(r"\b(tell me about (a|an|the)\b|describe (a|the|an)\b|a time\b|what is the hardest|"
                    r"have you ever|give me an example|where have you lived|what happened)")


# -- the judgement ---------------------------------------------------------------------------------

def judge_content(words: Sequence[SpokenWord], question: QuestionBrief | None) -> ContentFeedback:
    """The content feedback of one answer, from its labelled words (fillers marked) and its question."""
    fb = ContentFeedback(question=question.text if question else "")
    if question is not None:
        fb.story_expected = bool(_STORY.search(question.text.lower()))
        asked = f"{question.text} {question.strong_answer} {question.duty}".lower()
        fb.measure_expected = bool(_COUNTABLE.search(asked))
        fb.strong_answer = question.strong_answer or question.duty
    spoken = [w for w in words if not w.filler and _norm(w.text)]
    unsure = sum(1 for w in spoken if w.probability < UNSURE_P)
    fb.sentences = split_sentences(words)
    if spoken and unsure > MAX_UNSURE_SHARE * len(spoken):
        fb.reason = f"too uncertain to judge: the recogniser was unsure of {unsure} of {len(spoken)} words"
        return fb
    if len(spoken) - unsure < MIN_WORDS or len(fb.sentences) < MIN_SENTENCES:
        fb.reason = (f"too short to judge ({len(spoken) - unsure} clear word{'s' if len(spoken) - unsure != 1 else ''} "
                     f"in {len(fb.sentences)} sentence{'s' if len(fb.sentences) != 1 else ''}; "
                     f"at least {MIN_WORDS} words in {MIN_SENTENCES} sentences are needed)")
        return fb
    fb.judged, fb.reason = True, ""
    label_parts(fb.sentences)
    fb.parts_heard = [p for p in PARTS if any(s.part == p for s in fb.sentences)]
    fb.parts_missing = [p for p in PARTS if p not in fb.parts_heard]
    total = sum(s.words for s in fb.sentences)
    acting = sum(s.words for s in fb.sentences if s.part == "action")
    fb.action_share = round(acting / total, 3) if total else None
    fb.ownership = _ownership(fb.sentences)
    results = _quotes(fb.sentences, "result")
    fb.result = bool(results)
    fb.measure = _measure(results)
    fb.measured_result = bool(fb.measure)
    fb.specifics = _specifics(fb.sentences)
    fb.vague = [m.group(0) for s in fb.sentences for m in _VAGUE.finditer(_flat(s.quote))]
    clear_words = [w for s in fb.sentences for w in _flat(s.quote).split()]
    unsure_words = [_norm(w.text).strip("'") for w in spoken if w.probability < UNSURE_P]
    if question is not None:
        fb.question_terms = _cover(key_terms(question.text), clear_words, unsure_words)
        if question.duty:
            fb.duty_terms = _cover(key_terms(question.duty), clear_words, unsure_words)
            fb.duty_source = question.duty_source
    on_topic = bool(fb.question_terms.covered or fb.question_terms.unclear
                    or (fb.duty_terms and (fb.duty_terms.covered or fb.duty_terms.unclear))
                    or (question is not None and not fb.question_terms.missing))
    told = "action" in fb.parts_heard or "result" in fb.parts_heard
    fb.answered = question is None or (on_topic and (told or not fb.story_expected))
    fb.next_step = _next_step(fb)
    return fb


def _next_step(fb: ContentFeedback) -> NextStep:
    """The one change most worth making to this answer, with what in the answer calls for it."""
    cov = fb.question_terms
    o = fb.ownership
    if not fb.answered:
        if fb.story_expected and not ("action" in fb.parts_heard or "result" in fb.parts_heard):
            return NextStep("Tell one real example: where you were, what you did, and how it ended",
                            "no story was heard, only general statements")
        return NextStep("Say in your first sentence what you are answering, in the question's own words",
                        "none of the question's key words were heard: " + (", ".join(cov.missing[:4]) or "none"))
    if fb.story_expected:
        if "action" not in fb.parts_heard:
            if o.we_quotes:
                return NextStep("Say what you did yourself, step by step, with \u201cI\u201d",
                                f"the story only says what \u201cwe\u201d did: \u201c{o.we_quotes[0]}\u201d")
            return NextStep("Add the steps you took yourself, starting \u201cI\u2026\u201d",
                            "no action of yours was heard")
        if o.owner == "we":
            return NextStep("Say \u201cI\u201d for the steps that were yours, and what the team did apart from you",
                            f"every action was \u201cwe\u201d: \u201c{o.we_quotes[0]}\u201d")
        if not fb.result:
            return NextStep("End with how it turned out, in one sentence that starts \u201cAs a result\u201d",
                            "no result was heard")
        if not fb.measured_result and fb.measure_expected:
            return NextStep("Put a number on the result: how much, how many, or before and after",
                            f"the result has no measure: \u201c{fb.quote('result')}\u201d")
        if "situation" not in fb.parts_heard and "task" not in fb.parts_heard:
            return NextStep("Open with one sentence of context: where you were and what was at stake",
                            f"the answer starts with the action: \u201c{fb.sentences[0].quote}\u201d")
    if len(fb.vague) > len(fb.specifics):
        return NextStep("Replace the vague words with a name, a number or an example",
                        "vague: " + ", ".join(f"\u201c{v}\u201d" for v in fb.vague[:3]))
    if fb.story_expected:
        return NextStep("Keep this shape; say the result in the first sentence next time, then tell the story",
                        f"{', '.join(fb.parts_heard)} heard" + (f", the result measured (\u201c{fb.measure}\u201d)"
                                                               if fb.measured_result else ""))
    if not ({"action", "result"} & set(fb.parts_heard)):
        return NextStep("Back your answer with one example from your own work: what you did and how it turned out",
                        "no example from experience was heard")
    if fb.strong_answer:
        return NextStep("Check it against what a strong answer covers, below, and add the piece that is missing",
                        f"on topic, with an example: {', '.join(fb.parts_heard)} heard")
    return NextStep("Keep this shape: on topic, with an example from your own work",
                    f"{', '.join(fb.parts_heard)} heard")
