"""`interview-sim bench`: speed and accuracy figures anyone can rerun.

Each engine configuration is measured in its own process, so peak memory is that engine's
alone. Feedback latency is measured the way a person meets it: a long answer (speech with
pauses, 120 s by default) is fed block by block at real-time pace, as the microphone would,
and the clock runs from the last block to the finished Delivery — once with streaming
transcription (`AnswerAnalyzer`, as `practice` does) and once transcribing the whole file
after the answer ends.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from simulator.errors import UserError

CLIPS = ("jfk", "librivox-0870", "librivox-0890")


# Another CPU's arithmetic without another CPU. CTranslate2 multiplies matrices with Intel MKL on
# Intel CPUs and with oneDNN on the others (AMD), each at the widest vector ISA the CPU has; the
# two round differently, and that moves Whisper's output (an AMD EPYC kept 48 of the suite's 56
# hesitations where this Intel Xeon kept 51). These variables make a process on this machine run
# the kernels such a CPU would: oneDNN, with AVX-512 (AMD Zen 4) or AVX2 only (Zen 2 and 3). They
# are read when CTranslate2 loads, so other kernels are always measured in a fresh process.
KERNELS: dict[str, dict[str, str]] = {
    "native": {},
    "onednn": {"CT2_USE_MKL": "0"},
    "onednn-avx2": {"CT2_USE_MKL": "0", "CT2_FORCE_CPU_ISA": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"},
}


def kernels_in_effect(kernels: str, environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """What CTranslate2 would run under KERNELS[kernels] on this machine: (matrix library, the ISA
    it is forced to, oneDNN's), "native" where nothing forces it. On an AMD CPU "native" already
    is oneDNN at the CPU's own ISA, so two names can be one computation: measured once. A CPU whose
    vendor cannot be read is taken to differ from every other name."""
    env = {**(os.environ if environ is None else environ), **KERNELS[kernels]}
    use_mkl = env.get("CT2_USE_MKL")
    if use_mkl is None:  # CTranslate2's own default: MKL on Intel CPUs only
        vendor = _cpu_vendor()
        if vendor is None:
            return (kernels,)
        mkl = vendor == "GenuineIntel"
    else:
        mkl = use_mkl.strip().lower() in ("1", "true", "on", "yes")
    return ("mkl" if mkl else "onednn", env.get("CT2_FORCE_CPU_ISA", "native"),
            "-" if mkl else env.get("ONEDNN_MAX_CPU_ISA", "native"))


def _cpu_vendor() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("vendor_id"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


@dataclass(frozen=True, slots=True)
class EngineConfig:
    engine: str
    model: str
    compute_type: str  # "int8", "float32" for CTranslate2; "float32" for openai-whisper on CPU
    passes: str = "both"  # faster-whisper: "both" (the default), "plain" or "verbatim" alone
    beam_size: int = 5
    kernels: str = "native"  # a key of KERNELS

    @property
    def label(self) -> str:
        extra = "" if self.passes == "both" else f", {self.passes} pass only"
        extra += "" if self.beam_size == 5 else f", beam {self.beam_size}"
        extra += "" if self.kernels == "native" else f", {self.kernels} kernels"
        return f"{self.engine} {self.model} {self.compute_type}{extra}"


@dataclass(slots=True)
class EngineResult:
    engine: str
    model: str
    compute_type: str
    load_s: float
    rtf: float
    peak_rss_mb: float
    wer: float


def default_configs() -> list[EngineConfig]:
    configs = [EngineConfig("faster-whisper", "tiny.en", "int8"),
               EngineConfig("faster-whisper", "tiny.en", "float32")]
    if openai_installed():  # the `openai` extra is optional
        configs.append(EngineConfig("openai-whisper", "tiny.en", "float32"))
    if base_installed():  # so are the base model's wheels
        configs.append(EngineConfig("faster-whisper", "base", "int8"))
    return configs


def openai_installed() -> bool:
    from simulator import transcribe

    return transcribe.installed("openai-whisper", "tiny.en")


def clips_dir() -> Path:
    from simulator.evaluation.accuracy import DATA

    return Path(os.environ.get("INTERVIEW_SIM_CLIPS", DATA))


def _load_engine(config: EngineConfig):
    from simulator import transcribe

    options = {"beam_size": config.beam_size}
    if config.engine == "faster-whisper":
        options.update(compute_type=config.compute_type, passes=config.passes)
    return transcribe.load(config.engine, config.model, **options)


def base_installed() -> bool:
    from simulator import transcribe

    return transcribe.installed("faster-whisper", "base")


def real_speech_configs() -> list[EngineConfig]:
    """The default, its other compute type (another CPU's kernels), the base model, and the two
    single passes the default combines (what each alone scores)."""
    configs = [EngineConfig("faster-whisper", "tiny.en", "int8"),
               EngineConfig("faster-whisper", "tiny.en", "float32"),
               EngineConfig("faster-whisper", "tiny.en", "int8", beam_size=2)]
    if base_installed():
        configs.append(EngineConfig("faster-whisper", "base", "int8"))
    configs += [EngineConfig("faster-whisper", "tiny.en", "int8", passes="plain"),
                EngineConfig("faster-whisper", "tiny.en", "int8", passes="verbatim")]
    return configs


def measure_real_speech(config: EngineConfig, folder: Path) -> dict:
    """Run inside a fresh process (see `real_speech`): every clip of the folder through the same
    streaming path as a recorded answer, scored against its human transcript."""
    from simulator.audio.io import load_audio
    from simulator.evaluation.realspeech import run_realspeech
    from simulator.pipeline import analyze_file

    transcriber = _load_engine(config)
    list(transcriber.transcribe(np.zeros(16000, np.float32)))  # warm-up: first-call allocations
    compute = audio_s = 0.0

    def analyze_clip(path: Path):
        nonlocal compute, audio_s
        start = time.perf_counter()
        delivery = analyze_file(path, transcriber).delivery
        compute += time.perf_counter() - start
        audio_s += delivery.duration_s or 0.0
        return delivery

    score, results = run_realspeech(folder, analyze_clip, whole_file_text=whole_file_decoder(config, load_audio))
    return {**asdict(config), "label": config.label, **score.to_dict(), "rtf": round(compute / max(audio_s, 1e-9), 3),
            "clips_detail": [asdict(r) for r in results]}


WHOLE_FILE_SEED = 0


def whole_file_decoder(config: EngineConfig, load_audio) -> Callable[[Path], str] | None:
    """The baseline a long answer is held to: plain decoding of the whole file in one call with the
    engine's own defaults (faster-whisper's long-form loop: 30 s windows, each conditioned on the
    text before, temperature fallback), the same model, compute type and beam. None for other engines."""
    if config.engine != "faster-whisper":
        return None
    import ctranslate2
    from faster_whisper import WhisperModel

    from simulator.transcribe.weights import resolve

    weights = resolve(config.model)
    # The defaults' fallback samples at higher temperatures where a window fails its checks, so
    # unseeded the baseline is a draw: three runs of the long set gave 11.6%, 11.9% and 13.5%, one
    # file 7 or 39 errors. Seeded before the model (and its threads) is made, it is the same each
    # run (README, "Long answers").
    ctranslate2.set_random_seed(WHOLE_FILE_SEED)
    model = WhisperModel(str(weights.ct2_dir), device="cpu", compute_type=config.compute_type)
    language = None if weights.name.endswith(".en") else "en"

    def text(path: Path) -> str:
        segments, _info = model.transcribe(load_audio(path), language=language, beam_size=config.beam_size)
        return " ".join(s.text for s in segments)

    return text


def real_speech(folder: Path, configs: list[EngineConfig] | None = None, progress=lambda text: None,
                latency_s: float | None = 120.0) -> dict:
    """Real spontaneous speech with human transcripts (a folder of NAME.wav or .flac + NAME.json, read by
    path): hesitations, words, invented endings per configuration, each in a fresh process; and
    the feedback latency of each model after a long answer."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"--data {folder}: not a folder")
    from simulator.evaluation.realspeech import load_clips

    if not load_clips(folder):
        raise UserError(f"--data {folder}: no clips with transcripts (NAME.wav or NAME.flac + NAME.json)")
    rows = []
    for config in configs or real_speech_configs():
        progress(f"real speech: {config.label}")
        rows.append(_in_fresh_process("realspeech", config, folder))
    result: dict = {"folder": str(folder), "configs": rows}
    if latency_s:
        models = ["tiny.en"] + (["base"] if base_installed() else [])
        result["feedback_latency_s"] = {}
        for model in models:
            progress(f"feedback latency after a {latency_s:.0f} s answer: {model}")
            config = EngineConfig("faster-whisper", model, "int8")
            result["feedback_latency_s"][model] = _in_fresh_process("latency", config, clips_dir(), latency_s)
    return result


def _in_fresh_process(kind: str, config: EngineConfig, path: Path, *extra) -> dict:
    out = subprocess.run([sys.executable, "-m", "simulator.bench", kind, json.dumps(asdict(config)), str(path),
                          *map(str, extra)], capture_output=True, text=True,
                         env={**os.environ, **KERNELS[config.kernels]})
    if out.returncode:
        last = out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"
        raise UserError(f"{config.label}: {last}")
    return json.loads(out.stdout)


def measure_engine(config: EngineConfig, clips: Path) -> EngineResult:
    """Run inside a fresh process (see `run`): load, then transcribe every clip once."""
    from simulator.audio.io import load_audio
    from simulator.transcribe.wer import wer

    audios = {name: load_audio(clips / f"{name}.wav") for name in CLIPS}
    start = time.perf_counter()
    transcriber = _load_engine(config)
    load_s = time.perf_counter() - start
    list(transcriber.transcribe(audios["jfk"][:16000]))  # warm-up: first-call allocations
    compute = audio_s = errors = ref_words = 0.0
    for name, audio in audios.items():
        start = time.perf_counter()
        words = list(transcriber.transcribe(audio))
        compute += time.perf_counter() - start
        audio_s += audio.size / 16000
        reference = (clips / f"{name}.txt").read_text()
        n = len(reference.split())
        errors += wer(reference, " ".join(w.text for w in words)) * n
        ref_words += n
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return EngineResult(config.engine, config.model, config.compute_type, round(load_s, 3),
                        round(compute / audio_s, 3), round(peak, 1), round(errors / ref_words, 4))


def long_answer(clips: Path, seconds: float, seed: int = 0) -> np.ndarray:
    """Real speech with pauses of 0.4-2.5 s between clips, repeated up to `seconds`."""
    from simulator.audio.io import load_audio

    rng = np.random.default_rng(seed)
    pieces, total = [], 0
    speech = [load_audio(clips / f"{name}.wav") for name in CLIPS]
    while total < seconds * 16000:
        clip = speech[len(pieces) // 2 % len(speech)]
        pause = np.zeros(int(rng.uniform(0.4, 2.5) * 16000), np.float32)
        pieces += [pause, clip]
        total += clip.size + pause.size
    # The person presses Enter 0.3 s after their last word: the hardest case for streaming,
    # since a silence-stop would give the tail seconds of head start.
    pieces.append(np.zeros(int(0.3 * 16000), np.float32))
    return np.concatenate(pieces)


def feedback_latency(transcriber, audio: np.ndarray, realtime: bool = True, batch: bool = True) -> dict:
    """Seconds from the end of `audio`, fed like a microphone, to its analysis; with `batch`, also
    the time to transcribe the whole recording after it ended instead."""
    from simulator.delivery.analyze import analyze
    from simulator.pipeline import AnswerAnalyzer

    block = 800  # 50 ms, the recorder's block size
    analyzer = AnswerAnalyzer(transcriber)
    start = time.perf_counter()
    for i in range(0, audio.size, block):
        analyzer.feed(audio[i:i + block])
        if realtime:  # pace the feed like a microphone, against the clock, not by sleeping blindly
            ahead = (i + block) / 16000 - (time.perf_counter() - start)
            if ahead > 0:
                time.sleep(ahead)
    ended = time.perf_counter()
    analyzer.finish()
    result = {"streaming": round(time.perf_counter() - ended, 3), "answer_s": round(audio.size / 16000, 1)}
    if batch:
        ended = time.perf_counter()
        analyze(audio, list(transcriber.transcribe(audio)), duration_s=audio.size / 16000)
        result["batch"] = round(time.perf_counter() - ended, 3)
    return result


def run(answer_s: float = 120.0, clips: Path | None = None, configs: list[EngineConfig] | None = None,
        progress=lambda text: None, realtime: bool = True, latency: bool = True) -> dict:
    clips = clips or clips_dir()
    for name in CLIPS:
        if not (clips / f"{name}.wav").is_file():
            raise UserError(f"benchmark clip {name}.wav not found in {clips} (set INTERVIEW_SIM_CLIPS)")
    engines = []
    for config in configs or default_configs():
        progress(f"measuring {config.label}")
        engines.append(_in_fresh_process("engine", config, clips))
    result = {"engines": engines, "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]}}
    if latency:
        progress(f"feedback latency after a {answer_s:.0f} s answer (fed in real time)")
        transcriber = _load_engine(EngineConfig("faster-whisper", "tiny.en", "int8"))
        result["feedback_latency_s"] = feedback_latency(transcriber, long_answer(clips, answer_s), realtime=realtime)
    return result


def _measure_latency(config: EngineConfig, clips: Path, answer_s: float, answers: int = 1) -> dict:
    """Feedback latency after one answer, or the spread over `answers` answers (seeds 0, 1, ...):
    it depends on whether a draft is still being transcribed when the answer ends."""
    transcriber = _load_engine(config)
    results = [feedback_latency(transcriber, long_answer(clips, answer_s, seed), batch=answers == 1)
               for seed in range(answers)]
    if answers == 1:
        return results[0]
    each = [r["streaming"] for r in results]
    return {"streaming": round(float(np.median(each)), 3), "streaming_max": max(each), "streaming_each": each,
            "answers": answers, "answer_s": results[0]["answer_s"]}


if __name__ == "__main__":  # one measurement in a fresh process: python -m simulator.bench KIND CONFIG_JSON PATH [S [N]]
    kind, config, path = sys.argv[1], EngineConfig(**json.loads(sys.argv[2])), Path(sys.argv[3])
    if kind == "engine":
        print(json.dumps(asdict(measure_engine(config, path))))
    elif kind == "realspeech":
        print(json.dumps(measure_real_speech(config, path)))
    elif kind == "accuracy":
        from simulator.evaluation.accuracy import run_accuracy

        print(json.dumps(run_accuracy(lambda: _load_engine(config), compare_vad=bool(int(sys.argv[4])))))
    else:
        print(json.dumps(_measure_latency(config, path, float(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else 1)))


def accuracy(progress=lambda text: None) -> dict:
    """The delivery accuracy suite (simulator.evaluation.accuracy) with the default decoding, its
    hesitation figures under the other compute type and beam sizes and under an AMD CPU's kernels
    (KERNELS: another CPU's arithmetic shifts Whisper's output), openai-whisper with and without
    its verbatim prompt, and the held-out synthetic answers."""
    from simulator import transcribe
    from simulator.evaluation.accuracy import run_accuracy, run_heldout

    progress("accuracy suite: aligned clips, JFK, synthetic answers in several voices")
    suite = run_accuracy()
    native = kernels_in_effect("native")
    # Reports by the computation they are: another name for this CPU's own kernels is measured once.
    measured = {("int8", 5, native): suite}
    decodings = [_hesitation_row("faster-whisper", "int8", 5, True, suite)]
    for compute_type, beam in (("float32", 5), ("int8", 2), ("float32", 2)):
        progress(f"hesitations: faster-whisper tiny.en {compute_type}, beam {beam}")
        report = run_accuracy(lambda: transcribe.load("faster-whisper", "tiny.en", compute_type=compute_type,
                                                      beam_size=beam), compare_vad=False)
        measured[(compute_type, beam, native)] = report
        decodings.append(_hesitation_row("faster-whisper", compute_type, beam, True, report))
    for compute_type, kernels in (("int8", "onednn"), ("int8", "onednn-avx2"), ("float32", "onednn-avx2")):
        progress(f"hesitations: faster-whisper tiny.en {compute_type}, another CPU's kernels ({kernels})")
        config = EngineConfig("faster-whisper", "tiny.en", compute_type, kernels=kernels)
        key = (compute_type, 5, kernels_in_effect(kernels))
        if key not in measured:
            measured[key] = accuracy_elsewhere(config, compare_vad=False)
        decodings.append(_hesitation_row("faster-whisper", compute_type, 5, True, measured[key], config.kernels))
    for on in (True, False) if openai_installed() else ():
        progress(f"hesitations: openai-whisper tiny.en, verbatim {'on' if on else 'off'}")
        report = run_accuracy(lambda: transcribe.load("openai-whisper", "tiny.en", verbatim=on), compare_vad=False)
        decodings.append(_hesitation_row("openai-whisper", "float32", 5, on, report))
    progress("hesitations on held-out synthetic answers (scripts and voices nothing was chosen on)")
    return {"suite": suite, "decodings": decodings, "heldout": run_heldout()}


def accuracy_elsewhere(config: EngineConfig, compare_vad: bool = True) -> dict:
    """`run_accuracy` with `config`'s engine in a fresh process (for other kernels: KERNELS)."""
    return _in_fresh_process("accuracy", config, Path(os.devnull), int(compare_vad))


def _hesitation_row(engine: str, compute_type: str, beam: int, verbatim: bool, report: dict,
                    kernels: str = "native") -> dict:
    syn = report["synthetic"]
    return {"engine": engine, "model": "tiny.en", "compute_type": compute_type, "beam_size": beam, "kernels": kernels,
            "verbatim": verbatim, "hesitation_recall": syn["hesitation_recall"],
            "hesitation_precision": syn["hesitation_precision"], "hesitations": syn["hesitations"],
            "pace_error_median": syn["pace_error_median"], "pause_recall": report["aligned"]["pause_recall"],
            "discourse_false_positives": syn["discourse_false_positives"]}


def accuracy_summary(result: dict) -> dict:
    """The headline figures of `accuracy()`, against the targets they are held to."""
    suite = result["suite"]
    aligned, syn = suite["aligned"], suite["synthetic"]
    return {
        "pace_error_aligned_max": max(c["pace_error"] for c in aligned["clips"].values()),
        "pace_error_synthetic_median": syn["pace_error_median"],
        "pause_recall_aligned": aligned.get("pause_recall"),
        "pause_precision_aligned": aligned.get("pause_precision"),
        "hesitation_recall": syn["hesitation_recall"],
        "hesitation_precision": syn["hesitation_precision"],
        "discourse_false_positives": syn["discourse_false_positives"],
        "targets": suite["targets"],
    }
