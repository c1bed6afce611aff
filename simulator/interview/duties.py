"""A job description's own duty and requirement lines, and the questions they make (issue 20).

Any field works because nothing is looked up: the lines are the job's bullet lines and the
sentences of its prose, read section by section ("Responsibilities", "About you"; a benefits or
"about us" section is skipped). Each line is said back in the job's own words, rewritten only
where grammar needs it: "You will carry out site visits" becomes "The role asks you to carry out
site visits."; "Experience of payroll" becomes "The role asks for experience of payroll.". Then
comes a question chosen by the kind of work the line names (`prompts/skills/duties.toml`).

Which words are verbs comes from lemminflect's English lexicon (shipped in its wheel; nothing is
downloaded): a line that starts with a verb in its base form is a duty.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import UserError
from simulator.interview.questions import bank_dir

DUTY, REQUIREMENT = "duty", "requirement"
_ASKS_YOU_TO = "The role asks you to "
GENERAL_KIND = "general"

_KIND_KEYS = {"id", "words"}
# Verbs that say little of the work ("carry out", "support"): the words after them decide.
_LIGHT_VERBS = frozenset("carry undertake complete conduct do take make provide perform be keep help work support "
                         "act attend give set get use own".split())
_WORK_WORDS = 6  # how far into a line its kind of work is looked for
_QUESTION_KEYS = {"id", "kind", "text", "category", "difficulty", "time_budget_s", "strong_answer"}

# What a section heading says about the lines under it, first match wins.
_SECTIONS = (
    ("skip", r"\b(offer|benefits?|perks|salary|package|about us|who we are|why join|how to apply|"
             r"in return|rewards?)\b"),
    (REQUIREMENT, r"\b(about you|you have|you need|you'?ll need|you will need|looking for|what we need|"
                  r"requirements?|essential|desirable|person specification|skills|experience|qualifications|"
                  r"you bring|you will bring|criteria|who you are|you'?ll have)\b"),
    (DUTY, r"\b(responsibilit\w*|duties|you will|you'?ll|the role|the job|involves|tasks|day to day|"
           r"what you do|in this role|as an? )\b"),
)
# How a sentence hands over its duty: the words before the verb, dropped.
_LEAD_INS = re.compile(
    r"^(?:(?:in this role|as (?:an? |the )?[\w' -]{2,40}?),?\s+)?"
    r"(?:you will|you'll|you would|the postholder will|the post holder will|the successful candidate will|"
    r"the jobholder will|your main responsibilities will be to|your responsibilities will be to|"
    r"you will be responsible for|you'll be responsible for|responsible for|responsibilities include|"
    r"duties include|the role involves|the job involves|this role involves|you will need to|you'll need to)"
    r"(?:\s+also)?\s+", re.IGNORECASE)
# Lines that state a credential: shown, never asked about (a licence is held, not described).
_CREDENTIAL = re.compile(r"\b(registration|registered|licen[cs]e|degree|certificate|qualification|qualified|"
                         r"chartered|card|points on|membership|no (?:previous )?experience)\b", re.IGNORECASE)
_REQUIREMENT_START = re.compile(
    r"^(experience|knowledge|understanding|proven|strong|excellent|good|great|sound|solid|working|"
    r"a track record|track record|the ability|ability|able|confident|comfortable|skilled|familiar|"
    r"a good|a strong|an eye|a passion|passion|\w+ years?|one|two|three|four|five|six|seven|eight|nine|ten)\b",
    re.IGNORECASE)
# Sentences that say where the job sits, not what it does.
_NOT_A_DUTY = re.compile(r"^(report to|join|be based|be part of|work (?:full|part)[- ]time|have access|receive|"
                         r"enjoy|get|benefit|earn)\b", re.IGNORECASE)
# The terms of the job (where, when, pay), not its work.
_TERMS = re.compile(r"\b(hybrid|remote working|salary|holidays?|pension|days a week|hours a week|per hour|"
                    r"per annum|overtime at)\b|[£$€]", re.IGNORECASE)
# "... is a plus": welcome, not asked for.
_NICE_TO_HAVE = re.compile(r"\b(is|are|would be)\s+(an? )?(plus|advantage|welcome|helpful|desirable|bonus|"
                           r"preferred|useful|beneficial|not essential)\b", re.IGNORECASE)
# "The front office supervisor runs the reception shift ...": a duty said of the role-holder.
_THIRD_PERSON = re.compile(r"^(?:the|our|each|every) ((?:[\w'-]+ ){0,4}?)([a-z]+s) (.+)$", re.IGNORECASE)
BULLET = re.compile(r"^\s*(?:[-*•▪◦·]|\d{1,2}[.)])\s+(.+?)\s*$")


@dataclass(frozen=True, slots=True)
class JobLine:
    words: str  # the job description's line (or sentence) as written
    kind: str  # DUTY or REQUIREMENT
    said: str  # said back in the job's words: "The role asks you to ..."
    work: str  # the kind of work it names: a [[kinds]] id of duties.toml, or REQUIREMENT
    part: int = 0  # which duty of its line: 1 for "write delegated reports" in "Carry out site visits and write ..."

    def to_dict(self) -> dict:
        return {"words": self.words, "kind": self.kind, "said": self.said, "work": self.work, "part": self.part}


@dataclass(frozen=True, slots=True)
class DutyQuestion:
    id: str
    kind: str
    text: str
    category: str
    difficulty: int
    time_budget_s: float
    strong_answer: str


@dataclass(frozen=True, slots=True)
class DutyTemplates:
    kinds: dict[str, tuple[str, ...]]  # kind id -> its words, in file order
    questions: tuple[DutyQuestion, ...]
    path: Path


def duties_path() -> Path:
    return bank_dir() / "skills" / "duties.toml"


def load_duty_templates(path: Path | None = None) -> DutyTemplates:
    """The kinds of work and their questions, checked: a problem names the file and the entry."""
    path = path or duties_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise UserError(f"{path}: cannot read the duty questions: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"{path}: invalid TOML: {e}") from e

    def entries(table: str, keys: set[str]) -> list[dict]:
        items = data.get(table)
        if not isinstance(items, list) or not items:
            raise UserError(f"{path}: needs at least one [[{table}]] table")
        for i, item in enumerate(items):
            if not isinstance(item, dict) or set(item) != keys:
                raise UserError(f"{path}: [[{table}]] #{i + 1} must have exactly: {', '.join(sorted(keys))}")
        return items

    kinds = {k["id"]: tuple(k["words"]) for k in entries("kinds", _KIND_KEYS)}
    if GENERAL_KIND not in kinds:
        raise UserError(f'{path}: needs the kind "{GENERAL_KIND}"')
    questions = []
    for i, q in enumerate(entries("questions", _QUESTION_KEYS)):
        if q["kind"] not in kinds and q["kind"] != REQUIREMENT:
            raise UserError(f'{path}: [[questions]] #{i + 1} "{q["id"]}": unknown kind "{q["kind"]}"')
        if not isinstance(q["time_budget_s"], (int, float)) or q["time_budget_s"] <= 0:
            raise UserError(f'{path}: [[questions]] #{i + 1} "{q["id"]}": time_budget_s must be positive')
        questions.append(DutyQuestion(q["id"], q["kind"], q["text"], q["category"], int(q["difficulty"]),
                                      float(q["time_budget_s"]), q["strong_answer"]))
    for kind in list(kinds) + [REQUIREMENT]:
        if not any(q.kind == kind for q in questions):
            raise UserError(f'{path}: no [[questions]] for the kind "{kind}"')
    return DutyTemplates(kinds, tuple(questions), path)


# -- words ---------------------------------------------------------------------------------------

def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    from lemminflect import getAllLemmas

    return getAllLemmas(word.lower().split("-")[-1])


def is_base_verb(word: str) -> bool:
    """`word` is a verb as written in an instruction ("Prepare", "Fault-find")."""
    last = word.lower().split("-")[-1]
    return last in _lemmas(word).get("VERB", ())


def is_gerund(word: str) -> bool:
    """"Leading", "Researching": the -ing form of a verb."""
    w = word.lower()
    return w.endswith("ing") and bool(_lemmas(w).get("VERB"))


def is_past_verb(word: str) -> bool:
    """"Led", "Managed", "Built": a verb not in its base form (as a résumé line starts)."""
    w = word.lower()
    verbs = _lemmas(w).get("VERB", ())
    return bool(verbs) and w.split("-")[-1] not in verbs and not w.endswith("ing") and not w.endswith("s")


def _lower_first(text: str) -> str:
    """The first word in lower case, unless it is an acronym or a name ("HMRC", "PLC")."""
    first = text.split(" ", 1)[0]
    if first[:1].isupper() and (first[1:2].islower() or len(first) == 1) and first.lower() != "i":
        return first[0].lower() + text[1:]
    return text


def sentences(paragraph: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z\"'(])", paragraph.strip())
    return [p.strip() for p in parts if p.strip()]


def _heading(line: str) -> str | None:
    """The heading a line is, or None: short, no sentence ending, or ending in a colon."""
    text = line.strip().strip("#*_ ").strip()
    if not text or BULLET.match(line):
        return None
    if text.endswith(":") and len(text.split()) <= 8:
        return text[:-1]
    if len(text.split()) <= 6 and not re.search(r"[.!?]$", text):
        return text
    return None


def _section(heading: str, current: str) -> str:
    for kind, pattern in _SECTIONS:
        if re.search(pattern, heading, re.IGNORECASE):
            return kind
    return current


# -- reading lines -------------------------------------------------------------------------------

def job_lines(text: str, templates: DutyTemplates) -> list[JobLine]:
    """The duty and requirement lines of a job description, in the order it gives them, except
    that the opening paragraphs' duties come last."""
    lines = text.splitlines()
    out: list[JobLine] = []
    intro: set[str] = set()
    section = "intro"
    title_seen = False
    paragraph: list[str] = []

    def take(candidate: str, where: str) -> None:
        for line in parse_line(candidate, where, templates):
            if all(line.words != o.words for o in out):
                out.append(line)
                if where == "intro":
                    intro.add(line.words)

    def flush() -> None:
        if paragraph:
            for sentence in sentences(" ".join(paragraph)):
                take(sentence, section)
            paragraph.clear()

    for raw in lines:
        if not raw.strip():
            flush()
            continue
        if not title_seen:  # the title: read by `job.title_of`, never a duty
            title_seen = True
            continue
        bullet = BULLET.match(raw)
        if bullet:
            flush()
            take(bullet.group(1), section)
            continue
        heading = _heading(raw)
        if heading is not None:
            flush()
            section = _section(heading, section)
            continue
        inline = re.match(r"^\s*([A-Z][\w' ]{2,30}):\s+(.+)$", raw)  # "About you: you have ..."
        if inline and len(inline.group(1).split()) <= 4:
            flush()
            section = _section(inline.group(1), section)
            paragraph.append(inline.group(2))
            continue
        paragraph.append(raw.strip())
    flush()
    # A duty the job lists under its duties comes before one its opening lines mention in passing.
    return [ln for ln in out if ln.words not in intro] + [ln for ln in out if ln.words in intro]


