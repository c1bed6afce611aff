"""What an interview is asked to be: one typed set of options with one set of limits.

Both front ends check through here: the CLI's argument types (`argument_type`) and the browser's
start message (`InterviewOptions.parse`) refuse the same values with the same words, so a limit
changed here changes for both. Checking is by type and size only (a value that is not a number,
a text longer than it can sensibly be); whether a bank, a job or a voice makes sense is the
engine's to say (simulator.app.practice), before any device is opened.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, fields
from typing import Mapping

from simulator.config import RATE_WPM
from simulator.errors import UserError

MODES = ("standard", "pressure")

# name: (type, lowest, highest). Seconds are floats, counts and words per minute whole numbers.
NUMBERS: dict[str, tuple[type, float, float]] = {
    "questions": (int, 1, 50),
    "seed": (int, 0, 2**32 - 1),
    "rate": (int, *RATE_WPM),
    "max_answer_s": (float, 1.0, 1200.0),  # audio time, whatever the rate it arrives at
    "silence_stop_s": (float, 0.5, 60.0),
    "think_s": (float, 1.0, 600.0),
}
# name: longest text, in characters. A job advert or a résumé runs to a few thousand.
TEXTS: dict[str, int] = {"job": 50_000, "resume": 50_000, "voice": 100, "llm_url": 2_000, "llm_model": 200}
MAX_BANKS = 20
MAX_BANK_NAME = 300  # a name, or the path of a person's own bank file


class OptionError(UserError):
    """One option is wrong: `field` names it, the message says why (the front end adds how it calls
    the option: `--max-answer` on the command line, the field's name in the browser)."""

    def __init__(self, field: str, reason: str, hint: str | None = None):
        super().__init__(f"{field}: {reason}", exit_code=2, hint=hint)
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class InterviewOptions:
    banks: tuple[str, ...] = ()  # names or paths of bank files; empty: the default mix
    questions: int = 5  # counting the warm-up and the closing; follow-ups come on top
    mode: str = "standard"  # standard | pressure
    seed: int | None = None  # None: a random one, said at the start so it can be asked for again
    repeat: bool = False  # allow questions asked in recent sessions
    job: str | None = None  # a job description's text: questions about that job
    resume: str | None = None  # a résumé's text: questions about the person's own experience
    keep_resume: bool = False  # store the résumé's text with the session (else it is only read)
    voice: str | None = None  # a voice id of this machine's text-to-speech; None: the settings'
    rate: int | None = None  # the interviewer's words per minute; None: the settings'
    max_answer_s: float = 180.0
    silence_stop_s: float = 4.0
    think_s: float | None = None  # None: the settings' think_time
    llm_url: str | None = None  # the person's own model server; None: the settings' llm_url (or none)
    llm_model: str | None = None  # None: the settings' llm_model, else the first the server lists
    allow_remote_llm: bool = False  # llm_url may be another machine's (else loopback only)

    @classmethod
    def parse(cls, data: Mapping[str, object]) -> InterviewOptions:
        """Options from a mapping of JSON-like values (the browser's start message). Every key must
        be a field; a missing, null or empty value is the default. Raises OptionError."""
        if not isinstance(data, Mapping):
            raise OptionError("options", "expected an object of named options")
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                raise OptionError(str(key)[:40], f"is not an option (known: {', '.join(sorted(known))})")
        given = {k: v for k, v in data.items() if v is not None and v != ""}
        values: dict[str, object] = {}
        for name, (kind, _lo, _hi) in NUMBERS.items():
            if name in given:
                values[name] = _number(name, given[name], kind)
        for name in TEXTS:
            if name in given:
                values[name] = _text(name, given[name])
        if "mode" in given:
            if given["mode"] not in MODES:
                raise OptionError("mode", f"{_shown(given['mode'])} is not one of {', '.join(MODES)}")
            values["mode"] = given["mode"]
        for name in ("repeat", "keep_resume", "allow_remote_llm"):
            if name in given:
                if not isinstance(given[name], bool):
                    raise OptionError(name, f"must be true or false, not {_shown(given[name])}")
                values[name] = given[name]
        if "banks" in given:
            values["banks"] = _banks(given["banks"])
        return cls(**values)


def check_number(name: str, value: float) -> float:
    """`value` within its option's limits, or OptionError saying which limit it passes."""
    _kind, lo, hi = NUMBERS[name]
    if isinstance(value, float) and not math.isfinite(value):  # nan and inf parse, but no wait is endless
        raise OptionError(name, f"must be a finite number, not {value}")
    if value <= 0 < lo:
        raise OptionError(name, f"must be greater than zero, not {_figure(value)}")
    if value < lo:
        raise OptionError(name, f"must be at least {_figure(lo)}, not {_figure(value)}")
    if value > hi:
        raise OptionError(name, f"must be at most {_figure(hi)}, not {_figure(value)}")
    return value


def argument_type(name: str):
    """The argparse `type=` of a numeric option: the same limits as the browser's."""
    kind = NUMBERS[name][0]

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        try:
            return check_number(name, value)
        except OptionError as exc:
            raise argparse.ArgumentTypeError(exc.reason) from None

    return parse


def _number(name: str, raw: object, kind: type) -> int | float:
    # JSON numbers only: true is not 1, and "5" is a text (the page sends numbers).
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        raise OptionError(name, f"must be {'a whole number' if kind is int else 'a number'}, not {_shown(raw)}")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise OptionError(name, f"must be a finite number, not {raw}")
    if kind is int and isinstance(raw, float) and not raw.is_integer():
        raise OptionError(name, f"must be a whole number, not {raw:g}")
    if kind is float and isinstance(raw, int) and abs(raw) > 1e300:  # past what a float holds
        raise OptionError(name, f"must be at most {_figure(NUMBERS[name][2])}, not {_figure(raw)}")
    return check_number(name, kind(raw))


def _text(name: str, raw: object) -> str:
    if not isinstance(raw, str):
        raise OptionError(name, f"must be text, not {_shown(raw)}")
    if len(raw) > TEXTS[name]:
        raise OptionError(name, f"is {len(raw):,} characters long; at most {TEXTS[name]:,} are read")
    if "\x00" in raw:
        raise OptionError(name, "contains a NUL character: paste plain text")
    if name in ("job", "resume"):
        return raw  # a pasted text as given: a kept résumé is stored as it was pasted
    if not raw.strip().isprintable():
        raise OptionError(name, {"voice": "must be a voice id, such as gmw/en-US",
                                 "llm_url": "must be an address, such as http://127.0.0.1:11434",
                                 "llm_model": "must be a model name"}[name])
    return raw.strip()


def _banks(raw: object) -> tuple[str, ...]:
    """A list of bank names; a text is one name or several with commas (as `--bank a,b`)."""
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not all(isinstance(b, str) for b in items):
        raise OptionError("banks", f"must be a list of bank names, not {_shown(raw)}")
    names = [part.strip() for item in items for part in item.split(",") if part.strip()]
    if len(names) > MAX_BANKS:
        raise OptionError("banks", f"{len(names)} banks given; at most {MAX_BANKS}")
    for name in names:
        if len(name) > MAX_BANK_NAME or not name.isprintable():
            raise OptionError("banks", f"{_shown(name)} is not a bank name or a bank file's path")
    return tuple(dict.fromkeys(names))


def _shown(value: object) -> str:
    """A value as the message may quote it: never more than a few dozen characters."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {_figure(value)}"
    if isinstance(value, str):
        return repr(value) if len(value) <= 40 else repr(value[:37]) + "…"
    return {list: "a list", dict: "an object"}.get(type(value), f"a {type(value).__name__}")


def _figure(value: float) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 20 else text[:8] + "…" + text[-4:]
