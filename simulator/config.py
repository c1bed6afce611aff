"""Defaults a person sets once, in a small TOML file in the user's config folder.

Precedence: command-line option > this file > default (the recordings folder also reads
$INTERVIEW_SIM_RECORDINGS, between the option and the file). `resolve` is the one place it is
applied; the front ends pass what they were given.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Mapping

from simulator.errors import UserError


@dataclass
class Config:
    input_device: str | None = None  # index or part of a name
    output_device: str | None = None
    voice: str | None = None  # a pyttsx3/espeak voice id, e.g. "gmw/en-US"
    rate: int = 170  # interviewer's speaking rate, words per minute
    recordings_dir: str | None = None
    engine: str = "faster-whisper"
    model: str = "tiny.en"
    interviewer: str = "Alex"
    think_time: float = 30.0  # seconds before the interviewer gently prompts a person who has not begun
    llm_url: str | None = None  # the person's own model server (simulator.llm), e.g. http://127.0.0.1:11434
    llm_model: str | None = None  # the model asked for there; None: the first the server lists


KEYS = {f.name: f for f in fields(Config)}


def config_path() -> Path:
    if os.environ.get("INTERVIEW_SIM_CONFIG"):
        return Path(os.environ["INTERVIEW_SIM_CONFIG"]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "interview-sim" / "config.toml"


def load() -> Config:
    path = config_path()
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        raise UserError(f"{path}: {exc} (fix or delete the file)") from None
    config = Config()
    for key, value in data.items():
        if key not in KEYS:
            raise UserError(f"{path}: unknown setting {key!r} (known: {', '.join(KEYS)})")
        setattr(config, key, _coerce(key, value, path))
    return config


RECORDINGS_ENV = "INTERVIEW_SIM_RECORDINGS"
RATE_WPM = (80, 400)  # the interviewer's speaking rates espeak-ng says clearly


def resolve(args: Any = None, environ: Mapping[str, str] | None = None, file: Config | None = None) -> Config:
    """The settings in force: an option given in `args` (an argparse namespace, a dict, or None),
    else the environment (the recordings folder only), else the saved file, else the default.

    `recordings_dir` stays None when nothing chose a folder (the store's default then applies).
    An empty --recordings-dir is refused: an unset variable in a script is not "the default".
    """
    environ = os.environ if environ is None else environ
    config = replace(load() if file is None else file)

    def given(key: str):
        return args.get(key) if isinstance(args, Mapping) else getattr(args, key, None)

    for key in KEYS:
        value = given(key)
        if key == "recordings_dir":
            if value is not None and not str(value).strip():
                raise UserError("--recordings-dir needs a folder, not an empty name")
            config.recordings_dir = value or environ.get(RECORDINGS_ENV) or config.recordings_dir
        elif key == "rate" and value is not None:
            config.rate = _coerce("rate", value, "--rate")
        elif value:  # an empty option is "not given", as it always was
            setattr(config, key, value)
    return config


def set_value(key: str, value: str | None) -> Config:
    """Set (or, with None, remove) one setting and save the file."""
    if key not in KEYS:
        raise UserError(f"unknown setting {key!r} (known: {', '.join(KEYS)})")
    config = load()
    default = getattr(Config(), key)
    setattr(config, key, default if value is None else _coerce(key, value, "command line"))
    save(config)
    return config


def save(config: Config) -> None:
    path = config_path()
    lines = ["# interview-sim settings: edit here or with `interview-sim config set KEY VALUE`"]
    for key in KEYS:
        value = getattr(config, key)
        if value is not None and value != getattr(Config(), key):
            lines.append(f"{key} = {json.dumps(value)}")  # JSON strings and ints are valid TOML
    from simulator.files import replace_file

    replace_file(path, "\n".join(lines) + "\n")  # a linked config file stays linked


def as_dict(config: Config) -> dict:
    return {key: getattr(config, key) for key in KEYS}


# What each setting holds, as a person would name it; anything else in the file is refused.
_EXPECTED = {
    "input_device": "a device index or part of a device name",
    "output_device": "a device index or part of a device name",
    "voice": "a voice id (text)",
    "recordings_dir": "a folder path (text)",
    "engine": "an engine name (text)",
    "model": "a model name or folder (text)",
    "interviewer": "a name (text)",
    "llm_url": "a model server's address, such as http://127.0.0.1:11434",
    "llm_model": "a model name (text)",
}


def _coerce(key: str, value, where) -> object:
    if key == "rate":
        try:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise TypeError
            rate = int(value)
        except (TypeError, ValueError):
            raise UserError(f"{where}: rate must be a whole number of words per minute, not {_shown(value)}") from None
        if not RATE_WPM[0] <= rate <= RATE_WPM[1]:
            raise UserError(f"{where}: rate must be between {RATE_WPM[0]} and {RATE_WPM[1]} words per minute")
        return rate
    if key == "think_time":
        try:
            seconds = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            seconds = math.nan
        if not 0 < seconds < math.inf:
            raise UserError(f"{where}: think_time must be a number of seconds greater than zero")
        return seconds
    if value is None:
        return None
    devices = key in ("input_device", "output_device")
    if isinstance(value, bool) or not isinstance(value, (str, int) if devices else str):
        raise UserError(f"{where}: {key} must be {_EXPECTED[key]}, not {_shown(value)}")
    value = str(value)
    if not value.strip():
        raise UserError(f"{where}: {key} must be {_EXPECTED[key]}, not empty (unset it to use the default)")
    if key == "engine":
        from simulator.transcribe import ENGINES

        if value not in ENGINES:
            raise UserError(f"{where}: engine must be one of {', '.join(ENGINES)}, not {value!r}")
    if key == "llm_url":
        from simulator.llm.endpoint import check_url

        check_url(value, allow_remote=True, given_as=f"{where}: llm_url")  # the form only: whether it may be used is decided at each start
    return value


def _shown(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float)):
        return f"the number {value}"
    return {list: "a list", dict: "a table"}.get(type(value), f"a {type(value).__name__}")
