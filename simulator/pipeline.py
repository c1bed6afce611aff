"""Audio file -> timed words -> Delivery: the path every answer and every analysed file takes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simulator.audio.io import iter_blocks
from simulator.delivery.analyze import Delivery, analyze
from simulator.transcribe.base import SAMPLE_RATE, Transcriber


@dataclass(slots=True)
class Analysis:
    delivery: Delivery
    engine: str
    model: str

    def to_dict(self) -> dict:
        return {**self.delivery.to_dict(), "engine": self.engine, "model": self.model}


def analyze_file(path: Path, transcriber: Transcriber, *, time_budget_s: float | None = None,
                 display_name: str | None = None) -> Analysis:
    audio = np.concatenate(list(iter_blocks(path)) or [np.zeros(0, np.float32)])
    words = list(transcriber.transcribe(audio)) if audio.size else []
    delivery = analyze(audio, words, file=display_name or str(path),
                       duration_s=audio.size / SAMPLE_RATE, time_budget_s=time_budget_s)
    return Analysis(delivery, transcriber.engine, transcriber.model)