def parse_line(candidate: str, section: str, templates: DutyTemplates) -> list[JobLine]:
    """One line or sentence as duties or a requirement, said back; none for anything else (a
    company's story, a benefit, a credential). A line of several duties ("Carry out site visits
    and write delegated reports") gives one for each, its words the clause as written."""
    line = _parse_line(candidate, section, templates)
    if line is None or not line.said.startswith(_ASKS_YOU_TO):
        return [line] if line is not None else []
    body = line.said[len(_ASKS_YOU_TO):-1]
    clauses = split_duties(body)
    if len(clauses) == 1:
        return [line]
    return [JobLine(_original_case(clause, candidate), DUTY, f"{_ASKS_YOU_TO}{clause}.", work_of(clause, templates), i)
            for i, clause in enumerate(clauses)]


def split_duties(body: str) -> list[str]:
    """"reset passwords and manage user accounts" -> both; "plan, deliver and evaluate care" and
    "pull and join data" (verbs sharing one object) stay whole: a split comes where the next word
    is a verb in its base form (`_starts_a_clause`) and the words before it hold more than verbs, outside an
    infinitive ("to share information and plan support")."""
    parts = re.split(r"(,\s+and\s+|,\s+|\s+and\s+)", body)
    clauses: list[str] = []
    current = parts[0]
    for sep, part in zip(parts[1::2], parts[2::2]):
        words = part.split()
        before = re.findall(r"[A-Za-z'-]+", current)
        if (words and len(words) >= 2 and _starts_a_clause(words)
                and any(not is_base_verb(w) for w in before)
                and not re.search(r"\bto\s+\w+", current.rsplit(",", 1)[-1] if "," in current else current)):
            clauses.append(current)
            current = part
        else:
            current += sep + part
    clauses.append(current)
    return [c.strip() for c in clauses]


