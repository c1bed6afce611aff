"""Reading a job description: its title, seniority, the skills and the duty and requirement lines
it names, and the questions they call for.

Questions are built from the job description's own lines (`duties.py`), so any field works and
nothing is invented. Skills come from a hand-kept list (`prompts/skills/skills.toml`): each skill
has the phrases a job description uses for it, the fields of work it belongs to (which name the
question banks), and a kind ("tool", "practice" or "quality") that picks its question templates.
A duty line naming a skill of the job's field is asked with that skill's question, for depth.

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
from simulator.interview.duties import DUTY, REQUIREMENT, DutyTemplates, JobLine, job_lines, load_duty_templates
from simulator.interview.questions import Question, bank_dir
from simulator.interview.resume import QUESTIONS as RESUME_QUESTIONS
from simulator.interview.resume import RESUME_BANK, Resume

KINDS = ("tool", "practice", "quality")
GENERAL_FIELD = "general"
KEYPHRASES = 40  # YAKE's top phrases read for ranking; more only adds noise at the bottom
JOB_BANK = "job"  # the `bank` of questions made from templates

_SKILL_KEYS = {"id", "name", "kind", "fields", "aliases"}
_TEMPLATE_KEYS = {"id", "kind", "text", "category", "difficulty", "time_budget_s", "strong_answer"}
_FIELD_KEYS = {"name", "title", "banks"}

# Seniority, most specific first: the first pattern found in the title wins. Only the title and
# the stated years count: the body says "senior stakeholders" and "the Finance Director" of others.
_SENIORITY = (
    ("principal", r"\b(principal|staff|head of|director)\b"),
    ("lead", r"\b(lead|leader)\b(?! to)"),
    ("senior", r"\b(senior|sr\.?|experienced)\b"),
    ("mid-level", r"\b(mid[- ]level|intermediate)\b"),
    ("junior", r"\b(junior|jr\.?|associate)\b"),
    ("graduate", r"\b(graduate|trainee|apprentice|apprenticeship|intern|internship|entry[- ]level|newly qualified)\b"),
)
_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10}
_YEARS = re.compile(r"\b(\d+|" + "|".join(_NUMBER_WORDS) + r")\+?\s+(?:or more\s+)?years?\b", re.IGNORECASE)
# A number of years is the experience asked for only in a sentence about experience, or alone
# ("Four or more years."): "trading for 30 years" and "pays staff for two years" are not.
_EXPERIENCE = re.compile(r"\b(experience|experienced|post-qualification|track record|background|at least|"
                         r"a minimum|you have|you've)\b", re.IGNORECASE)
_SHORT_SENTENCE_WORDS = 6
FIELD_MIN_SKILLS = 2  # a field is the job's when this many of its skills are named ("schedule" alone is no project)

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
    lines: tuple[JobLine, ...]  # its duty and requirement lines, in its order: what questions are built from
    fields: tuple[str, ...]  # fields of work, most named first; "general" is never listed
    banks: tuple[str, ...]  # the question banks of those fields

    @property
    def duties(self) -> tuple[str, ...]:
        """The duty lines as written."""
        return tuple(line.words for line in self.lines if line.kind == DUTY)

    def to_dict(self) -> dict:
        return {"title": self.title, "seniority": self.seniority, "seniority_words": self.seniority_words,
                "skills": [{"id": s.skill.id, "name": s.skill.name, "words": s.words, "fields": list(s.skill.fields)}
                           for s in self.skills],
                "lines": [line.to_dict() for line in self.lines], "duties": list(self.duties),
                "fields": list(self.fields), "banks": list(self.banks)}


@dataclass(frozen=True, slots=True)
class JobQuestion:
    question: Question
    why: str  # in words the person reads
    words: str  # the line of the job description (or résumé) it was built from, as written
    source: str = "job"  # "job" or "resume": whose words `words` are


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

def read_job_file(name: str, stdin=None) -> str:
    """The text of `--job FILE`; `-` reads standard input."""
    from simulator.files import read_pasted_text

    return read_pasted_text(name, "--job", "job description", "paste the job description as plain text", stdin)


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


def title_of(text: str) -> str:
    for line in text.splitlines():
        line = line.strip(" \t-*#•")
        if line:
            return line[:120]
    return ""


def seniority_of(title: str, text: str) -> tuple[str, str]:
    """From the title, else from the years of experience the text asks for; never from the body's
    other words ("senior stakeholders", "report to the Finance Director", "lead the team")."""
    for level, pattern in _SENIORITY:
        m = re.search(pattern, title, re.IGNORECASE)
        if m:
            return level, m.group(0)
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", text):
        m = _YEARS.search(sentence)
        if m and (_EXPERIENCE.search(sentence) or len(sentence.split()) <= _SHORT_SENTENCE_WORDS):
            n = int(m.group(1)) if m.group(1).isdigit() else _NUMBER_WORDS[m.group(1).lower()]
            return ("senior" if n >= 5 else "mid-level" if n >= 2 else "junior"), m.group(0)
    return "", ""


def read_job(text: str, skills: Skills | None = None, method: str = "yake",
             templates: DutyTemplates | None = None) -> Job:
    skills = skills or load_skills()
    phrases = METHODS[method](text)
    named = named_skills(text, skills, phrases)
    title = title_of(text)
    level, level_words = seniority_of(title, text)
    votes: dict[str, float] = {}
    named_in: dict[str, int] = {}
    for n in named:
        for f in n.skill.fields:
            if f != GENERAL_FIELD:  # a skill of several fields votes for each, a little
                votes[f] = votes.get(f, 0.0) + 1.0 / len(n.skill.fields)
                named_in[f] = named_in.get(f, 0) + 1
    # A field named by one shared skill only ("Python" in a data job), or by one word of it
    # ("schedule" in a hotel), is not the job's field.
    fields = tuple(f for f, v in sorted(votes.items(), key=lambda kv: -kv[1])
                   if v >= 1.0 and named_in[f] >= FIELD_MIN_SKILLS)
    banks = tuple(dict.fromkeys(b for f in fields for b in skills.fields[f].banks))
    lines = tuple(job_lines(text, templates or load_duty_templates()))
    return Job(title, level, level_words, tuple(named), lines, fields, banks)


# -- questions for the job ---------------------------------------------------------------------------

def fits(skill: Skill, job: Job) -> bool:
    """A skill is asked about only when its fields are the job's (or it belongs to any job)."""
    return GENERAL_FIELD in skill.fields or any(f in job.fields for f in skill.fields)


