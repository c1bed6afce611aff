"""Question banks: plain TOML files in the repository's `prompts/` folder.

One file is one bank, a theme (general, composure, closing...) or a role (sales,
software engineering...). A person can also point at their own file. The format:

    [bank]
    name = "general"                  # required, lowercase letters, digits and dashes
    title = "General and behavioural" # required
    description = "..."               # optional

    [[questions]]
    id = "tell-me-about-yourself"     # required, unique in the bank
    text = "Tell me about yourself."  # required, written to be spoken aloud
    category = "introduction"         # required; "warm-up" and "closing" are special
    difficulty = 1                    # required, 1 to 3
    time_budget_s = 90                # required, seconds, positive
    strong_answer = "..."             # required, what a strong answer shows
    follow_ups = ["..."]              # optional
    curveball = false                 # optional

Everything is checked on load. A broken file raises `BankError` whose message names
the file, the line and what is wrong, for example

    prompts/sales.toml:42: question "x": time_budget_s must be a positive number

Nothing here touches audio or speech; the interviewer builds on `load_bank`/`load_all`.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.errors import UserError

__all__ = [
    "WARM_UP",
    "CLOSING",
    "MIN_DIFFICULTY",
    "MAX_DIFFICULTY",
    "Question",
    "Bank",
    "BankError",
    "bank_dir",
    "list_banks",
    "load_bank",
    "load_all",
    "all_questions",
    "speech_problems",
]

PROMPTS_ENV = "INTERVIEW_SIM_PROMPTS"

# Categories the interviewer's session plan looks for: greeting -> warm-up -> main -> closing.
WARM_UP = "warm-up"
CLOSING = "closing"

MIN_DIFFICULTY = 1
MAX_DIFFICULTY = 3

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_BANK_REQUIRED = ("name", "title")
_BANK_OPTIONAL = ("description",)
_TOP_LEVEL = ("bank", "questions")
_Q_REQUIRED = ("id", "text", "category", "difficulty", "time_budget_s", "strong_answer")
_Q_OPTIONAL = ("follow_ups", "curveball")


@dataclass(frozen=True)
class Question:
    id: str
    bank: str
    text: str
    category: str
    difficulty: int
    time_budget_s: float
    strong_answer: str
    follow_ups: tuple[str, ...] = ()
    curveball: bool = False

    @property
    def key(self) -> str:
        """`bank/id`: unique across banks, handy for a session history."""
        return f"{self.bank}/{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bank": self.bank,
            "category": self.category,
            "text": self.text,
            "difficulty": self.difficulty,
            "time_budget_s": self.time_budget_s,
            "strong_answer": self.strong_answer,
            "follow_ups": list(self.follow_ups),
            "curveball": self.curveball,
        }


@dataclass
class Bank:
    name: str
    title: str
    description: str
    path: Path
    questions: list[Question] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self):
        return iter(self.questions)

    def get(self, question_id: str) -> Question | None:
        for q in self.questions:
            if q.id == question_id:
                return q
        return None

    def categories(self) -> list[str]:
        """The categories in file order, each once."""
        return list(dict.fromkeys(q.category for q in self.questions))

    def by_category(self, category: str) -> list[Question]:
        return [q for q in self.questions if q.category == category]


class BankError(UserError):
    """A bank file that cannot be used. `problems` holds every problem found, each
    already formatted as `file:line: what is wrong`; the message is the first one."""

    def __init__(self, message: str, *, path: Path | None = None, line: int | None = None,
                 problems: list[str] | None = None, hint: str | None = None):
        super().__init__(message, exit_code=2, hint=hint)
        self.path = path
        self.line = line
        self.problems = problems or [message]


# ---------------------------------------------------------------------------------
# Finding files


def bank_dir() -> Path:
    """The folder of shipped banks: $INTERVIEW_SIM_PROMPTS, else `prompts/` at the repository
    root (a checkout or editable install), else the copy a wheel installs under
    `<prefix>/share/interview-sim/prompts`."""
    override = os.environ.get(PROMPTS_ENV)
    if override:
        return Path(override).expanduser()
    checkout = Path(__file__).resolve().parents[2] / "prompts"
    installed = Path(sys.prefix) / "share" / "interview-sim" / "prompts"
    return checkout if checkout.is_dir() or not installed.is_dir() else installed


def list_banks() -> list[str]:
    """Names of the banks in `bank_dir()`, sorted."""
    d = bank_dir()
    if not d.is_dir():
        return []
    return sorted(p.stem for p in d.glob("*.toml") if p.is_file())


def _looks_like_path(s: str) -> bool:
    return s.endswith(".toml") or "/" in s or os.sep in s or (os.altsep is not None and os.altsep in s)


def load_bank(name_or_path: str | os.PathLike) -> Bank:
    """Load a shipped bank by name (`"sales"`) or any bank file by path."""
    s = os.fspath(name_or_path)
    if isinstance(name_or_path, os.PathLike) or _looks_like_path(s):
        path = Path(s).expanduser()
        if not path.exists() and path.name == s and (bank_dir() / s).is_file():
            path = bank_dir() / s  # "sales.toml": a shipped bank named by its file name
        if not path.exists():
            raise BankError(f"{_display(path)}: no such bank file", path=path)
        if not path.is_file():
            raise BankError(f"{_display(path)}: not a file", path=path)
        return _load_file(path)

    names = list_banks()
    if s not in names:
        avail = ", ".join(names) if names else f"none found in {_display(bank_dir())}"
        raise BankError(f'unknown bank "{s}"; available banks: {avail}',
                        hint="or pass the path to your own .toml file")
    path = bank_dir() / f"{s}.toml"
    bank = _load_file(path)
    if bank.name != s:
        line = _Locator(path.read_text(encoding="utf-8-sig")).bank_key_line("name")
        raise BankError(f'{_display(path)}:{line}: [bank]: name is "{bank.name}" but the file '
                        f'is {path.name}; the name must match the file name', path=path, line=line)
    return bank


def load_all() -> list[Bank]:
    """Every bank in `bank_dir()`, sorted by name. Question ids must be unique across
    them, so an id alone can identify a question in a person's history."""
    banks = [load_bank(name) for name in list_banks()]
    seen: dict[str, Bank] = {}
    for bank in banks:
        for q in bank.questions:
            other = seen.get(q.id)
            if other is not None:
                loc = _Locator(bank.path.read_text(encoding="utf-8-sig"))
                line = loc.id_line(q.id) or 1
                raise BankError(
                    f'{_display(bank.path)}:{line}: question "{q.id}": id is already used in '
                    f"{_display(other.path)}", path=bank.path, line=line)
            seen[q.id] = bank
    return banks


