"""Speech to timed words. `load(engine, model)` gives a ready Transcriber (see base.py)."""

from __future__ import annotations

from simulator.errors import EnvironmentProblem, UserError

ENGINES = ("faster-whisper", "openai-whisper")


def load(engine: str = "faster-whisper", model: str = "tiny.en", **options):
    """Load an engine and its model: the only slow step before the first transcription."""
    if engine == "faster-whisper":
        try:
            from simulator.transcribe.faster import FasterWhisperTranscriber
            import faster_whisper  # noqa: F401
        except ImportError:
            raise EnvironmentProblem("faster-whisper is not installed",
                                     hint="run: bash scripts/bootstrap.sh") from None
        return FasterWhisperTranscriber(model, **options)
    if engine == "openai-whisper":
        from simulator.transcribe.openai_whisper import OpenAIWhisperTranscriber

        options.pop("compute_type", None)
        return OpenAIWhisperTranscriber(model, **options)
    raise UserError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