# Not "them" or "it": a clause that starts "share them" needs the clause before it.
_DETERMINERS = frozenset("the a an their its your our his her all any each every new".split())


def _starts_a_clause(words: list[str]) -> bool:
    """A verb that only a verb can be ("manage", "explain"), or one followed by its object's
    determiner ("balance the floats"): "control panels" and "test programmes" are nouns."""
    if not is_base_verb(words[0]):
        return False
    readings = _lemmas(words[0])
    return not ({"NOUN", "ADJ", "ADV"} & set(readings)) or words[1].lower() in _DETERMINERS


def _original_case(clause: str, candidate: str) -> str:
    """The clause as the job wrote it (its first letter's case)."""
    m = re.search(re.escape(clause), candidate, re.IGNORECASE)
    return m.group(0) if m else clause


def _parse_line(candidate: str, section: str, templates: DutyTemplates) -> JobLine | None:
    if section == "skip":
        return None
    words = candidate.strip().rstrip(".;:!").strip()
    if len(words.split()) < 3 or words.endswith("?"):
        return None
    body = _LEAD_INS.sub("", words, count=1)
    led_in = body != words
    first = body.split(" ", 1)[0].strip(",")
    if _NOT_A_DUTY.match(body) or _TERMS.search(body) or _NICE_TO_HAVE.search(body):
        return None
    having = re.match(r"^(need|have|hold|bring|possess|be)\s+(.+)$", body, re.IGNORECASE) if led_in else None
    if having:  # "You will need a driving licence", "You will be confident with Excel": what the job asks for
        if _CREDENTIAL.search(words):
            return None
        asks = "that you are" if having.group(1).lower() == "be" else "for"
        return JobLine(words, REQUIREMENT, f"The role asks {asks} {_lower_first(having.group(2))}.", REQUIREMENT)
    if section == REQUIREMENT and not led_in:  # "Calm under pressure", "Clear communication": no verbs here
        said = None if _CREDENTIAL.search(words) else _requirement_said(body)
        return JobLine(words, REQUIREMENT, said, REQUIREMENT) if said else None
    if _CREDENTIAL.search(words) and not is_base_verb(first):
        return None
    if is_base_verb(first) and (led_in or section == DUTY):
        return JobLine(words, DUTY, f"{_ASKS_YOU_TO}{_lower_first(body)}.", work_of(body, templates))
    described = _THIRD_PERSON.match(body)
    if described and section == DUTY and _is_third_person(described.group(2)):
        return JobLine(words, DUTY, f"The job description says {_lower_first(body)}.",
                       work_of(described.group(3), templates))
    if is_gerund(first) and section != REQUIREMENT and (led_in or section == DUTY):
        return JobLine(words, DUTY, f"The role involves {_lower_first(body)}.", work_of(body, templates))
    if section in (REQUIREMENT, DUTY) or led_in:
        said = _requirement_said(body)
        if said:
            return JobLine(words, REQUIREMENT, said, REQUIREMENT)
    return None


