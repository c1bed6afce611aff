"""Delivery metrics for audio files: each file analysed, or the one-line reason it was not."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from simulator.config import Config
from simulator.delivery.content import QuestionBrief
from simulator.errors import UserError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class FileError:
    path: Path
    error: UserError

    @property
    def message(self) -> str:
        return self.error.message


def _run(_label: str, fn: Callable[[], T]) -> T:
    return fn()


def analyze_files(paths: list[str], settings: Config, *, budget_s: float | None = None,
                  question: QuestionBrief | None = None,
                  warn: Callable[[str], None] = lambda line: None,
                  busy: Callable[[str, Callable[[], T]], T] = _run) -> Iterator:
    """Yields one `Analysis` (simulator.pipeline) or `FileError` per path, in order; each
    analysis names its file as given (`./a.flac` stays `./a.flac`, as the README promises).

    Each file is opened before the model loads, so bad input fails fast; the model loads once,
    for the first file that can be read. `busy(label, fn)` runs a slow step (a front end may show
    a spinner); `warn` hears about files analysed despite a problem. `question`: what the
    recordings answer, for the content feedback (without it, content is judged without a question).
    """
    from simulator.app.sessions import transcriber_loader
    from simulator.audio.io import iter_blocks, wav_shortfall
    from simulator.pipeline import analyze_file

    load = transcriber_loader(settings)
    transcriber = None
    for given in paths:
        path = Path(given)
        try:
            next(iter_blocks(path, block_s=0.1), None)
            short = wav_shortfall(path)
            if short:
                warn(f"{path} is cut short (its header promises {short[0]:.1f} s, {short[1]:.1f} s are there): "
                     "analysing what is there")
            if transcriber is None:
                transcriber = busy(f"loading {settings.engine} {settings.model}…", load)
            model = transcriber
            yield busy(f"analysing {path.name}…",
                       lambda: analyze_file(path, model, time_budget_s=budget_s, display_name=given,
                                            question=question))
        except UserError as exc:
            yield FileError(path, exc)


def follow_up(question: str, budget_s: float | None, analysis) -> dict | None:
    """The follow-up the interviewer's rules give for an analysed answer to `question`, or None:
    its text, kind, why it was chosen and the words it quotes."""
    from simulator.interview.interviewer import choose_follow_up

    chosen = choose_follow_up({"text": question, "time_budget_s": budget_s}, analysis.delivery)
    # The documented keys only (README, `analyze --json`): the rules write these, never a model.
    return {"kind": chosen.kind, "text": chosen.text, "reason": chosen.reason, "quote": chosen.quote} if chosen else None


def follow_up_lines(chosen: dict | None) -> list[str]:
    from simulator.interview.plan_view import follow_up_lines as lines

    return lines(chosen)
