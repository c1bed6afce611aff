"""Reading a job description: its title, seniority, the skills and duties it names, and the
questions those skills call for.

Skills come from a hand-kept list (`prompts/skills/skills.toml`): each skill has the phrases a job
description uses for it, the fields of work it belongs to (which name the question banks), and a
kind ("tool", "practice" or "quality") that picks its question templates. The list is the only
thing that can put a skill in a plan, so the interviewer never invents one.

Which named skills matter most comes from YAKE, an offline keyphrase extractor (statistical, no
model to download): a skill said inside a high-ranked keyphrase comes first. YAKE was measured
against TextRank (summa) on the job descriptions in tests/data/jobs; see the README, "Preparing
for a job". Everything is deterministic: the same text gives the same `Job`.
"""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from simulator.errors import UserError
from simulator.interview.questions import Question, bank_dir

KINDS = ("tool", "practice", "quality")
GENERAL_FIELD = "general"
KEYPHRASES = 40  # YAKE's top phrases read for ranking; more only adds noise at the bottom
JOB_BANK = "job"  # the `bank` of questions made from templates

_SKILL_KEYS = {"id", "name", "kind", "fields", "aliases"}
_TEMPLATE_KEYS = {"id", "kind", "text", "category", "difficulty", "time_budget_s", "strong_answer"}
_FIELD_KEYS = {"name", "title", "banks"}