def _requirement_said(body: str) -> str | None:
    """"Experience of X" -> "The role asks for experience of X."; "Able to X" -> "The role asks
    that you are able to X."; None for a line that is not a requirement."""
    first = body.split(" ", 1)[0].lower().strip(",")
    lowered = _lower_first(body)
    if first in ("able", "confident", "comfortable", "skilled", "familiar", "calm", "patient", "accurate",
                 "reliable", "organised", "organized", "friendly", "happy", "willing", "flexible", "resilient"):
        return f"The role asks that you are {lowered}."
    rest = body.split(" ", 1)[1] if " " in body else ""
    if "ADJ" in _lemmas(first) and "NOUN" not in _lemmas(first) and re.match(
            r"^(,|and\b|under\b|with\b|when\b|at\b|in\b|to\b|about\b|by\b)", rest.lstrip(", ") if
            first.endswith(",") else rest):
        return f"The role asks that you are {lowered}."  # "Calm under pressure", "Resilient, organised"
    if _REQUIREMENT_START.match(body):
        return f"The role asks for {lowered}."
    if (first in ("a", "an") and len(body.split()) >= 4) or "ADJ" in _lemmas(first):
        return f"The role asks for {lowered}."
    return None


def _is_third_person(word: str) -> bool:
    """"runs", "makes": a verb as said of someone else."""
    from lemminflect import getInflection

    if word.lower() in ("is", "has", "does", "was"):
        return False  # "The team is ...": a description, not a duty
    return any(word.lower() in getInflection(lemma, "VBZ") for lemma in _lemmas(word).get("VERB", ()))


def work_of(body: str, templates: DutyTemplates) -> str:
    """The kind of work a duty names: a phrase a kind lists ("build relationships"), else its
    leading verb's kind, else the first word near the start of the line that a kind lists
    ("carry out child and family assessments" -> "assess"); later words describe where and for
    whom ("to building sites"), not the work."""
    words = re.findall(r"[a-z][a-z'-]*", body.lower())
    if not words:
        return GENERAL_KIND
    order = [k for k in templates.kinds if k != GENERAL_KIND]
    flat = " ".join(words)
    for kind in order:
        if any(" " in w and re.search(rf"\b{re.escape(w)}\b", flat) for w in templates.kinds[kind]):
            return kind
    if words[0] not in _LIGHT_VERBS:
        for kind in order:
            if words[0] in templates.kinds[kind]:
                return kind
    for w in words[:_WORK_WORDS]:
        for kind in order:
            if w in templates.kinds[kind]:
                return kind
    return GENERAL_KIND
