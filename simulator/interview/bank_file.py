"""Reading and checking one bank file: every problem found, each as `file:line: what is wrong`.

The format is described in `simulator.interview.questions`.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from simulator.interview.bank import MAX_DIFFICULTY, MIN_DIFFICULTY, Bank, BankError, Question

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_BANK_REQUIRED = ("name", "title")
_BANK_OPTIONAL = ("description",)
_TOP_LEVEL = ("bank", "questions")
_Q_REQUIRED = ("id", "text", "category", "difficulty", "time_budget_s", "strong_answer")
_Q_OPTIONAL = ("follow_ups", "curveball")



def display_path(path: Path) -> str:
    """A short form of `path` for messages: relative to the working directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel


_HEADER_RE = re.compile(r"^\s*\[")
_QUESTIONS_HEADER_RE = re.compile(r"^\s*\[\[\s*questions\s*\]\]")
_BANK_HEADER_RE = re.compile(r"^\s*\[\s*bank\s*\]")


class Locator:
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


def read_bank_file(path: Path) -> Bank:
    shown = display_path(path)
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
    loc = Locator(text)

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