def all_questions(banks: list[Bank] | None = None) -> list[Question]:
    return [q for b in (load_all() if banks is None else banks) for q in b.questions]


# ---------------------------------------------------------------------------------
# Parsing and validation


def _display(path: Path) -> str:
    """A short form of `path` for messages: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


_HEADER_RE = re.compile(r"^\s*\[")
_QUESTIONS_HEADER_RE = re.compile(r"^\s*\[\[\s*questions\s*\]\]")
_BANK_HEADER_RE = re.compile(r"^\s*\[\s*bank\s*\]")


class _Locator:
    """Maps parsed data back to line numbers by scanning the file text.

    tomllib does not keep positions, so this is a best effort: the `[[questions]]`
    headers in order, and `key =` lines inside a table. Falls back to the nearest
    line it can vouch for (the table header, then line 1)."""

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers = [i + 1 for i, ln in enumerate(self.lines) if _HEADER_RE.match(ln)]
        self.q_headers = [i + 1 for i, ln in enumerate(self.lines) if _QUESTIONS_HEADER_RE.match(ln)]
        self.bank_header = next(
            (i + 1 for i, ln in enumerate(self.lines) if _BANK_HEADER_RE.match(ln)), None)

    def _block_end(self, start: int) -> int:
        """Last line of the table starting at line `start` (1-based)."""
        for h in self.headers:
            if h > start:
                return h - 1
        return len(self.lines)

    def _key_in(self, start: int, end: int, key: str) -> int | None:
        pat = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for n in range(start, end + 1):
            if 1 <= n <= len(self.lines) and pat.match(self.lines[n - 1]):
                return n
        return None

    def top_key_line(self, key: str) -> int:
        end = (self.headers[0] - 1) if self.headers else len(self.lines)
        return self._key_in(1, end, key) or 1

    def any_key_line(self, key: str) -> int:
        """Line of a top-level `key = ...` or of a `[key]` / `[[key]]` table header."""
        pat = re.compile(rf"^\s*\[+\s*[\"']?{re.escape(key)}[\"']?\s*[\].]")
        for i, ln in enumerate(self.lines):
            if pat.match(ln):
                return i + 1
        return self.top_key_line(key)

    def bank_key_line(self, key: str | None = None) -> int:
        if self.bank_header is None:
            return self.top_key_line("bank")
        if key is not None:
            found = self._key_in(self.bank_header, self._block_end(self.bank_header), key)
            if found:
                return found
        return self.bank_header

    def id_line(self, qid: str) -> int | None:
        pat = re.compile(rf"""^\s*id\s*=\s*["']{re.escape(qid)}["']""")
        for i, ln in enumerate(self.lines):
            if pat.match(ln):
                return i + 1
        return None

    def question_line(self, index: int, qid: str | None, n_questions: int) -> int:
        if len(self.q_headers) == n_questions and index < n_questions:
            return self.q_headers[index]
        if qid:
            found = self.id_line(qid)
            if found:
                return found
        return self.top_key_line("questions")

    def question_key_line(self, index: int, qid: str | None, n_questions: int, key: str) -> int:
        start = self.question_line(index, qid, n_questions)
        if len(self.q_headers) == n_questions and index < n_questions:
            found = self._key_in(start, self._block_end(start), key)
            if found:
                return found
        return start


_TOML_POS_RE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END_RE = re.compile(r"\s*\(at end of document\)\s*$")


def _did_you_mean(key: str, allowed: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    return f'did you mean "{close[0]}"?' if close else f'allowed: {", ".join(allowed)}'


def _type_name(v: Any) -> str:
    return {bool: "true/false", int: "a whole number", float: "a number", str: "text",
            list: "a list", dict: "a table"}.get(type(v), type(v).__name__)


def _load_file(path: Path) -> Bank:
    shown = _display(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise BankError(f"{shown}: cannot read: {e.strerror or e}", path=path) from e
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise BankError(f"{shown}:{line}: not UTF-8 text", path=path, line=line) from e

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _TOML_POS_RE.search(msg)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            what = msg[: m.start()]
            where = f"{shown}:{line}:{col}"
        else:
            line = max(1, len(text.splitlines()))
            what = _TOML_END_RE.sub("", msg)
            where = f"{shown}:{line}"
        raise BankError(f"{where}: invalid TOML: {what}", path=path, line=line) from e

    problems: list[tuple[int, str]] = []
    loc = _Locator(text)

    def problem(line: int, what: str) -> None:
        problems.append((line, what))

    for key in data:
        if key not in _TOP_LEVEL:
            problem(loc.any_key_line(key), f'unknown top-level key "{key}"; expected [bank] and [[questions]]'
                    + (f', {_did_you_mean(key, _TOP_LEVEL)}' if difflib.get_close_matches(key, _TOP_LEVEL, 1, 0.6) else ""))

    # [bank]
    name, title, description = path.stem, path.stem, ""
    bank_tbl = data.get("bank")
    if bank_tbl is None:
        problem(1, "missing [bank] table with name and title")
    elif not isinstance(bank_tbl, dict):
        problem(loc.top_key_line("bank"), "bank must be a table: [bank]")
    else:
        for key in bank_tbl:
            if key not in _BANK_REQUIRED + _BANK_OPTIONAL:
                problem(loc.bank_key_line(key),
                        f'[bank]: unknown field "{key}"; {_did_you_mean(key, _BANK_REQUIRED + _BANK_OPTIONAL)}')
        for key in _BANK_REQUIRED:
            if key not in bank_tbl:
                problem(loc.bank_key_line(), f"[bank]: missing field {key}")
        for key in _BANK_REQUIRED + _BANK_OPTIONAL:
            if key in bank_tbl and not isinstance(bank_tbl[key], str):
                problem(loc.bank_key_line(key), f"[bank]: {key} must be text, not {_type_name(bank_tbl[key])}")
        if isinstance(bank_tbl.get("name"), str):
            if not _NAME_RE.match(bank_tbl["name"]):
                problem(loc.bank_key_line("name"),
                        f'[bank]: name "{bank_tbl["name"]}" must be lowercase letters, digits and dashes')
            name = bank_tbl["name"]
        if isinstance(bank_tbl.get("title"), str):
            if not bank_tbl["title"].strip():
                problem(loc.bank_key_line("title"), "[bank]: title is empty")
            title = bank_tbl["title"].strip()
        if isinstance(bank_tbl.get("description"), str):
            description = bank_tbl["description"].strip()

    # [[questions]]
    questions: list[Question] = []
    q_list = data.get("questions")
    if q_list is None:
        problem(len(loc.lines) or 1, "no questions: add at least one [[questions]] table")
        q_list = []
    elif not isinstance(q_list, list):
        problem(loc.top_key_line("questions"), "questions must be an array of tables: [[questions]]")
        q_list = []
    elif not q_list:
        problem(loc.top_key_line("questions"), "no questions: add at least one [[questions]] table")

    n = len(q_list)
    first_line_of_id: dict[str, int] = {}
    for i, q in enumerate(q_list):
        if not isinstance(q, dict):
            problem(loc.question_line(i, None, n), f"question #{i + 1} must be a table: [[questions]]")
            continue
        qid = q.get("id") if isinstance(q.get("id"), str) and q.get("id") else None
        label = f'question "{qid}"' if qid else f"question #{i + 1}"
        before = len(problems)

        def at(key: str | None) -> int:
            if key is None:
                return loc.question_line(i, qid, n)
            return loc.question_key_line(i, qid, n, key)

        for key in q:
            if key not in _Q_REQUIRED + _Q_OPTIONAL:
                problem(at(key), f'{label}: unknown field "{key}"; {_did_you_mean(key, _Q_REQUIRED + _Q_OPTIONAL)}')
        for key in _Q_REQUIRED:
            if key not in q:
                problem(at(None), f"{label}: missing field {key}")

        for key in ("id", "text", "category", "strong_answer"):
            if key not in q:
                continue
            v = q[key]
            if not isinstance(v, str):
                problem(at(key), f"{label}: {key} must be text, not {_type_name(v)}")
            elif not v.strip():
                problem(at(key), f"{label}: {key} is empty")
        if qid is not None:
            if not _ID_RE.match(qid):
                problem(at("id"), f'{label}: id must be lowercase letters, digits and dashes')
            elif qid in first_line_of_id:
                problem(at("id"), f"{label}: duplicate id, first used on line {first_line_of_id[qid]}")
            else:
                first_line_of_id[qid] = at("id")

        if "difficulty" in q:
            v = q["difficulty"]
            if isinstance(v, bool) or not isinstance(v, int):
                problem(at("difficulty"), f"{label}: difficulty must be a whole number from "
                                          f"{MIN_DIFFICULTY} to {MAX_DIFFICULTY}, not {_type_name(v)}")
            elif not MIN_DIFFICULTY <= v <= MAX_DIFFICULTY:
                problem(at("difficulty"), f"{label}: difficulty must be from {MIN_DIFFICULTY} "
                                          f"to {MAX_DIFFICULTY}, not {v}")
        if "time_budget_s" in q:
            v = q["time_budget_s"]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (v > 0) or v == float("inf"):
                problem(at("time_budget_s"), f"{label}: time_budget_s must be a positive number of seconds")
        follow_ups: tuple[str, ...] = ()
        if "follow_ups" in q:
            v = q["follow_ups"]
            if not isinstance(v, list):
                problem(at("follow_ups"), f"{label}: follow_ups must be a list of text, not {_type_name(v)}")
            else:
                for j, f in enumerate(v):
                    if not isinstance(f, str):
                        problem(at("follow_ups"), f"{label}: follow_ups item {j + 1} must be text, "
                                                  f"not {_type_name(f)}")
                    elif not f.strip():
                        problem(at("follow_ups"), f"{label}: follow_ups item {j + 1} is empty")
                follow_ups = tuple(f.strip() for f in v if isinstance(f, str))
        if "curveball" in q and not isinstance(q["curveball"], bool):
            problem(at("curveball"), f"{label}: curveball must be true or false, "
                                     f"not {_type_name(q['curveball'])}")

        if len(problems) == before:
            questions.append(Question(
                id=qid, bank=name, text=q["text"].strip(), category=q["category"].strip(),
                difficulty=q["difficulty"], time_budget_s=q["time_budget_s"],
                strong_answer=q["strong_answer"].strip(), follow_ups=follow_ups,
                curveball=q.get("curveball", False)))

    if problems:
        problems.sort(key=lambda p: p[0])  # stable: same-line problems keep their order
        formatted = [f"{shown}:{line}: {what}" for line, what in problems]
        message = formatted[0]
        if len(formatted) > 1:
            message += f" (and {len(formatted) - 1} more problem{'s' if len(formatted) > 2 else ''})"
        raise BankError(message, path=path, line=problems[0][0], problems=formatted)

    return Bank(name=name, title=title, description=description, path=path, questions=questions)


# ---------------------------------------------------------------------------------
# Spoken delivery

_SPEECH_SYMBOLS = "()[]{}<>/\\&%#*_|~`@+=;^$"
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl)\.?(?=\s|$|[,.;:])", re.IGNORECASE)
_ALL_CAPS = re.compile(r"\b[A-Z]{2,}\b")
_DIGIT = re.compile(r"\d")


def speech_problems(text: str, *, max_sentence_words: int = 30) -> list[str]:
    """What a text-to-speech voice would stumble on in `text`: symbols, written-only
    abbreviations, acronyms, digits and over-long sentences. Empty when it reads well."""
    found: list[str] = []
    for ch in _SPEECH_SYMBOLS:
        if ch in text:
            found.append(f'symbol "{ch}"')
    for m in _ABBREVIATIONS.finditer(text):
        found.append(f'abbreviation "{m.group(0)}"')
    for m in _ALL_CAPS.finditer(text):
        found.append(f'acronym "{m.group(0)}"')
    if _DIGIT.search(text):
        found.append("digits; write numbers as words")
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        words = sentence.split()
        if len(words) > max_sentence_words:
            found.append(f"a sentence of {len(words)} words; keep them under {max_sentence_words + 1}")
    return found