# Seniority, most specific first: the first pattern found in the title (else in the text) wins.
_SENIORITY = (
    ("principal", r"\b(principal|staff|head of|director)\b"),
    ("lead", r"\b(lead|leader)\b(?! to)"),
    ("senior", r"\b(senior|sr\.?|experienced)\b"),
    ("mid-level", r"\b(mid[- ]level|intermediate)\b"),
    ("junior", r"\b(junior|jr\.?|associate)\b"),
    ("graduate", r"\b(graduate|trainee|apprentice|intern|internship|entry[- ]level|newly qualified)\b"),
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}
_YEARS = re.compile(r"\b(\d+|" + "|".join(_NUMBER_WORDS) + r")\+?\s+(?:or more\s+)?years?\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    title: str
    banks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Skill:
    id: str
    name: str  # as said in a sentence: "SQL", "patient assessment"
    kind: str
    fields: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    kind: str
    text: str  # with {skill}
    category: str
    difficulty: int
    time_budget_s: float
    strong_answer: str


@dataclass(frozen=True, slots=True)
class Skills:
    fields: dict[str, Field]
    skills: tuple[Skill, ...]
    templates: tuple[Template, ...]
    path: Path


@dataclass(frozen=True, slots=True)
class NamedSkill:
    skill: Skill
    words: str  # the words of the job description that named it, as written
    rank: int  # 0 is the most central to the job


@dataclass(frozen=True, slots=True)
class Job:
    title: str
    seniority: str  # "senior", "graduate" ... or "" when the text does not say
    seniority_words: str  # what said so: "Senior", "five or more years"
    skills: tuple[NamedSkill, ...]  # most central first
    duties: tuple[str, ...]  # listed lines that name no known skill: shown, never asked about
    fields: tuple[str, ...]  # fields of work, most named first; "general" is never listed
    banks: tuple[str, ...]  # the question banks of those fields

    def to_dict(self) -> dict:
        return {"title": self.title, "seniority": self.seniority, "seniority_words": self.seniority_words,
                "skills": [{"id": s.skill.id, "name": s.skill.name, "words": s.words, "fields": list(s.skill.fields)}
                           for s in self.skills],
                "duties": list(self.duties), "fields": list(self.fields), "banks": list(self.banks)}


@dataclass(frozen=True, slots=True)
class JobQuestion:
    question: Question
    why: str  # in words the person reads
    words: str  # the words of the job description it answers


# -- the skills list -------------------------------------------------------------------------------

def skills_path() -> Path:
    return bank_dir() / "skills" / "skills.toml"


def load_skills(path: Path | None = None) -> Skills:
    """The skills list, checked: a problem names the file, the line and what is wrong."""
    path = path or skills_path()
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise UserError(f"{path}: cannot read the skills list: {e.strerror or e}") from e
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise UserError(f"{path}: invalid TOML: {e}") from e
    lines = text.splitlines()

    def line_of(table: str, index: int) -> int:
        seen = -1
        for n, ln in enumerate(lines, start=1):
            if re.match(rf"^\s*\[\[\s*{table}\s*\]\]", ln):
                seen += 1
                if seen == index:
                    return n
        return 1

    def fail(table: str, index: int, what: str):
        raise UserError(f"{path}:{line_of(table, index)}: [[{table}]] #{index + 1}: {what}")

    def check(table: str, keys: set[str]) -> list[dict]:
        items = data.get(table)
        if not isinstance(items, list) or not items:
            raise UserError(f"{path}: needs at least one [[{table}]] table")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                fail(table, i, "must be a table")
            if set(item) != keys:
                missing, extra = sorted(keys - set(item)), sorted(set(item) - keys)
                fail(table, i, "; ".join(([f"missing {', '.join(missing)}"] if missing else [])
                                         + ([f"unknown {', '.join(extra)}"] if extra else [])))
        return items

    fields: dict[str, Field] = {}
    for i, f in enumerate(check("fields", _FIELD_KEYS)):
        if not isinstance(f["banks"], list) or not all(isinstance(b, str) for b in f["banks"]):
            fail("fields", i, "banks must be a list of bank names")
        fields[f["name"]] = Field(f["name"], f["title"], tuple(f["banks"]))
    if GENERAL_FIELD not in fields:
        raise UserError(f'{path}: needs the field "{GENERAL_FIELD}"')
    skills, seen = [], set()
    for i, s in enumerate(check("skills", _SKILL_KEYS)):
        if s["id"] in seen:
            fail("skills", i, f'duplicate id "{s["id"]}"')
        seen.add(s["id"])
        if s["kind"] not in KINDS:
            fail("skills", i, f'kind must be one of {", ".join(KINDS)}, not "{s["kind"]}"')
        unknown = [f for f in s["fields"] if f not in fields]
        if unknown or not s["fields"]:
            fail("skills", i, f"fields must name [[fields]]: unknown {unknown or 'none given'}")
        if not s["aliases"] or any(a != a.lower() or not a.strip() for a in s["aliases"]):
            fail("skills", i, "aliases must be a list of lowercase phrases")
        skills.append(Skill(s["id"], s["name"], s["kind"], tuple(s["fields"]), tuple(s["aliases"])))
    templates = []
    for i, t in enumerate(check("templates", _TEMPLATE_KEYS)):
        if t["kind"] not in KINDS:
            fail("templates", i, f'kind must be one of {", ".join(KINDS)}, not "{t["kind"]}"')
        for key in ("text", "strong_answer"):
            if "{skill}" not in t[key]:
                fail("templates", i, f"{key} must contain {{skill}}")
        if not isinstance(t["time_budget_s"], (int, float)) or t["time_budget_s"] <= 0:
            fail("templates", i, "time_budget_s must be a positive number of seconds")
        templates.append(Template(t["id"], t["kind"], t["text"], t["category"], int(t["difficulty"]),
                                  float(t["time_budget_s"]), t["strong_answer"]))
    for kind in {s.kind for s in skills}:
        if not any(t.kind == kind for t in templates):
            raise UserError(f'{path}: no [[templates]] for skills of kind "{kind}"')
    return Skills(fields, tuple(skills), tuple(templates), path)


# -- reading a job description ---------------------------------------------------------------------

def read_job_file(name: str, stdin=None, option: str = "--job", what: str = "job description") -> str:
    """The text of `--job FILE` (or `--resume FILE`: `option`, `what`); `-` reads standard input."""
    import sys

    if name == "-":
        text = (stdin or sys.stdin).read()
        where = "standard input"
    else:
        path = Path(name).expanduser()
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise UserError(f"{option}: no such file: {name}") from None
        except IsADirectoryError:
            raise UserError(f"{option}: {name} is a folder; give the {what}'s text file") from None
        except UnicodeDecodeError:
            raise UserError(f"{option}: {name} is not UTF-8 text; paste the {what} as plain text") from None
        except OSError as e:
            raise UserError(f"{option}: cannot read {name}: {e.strerror or e}") from None
        where = name
    if len(text.split()) < 5:
        raise UserError(f"{option}: {where} has no {what} in it (fewer than five words)")
    return text


def keyphrases_yake(text: str, top: int = KEYPHRASES) -> list[str]:
    """Best first. YAKE scores phrases of up to three words from statistics of the text alone."""
    import yake

    extractor = yake.KeywordExtractor(lan="en", n=3, top=top, dedup_lim=0.9)
    return [phrase for phrase, _score in sorted(extractor.extract_keywords(text), key=lambda p: p[1])]


def keyphrases_textrank(text: str, top: int = KEYPHRASES) -> list[str]:
    """TextRank (summa), the method YAKE was measured against; summa is not a dependency."""
    from summa import keywords

    return [phrase for phrase, _score in keywords.keywords(text, scores=True)[:top]]


METHODS = {"yake": keyphrases_yake, "textrank": keyphrases_textrank}


def _norm(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9/+#-]+|,", text.lower().replace("’", "'")))


def _find(alias: str, text: str) -> re.Match | None:
    return re.search(r"(?<![a-z0-9/+#-])" + re.escape(alias) + r"(?![a-z0-9/+#-])", text)


def named_skills(text: str, skills: Skills, phrases: list[str]) -> list[NamedSkill]:
    """Every listed skill the text names, ordered by the best keyphrase that contains one of its
    aliases (then by where it first appears). An alias inside a longer alias of another skill
    ("assessment" in "patient assessment") counts for the longer one only."""
    flat = _norm(text)
    taken = [False] * len(flat)
    found: dict[str, tuple[Skill, re.Match]] = {}
    pairs = sorted(((a, s) for s in skills.skills for a in s.aliases), key=lambda p: -len(p[0]))
    for alias, skill in pairs:
        for m in re.finditer(r"(?<![a-z0-9/+#-])" + re.escape(_norm(alias)) + r"(?![a-z0-9/+#-])", flat):
            if any(taken[m.start():m.end()]):
                continue
            for i in range(m.start(), m.end()):
                taken[i] = True
            if skill.id not in found or m.start() < found[skill.id][1].start():
                found[skill.id] = (skill, m)
    normed = [_norm(p) for p in phrases]

    def rank(item: tuple[Skill, re.Match]) -> tuple[int, int]:
        skill, m = item
        for i, p in enumerate(normed):
            if any(_find(_norm(a), p) for a in skill.aliases):
                return (i, m.start())
        return (len(normed), m.start())

    ordered = sorted(found.values(), key=rank)
    return [NamedSkill(skill, _original_words(text, m.group(0)), i) for i, (skill, m) in enumerate(ordered)]


def _original_words(text: str, normed: str) -> str:
    """The words as the job description wrote them (case and all) for a normalised match."""
    parts = [re.escape(p) for p in normed.split() if p != ","]
    m = re.search(r"[\s,]*".join(parts), text, re.IGNORECASE) if parts else None
    return m.group(0) if m else normed


def _bullets(text: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^\s*[-*•]\s+(.+)$", text, re.MULTILINE)]


def title_of(text: str) -> str:
    for line in text.splitlines():
        line = line.strip(" \t-*#•")
        if line:
            return line[:120]
    return ""


def seniority_of(title: str, text: str) -> tuple[str, str]:
    """The title says it best; in the body "lead" is mostly a verb ("lead the team"), so it counts
    in the title only."""
    for where, levels in ((title, _SENIORITY), (text, [s for s in _SENIORITY if s[0] != "lead"])):
        for level, pattern in levels:
            m = re.search(pattern, where, re.IGNORECASE)
            if m:
                return level, m.group(0)
    m = _YEARS.search(text)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1).lower()]
        return ("senior" if n >= 5 else "mid-level" if n >= 2 else "junior"), m.group(0)
    return "", ""


def read_job(text: str, skills: Skills | None = None, method: str = "yake") -> Job:
    skills = skills or load_skills()
    phrases = METHODS[method](text)
    named = named_skills(text, skills, phrases)
    title = title_of(text)
    level, level_words = seniority_of(title, text)
    aliases = [_norm(a) for n in named for a in n.skill.aliases]
    duties = tuple(d for d in _bullets(text) if not any(_find(a, _norm(d)) for a in aliases))
    votes: dict[str, float] = {}
    for n in named:
        for f in n.skill.fields:
            if f != GENERAL_FIELD:  # a skill of several fields votes for each, a little
                votes[f] = votes.get(f, 0.0) + 1.0 / len(n.skill.fields)
    # A field named by one shared skill only ("Python" in a data job) is not the job's field.
    fields = tuple(f for f, v in sorted(votes.items(), key=lambda kv: -kv[1]) if v >= 1.0)
    banks = tuple(dict.fromkeys(b for f in fields for b in skills.fields[f].banks))
    return Job(title, level, level_words, tuple(named), duties, fields, banks)


# -- questions for the job ---------------------------------------------------------------------------

def fits(skill: Skill, job: Job) -> bool:
    """A skill is asked about only when its fields are the job's (or it belongs to any job)."""
    return GENERAL_FIELD in skill.fields or any(f in job.fields for f in skill.fields)


def skill_questions(job: Job, skills: Skills, count: int, rng: random.Random,
                    recent: set[str] = frozenset()) -> list[JobQuestion]:
    """One question for each of the job's `count` most central skills, role skills before the
    ones any job names (communication, teamwork). The template is chosen by the seed, avoiding
    recently asked ones; a template's category is used at most twice so the interview stays mixed."""
    eligible = [n for n in job.skills if fits(n.skill, job)]
    ordered = ([n for n in eligible if GENERAL_FIELD not in n.skill.fields]
               + [n for n in eligible if GENERAL_FIELD in n.skill.fields])
    out: list[JobQuestion] = []
    used: dict[str, int] = {}
    for named in ordered[:count]:
        options = [t for t in skills.templates if t.kind == named.skill.kind]
        rng.shuffle(options)
        options.sort(key=lambda t: (f"{JOB_BANK}/{_qid(named.skill, t)}" in recent, used.get(t.id, 0) >= 1))
        t = options[0]
        used[t.id] = used.get(t.id, 0) + 1
        q = Question(id=_qid(named.skill, t), bank=JOB_BANK, text=t.text.replace("{skill}", named.skill.name),
                     category=t.category, difficulty=t.difficulty, time_budget_s=t.time_budget_s,
                     strong_answer=t.strong_answer.replace("{skill}", named.skill.name))
        out.append(JobQuestion(q, f'the job names {named.skill.name}: "{named.words}"', named.words))
    return out


def _qid(skill: Skill, template: Template) -> str:
    return f"job-{skill.id}-{template.id}"


def job_main_questions(interviewer, count: int, mixed) -> list[Question]:
    """The Interviewer's main questions for a job: two in three from the job's skills (one per
    skill, most central first), the rest from its banks (the job's fields' banks, plus the general
    ones the person chose), each with why it was chosen in `interviewer.why`. `mixed` is the
    interviewer's spread across categories and banks (passed in: the interviewer imports this module)."""
    skills = load_skills()
    job: Job = interviewer.job
    recent = set(interviewer._recent)
    want = count if not job.banks and not interviewer.banks else max(1, -(-2 * count // 3))
    picked = skill_questions(job, skills, want, interviewer._rng, recent)
    for jq in picked:
        interviewer.why[jq.question.key] = (jq.why, jq.words)
    rest = count - len(picked)
    if rest > 0:
        from simulator.interview.questions import CLOSING, WARM_UP, load_bank

        role = [load_bank(b) for b in job.banks]
        by_bank = {b.name: b for b in role + [b for b in interviewer.banks if b.name not in job.banks]}
        pool = [q for b in by_bank.values() for q in b.questions
                if q.category not in (WARM_UP, CLOSING) and not q.curveball]
        fresh = [q for q in pool if q.key not in recent] or pool
        # Role questions first: a pick from the general banks only when the role banks run out.
        chosen = mixed([q for q in fresh if q.bank in job.banks], rest, interviewer._rng, [])
        chosen += mixed([q for q in fresh if q.bank not in job.banks], rest - len(chosen), interviewer._rng, chosen)
        for q in chosen:
            if q.bank in job.banks:
                field = next(f for f in job.fields if q.bank in skills.fields[f].banks)
                words = ", ".join(n.words for n in job.skills if field in n.skill.fields)
                interviewer.why[q.key] = (f"from the {q.bank} bank: the job is {skills.fields[field].title.lower()} "
                                          f'work ("{words}")', words)
            else:
                interviewer.why[q.key] = (f"from the {q.bank} bank, which fits any job", "")
        picked_q = [jq.question for jq in picked] + chosen
    else:
        picked_q = [jq.question for jq in picked]
    if len(picked_q) < count:
        interviewer.notes.append(f"the job and banks give {len(picked_q)} main questions; asking those instead of {count}")
    return sorted(picked_q, key=lambda q: q.difficulty)