def resume_share(count: int, resume: Resume | None) -> int:
    """How many of `count` main questions come from the résumé: one in three, at least one."""
    if resume is None or not resume.lines or count < 2:
        return 0
    return min(len(resume.lines), max(1, count // 3))


def job_questions(job: Job, count: int, rng: random.Random, recent: set[str] = frozenset(),
                  resume: Resume | None = None, skills: Skills | None = None,
                  templates: DutyTemplates | None = None) -> list[JobQuestion]:
    """Up to `count` main questions, each built from one line of the job description (or of the
    résumé) and said back in its words. In this order: the job's duty lines, as it lists them,
    each asked with a known skill's depth when the line names one that fits the job; then the
    skills the job names that no line asked about yet; then its requirement lines. One in three
    comes from the résumé's lines when one is given. A line of several duties gives its first
    before any line gives its second. Templates are chosen by `rng`, avoiding the
    `recent` keys and ones already used in this plan. A pure function of its arguments."""
    skills = skills or load_skills()
    templates = templates or load_duty_templates()
    from_resume = resume_share(count, resume)
    want = count - from_resume
    out: list[JobQuestion] = []
    used_templates: dict[str, int] = {}
    asked_skills: set[str] = set()
    asked_lines: set[str] = set()
    fitting = [n for n in job.skills if fits(n.skill, job)]
    ordered_skills = ([n for n in fitting if GENERAL_FIELD not in n.skill.fields]
                      + [n for n in fitting if GENERAL_FIELD in n.skill.fields])

    def pick(options: list, key) -> object:
        rng.shuffle(options)
        options.sort(key=lambda t: (key(t) in recent, used_templates.get(t.id, 0)))
        used_templates[options[0].id] = used_templates.get(options[0].id, 0) + 1
        return options[0]

    def named_in(line: JobLine) -> NamedSkill | None:
        flat = _norm(line.words)
        for n in ordered_skills:
            if n.skill.id not in asked_skills and any(_find(_norm(a), flat) for a in n.skill.aliases):
                return n
        return None

    def skill_question(named: NamedSkill, line: JobLine | None) -> JobQuestion:
        options = [t for t in skills.templates if t.kind == named.skill.kind]
        t = pick(options, lambda t: f"{JOB_BANK}/{_qid(named.skill, t)}")
        asked_skills.add(named.skill.id)
        said = f"{line.said} " if line is not None else ""
        q = Question(id=_qid(named.skill, t), bank=JOB_BANK, text=said + t.text.replace("{skill}", named.skill.name),
                     category=t.category, difficulty=t.difficulty, time_budget_s=t.time_budget_s,
                     strong_answer=t.strong_answer.replace("{skill}", named.skill.name))
        why = f'the job names {named.skill.name}: "{named.words}"'
        if line is not None:
            asked_lines.add(line.words)
            why += f', in "{line.words}"'
        return JobQuestion(q, why, line.words if line is not None else named.words)

    def line_question(line: JobLine) -> JobQuestion:
        slug = _slug(line.words)
        options = [t for t in templates.questions if t.kind == line.work]
        t = pick(options, lambda t: f"{JOB_BANK}/{line.kind}-{slug}-{t.id}")
        asked_lines.add(line.words)
        q = Question(id=f"{line.kind}-{slug}-{t.id}", bank=JOB_BANK, text=f"{line.said} {t.text}",
                     category=t.category, difficulty=t.difficulty, time_budget_s=t.time_budget_s,
                     strong_answer=t.strong_answer)
        why = (f'the job lists it as a duty: "{line.words}"' if line.kind == DUTY
               else f'the job asks for it: "{line.words}"')
        return JobQuestion(q, why, line.words)

    def from_line(line: JobLine) -> JobQuestion:
        named = named_in(line)
        return skill_question(named, line) if named is not None else line_question(line)

    # Each line's first duty before any line's second: a plan covers as many lines as it can.
    for line in sorted((ln for ln in job.lines if ln.kind == DUTY), key=lambda ln: ln.part):
        if len(out) < want:
            out.append(from_line(line))
    for named in ordered_skills:
        if len(out) < want and named.skill.id not in asked_skills:
            line = next((ln for ln in job.lines if ln.words not in asked_lines
                         and _find(_norm(named.words), _norm(ln.words))), None)
            out.append(skill_question(named, line))
    for line in (ln for ln in job.lines if ln.kind == REQUIREMENT):
        if len(out) < want and line.words not in asked_lines:
            out.append(from_line(line))
    if resume is not None:
        asks = list(RESUME_QUESTIONS)
        rng.shuffle(asks)  # a different question for each line, in a seeded order
        for i, line in enumerate(resume.lines[:from_resume + (want - len(out))]):
            qid, text, category, strong = asks[i % len(asks)]
            q = Question(id=f"{_slug(line.words)}-{qid}", bank=RESUME_BANK, text=f"{line.said} {text}",
                         category=category, difficulty=2, time_budget_s=120.0, strong_answer=strong)
            out.append(JobQuestion(q, f'your résumé says: "{line.words}"', line.words, "resume"))
    return out[:count]


def _slug(words: str, most: int = 6) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", words.lower())[:most])


def _qid(skill: Skill, template: Template) -> str:
    return f"job-{skill.id}-{template.id}"


def job_main_questions(interviewer, count: int, mixed) -> list[Question]:
    """The Interviewer's main questions for a job: those `job_questions` builds from the job's
    lines and skills (and the résumé's), then, only when those run out, questions from the job's
    fields' banks and last from the general banks the person chose, each with why it was chosen
    in `interviewer.why`. `mixed` is the interviewer's spread across categories and banks (passed
    in: the interviewer imports this module)."""
    skills = load_skills()
    job: Job = interviewer.job or Job("", "", "", (), (), (), ())  # a résumé alone
    recent = set(interviewer._recent)
    picked = job_questions(job, count, interviewer._rng, recent, interviewer.resume, skills)
    for jq in picked:
        interviewer.why[jq.question.key] = (jq.why, jq.words, jq.source)
    rest = count - len(picked)
    chosen: list[Question] = []
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
                                          f'work ("{words}")', words, "job")
            else:
                interviewer.why[q.key] = (f"from the {q.bank} bank, which fits any job: the job description "
                                          "and résumé gave no more lines to ask about", "", "job")
    picked_q = [jq.question for jq in picked] + chosen
    if len(picked_q) < count:
        interviewer.notes.append(f"the job and banks give {len(picked_q)} main questions; asking those instead of {count}")
    return sorted(picked_q, key=lambda q: q.difficulty)
