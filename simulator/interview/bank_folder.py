"""Where bank files are found: a shipped bank by name, or any bank file by path.

Shipped banks live in $INTERVIEW_SIM_PROMPTS, else `prompts/` at the repository root (a checkout
or an editable install), else the copy a wheel installs under `<prefix>/share/interview-sim/prompts`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from simulator.interview.bank import Bank, BankError, Question
from simulator.interview.bank_file import Locator, display_path, read_bank_file

PROMPTS_ENV = "INTERVIEW_SIM_PROMPTS"


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
            raise BankError(f"{display_path(path)}: no such bank file", path=path)
        if not path.is_file():
            raise BankError(f"{display_path(path)}: not a file", path=path)
        return read_bank_file(path)

    names = list_banks()
    if s not in names:
        avail = ", ".join(names) if names else f"none found in {display_path(bank_dir())}"
        raise BankError(f'unknown bank "{s}"; available banks: {avail}',
                        hint="or pass the path to your own .toml file")
    path = bank_dir() / f"{s}.toml"
    bank = read_bank_file(path)
    if bank.name != s:
        line = Locator(path.read_text(encoding="utf-8-sig")).bank_key_line("name")
        raise BankError(f'{display_path(path)}:{line}: [bank]: name is "{bank.name}" but the file '
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
                loc = Locator(bank.path.read_text(encoding="utf-8-sig"))
                line = loc.id_line(q.id) or 1
                raise BankError(
                    f'{display_path(bank.path)}:{line}: question "{q.id}": id is already used in '
                    f"{display_path(other.path)}", path=bank.path, line=line)
            seen[q.id] = bank
    return banks


def all_questions(banks: list[Bank] | None = None) -> list[Question]:
    return [q for b in (load_all() if banks is None else banks) for q in b.questions]
