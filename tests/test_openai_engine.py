"""openai-whisper engine, offline on the packaged CTranslate2 weights, against faster-whisper.

These need torch, openai-whisper, faster-whisper and the packaged tiny.en model. A missing one
makes them fail, not skip: "both engines transcribe offline" is a promise of the product.
Every test converts into its own temporary cache folder, so the user's cache is never touched.
"""

from __future__ import annotations

import os
import shutil
import struct
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
import soundfile as sf

from simulator.errors import EnvironmentProblem
from simulator.transcribe import ct2_convert
from simulator.transcribe.wer import wer

DATA = Path(__file__).parent / "data"


def _offline_guard(*_args, **_kwargs):
    raise AssertionError("the openai-whisper engine tried to use the network")


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(home))
        yield home


@pytest.fixture(scope="module")
def openai_engine(cache_home: Path):
    from simulator.transcribe.openai_whisper import OpenAIWhisperTranscriber

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(urllib.request, "urlopen", _offline_guard)
        engine = OpenAIWhisperTranscriber("tiny.en")
    assert engine.weights_source == "converted"  # a fresh cache: built from the packaged model
    return engine


@pytest.fixture(scope="module")
def faster_engine(transcriber):
    """The session's faster-whisper tiny.en (conftest), loaded once for the whole run."""
    assert (transcriber.engine, transcriber.model) == ("faster-whisper", "tiny.en")
    return transcriber


def _clip(name: str) -> tuple[np.ndarray, str]:
    audio, rate = sf.read(DATA / f"{name}.wav", dtype="float32")
    assert rate == 16_000
    return audio, (DATA / f"{name}.txt").read_text()


def _text(engine, audio: np.ndarray) -> str:
    return " ".join(w.text for w in engine.transcribe(audio))


@pytest.mark.model
@pytest.mark.parametrize("engine_fixture", ["openai_engine", "faster_engine"])
def test_jfk_offline_word_error_rate(engine_fixture: str, request: pytest.FixtureRequest) -> None:
    engine = request.getfixturevalue(engine_fixture)
    audio, reference = _clip("jfk")
    words = list(engine.transcribe(audio, offset=2.0))
    hypothesis = " ".join(w.text for w in words)
    assert 0.0 <= wer(reference, hypothesis) <= 0.05, hypothesis
    assert engine.model == "tiny.en"
    # Word timestamps: ordered, inside the clip (shifted by the offset).
    starts = [w.start for w in words]
    assert starts == sorted(starts)
    assert all(2.0 <= w.start <= w.end <= 2.0 + len(audio) / 16_000 + 0.5 for w in words)


@pytest.mark.model
def test_converted_encoder_matches_ctranslate2(openai_engine) -> None:
    import ctranslate2
    import torch
    import whisper
    from faster_whisper import WhisperModel

    from simulator.transcribe.weights import resolve

    audio, _ = _clip("jfk")
    mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio))[None]
    with torch.no_grad():
        ours = openai_engine._model.encoder(mel).numpy()
    reference = WhisperModel(str(resolve("tiny.en").ct2_dir), device="cpu", compute_type="float32")
    theirs = np.array(reference.model.encode(ctranslate2.StorageView.from_array(mel.numpy()), to_cpu=True))
    assert ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() < 1e-3  # measured 2.4e-5 on values up to 12


@pytest.mark.model
def test_alignment_heads_are_set(openai_engine) -> None:
    import whisper

    heads = openai_engine._model.alignment_heads.to_dense().nonzero().tolist()
    assert heads == [[1, 0], [2, 0], [2, 5], [3, 0], [3, 1], [3, 2], [3, 3], [3, 4]]
    # The same table openai-whisper uses for its own tiny.en download.
    official = whisper.model.Whisper(openai_engine._model.dims)
    official.set_alignment_heads(whisper._ALIGNMENT_HEADS["tiny.en"])
    assert heads == official.alignment_heads.to_dense().nonzero().tolist()


def _write_int8_copy(src_dir: Path, dst_dir: Path) -> None:
    """A CTranslate2 int8 model the way its converter quantizes (per-row scale = 127 / max|row|),
    written with the model.bin layout; ctranslate2 itself loads the result."""
    dst_dir.mkdir(parents=True)
    for f in src_dir.iterdir():
        if f.name != "model.bin":
            shutil.copy(f, dst_dir / f.name)
    r = ct2_convert._Reader(np.memmap(src_dir / "model.bin", dtype=np.uint8, mode="r"))
    version, spec, revision = r.unpack("I"), r.string(), r.unpack("I")
    out = []
    for _ in range(r.unpack("I")):
        name = r.string()
        shape = tuple(r.unpack("I") for _ in range(r.unpack("B")))
        dtype = ct2_convert._CT2_DTYPES[r.unpack("B")]
        value = ct2_convert._decode(r.take(r.unpack("I")), dtype, shape)
        if name.endswith("/weight") and value.ndim >= 2:
            rows = value.astype(np.float32).reshape(value.shape[0], -1)
            amax = np.abs(rows).max(axis=1)
            amax[amax == 0] = 127.0
            scale = (127.0 / amax).astype(np.float32)
            quantized = np.rint(rows * scale[:, None]).astype(np.int8).reshape(value.shape)
            out += [(name, "int8", quantized), (name + "_scale", "float32", scale)]
        else:
            out.append((name, dtype, value))
    aliases = [(r.string(), r.string()) for _ in range(r.unpack("I"))]

    def string(text: str) -> bytes:
        return struct.pack("<H", len(text) + 1) + text.encode() + b"\0"

    blob = bytearray(struct.pack("<I", version) + string(spec) + struct.pack("<II", revision, len(out)))
    for name, dtype, value in sorted(out, key=lambda item: item[0]):
        data = np.ascontiguousarray(value).tobytes()
        blob += string(name) + struct.pack("<B", value.ndim) + struct.pack(f"<{value.ndim}I", *value.shape)
        blob += struct.pack("<BI", ct2_convert._CT2_DTYPES.index(dtype), len(data)) + data
    blob += struct.pack("<I", len(aliases)) + b"".join(string(a) + string(t) for a, t in aliases)
    (dst_dir / "model.bin").write_bytes(bytes(blob))


@pytest.fixture(scope="module")
def int8_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from simulator.transcribe.weights import resolve

    folder = tmp_path_factory.mktemp("int8") / "tiny-int8"
    _write_int8_copy(resolve("tiny.en").ct2_dir, folder)
    return folder


@pytest.mark.model
def test_int8_weights_are_dequantized(int8_model: Path) -> None:
    from simulator.transcribe.weights import resolve

    _, half = ct2_convert.to_state_dict(ct2_convert.read_model_bin(resolve("tiny.en").ct2_dir / "model.bin"))
    _, int8 = ct2_convert.to_state_dict(ct2_convert.read_model_bin(int8_model / "model.bin"))
    assert half.keys() == int8.keys()
    for key, value in half.items():
        # Within half a quantization step of the largest row (max|w| <= ~2 here, step = max/127).
        assert np.abs(value.astype(np.float32) - int8[key]).max() < 0.01, key


@pytest.mark.model
def test_cache_is_reused_and_rebuilt_when_the_model_changes(
        int8_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.transcribe.openai_whisper import OpenAIWhisperTranscriber

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(urllib.request, "urlopen", _offline_guard)
    first = OpenAIWhisperTranscriber(str(int8_model))
    cached = ct2_convert.checkpoint_path(first.model)
    assert first.weights_source == "converted" and cached.is_file()
    stamp = cached.stat().st_mtime_ns

    second = OpenAIWhisperTranscriber(str(int8_model))
    assert second.weights_source == "cache"
    assert cached.stat().st_mtime_ns == stamp  # not rewritten

    audio, reference = _clip("jfk")
    assert wer(reference, _text(second, audio)) <= 0.05

    source = int8_model / "model.bin"
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    assert OpenAIWhisperTranscriber(str(int8_model)).weights_source == "converted"


@pytest.mark.model
def test_interrupted_conversion_leaves_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    real_save = torch.save

    def save_then_die(obj, f, *args, **kwargs):
        real_save({"dims": obj["dims"]}, f)  # something was written...
        raise KeyboardInterrupt  # ...then the person pressed Ctrl-C

    monkeypatch.setattr(torch, "save", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        ct2_convert.load_checkpoint("tiny.en")
    models = tmp_path / "interview-sim" / "models"
    assert list(models.iterdir()) == []  # neither a checkpoint nor a leftover temporary file

    monkeypatch.setattr(torch, "save", real_save)
    checkpoint, converted = ct2_convert.load_checkpoint("tiny.en")
    assert converted and checkpoint["dims"]["n_text_layer"] == 4


def test_missing_openai_whisper_is_an_environment_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    from simulator.transcribe.openai_whisper import OpenAIWhisperTranscriber

    monkeypatch.setitem(__import__("sys").modules, "whisper", None)  # makes `import whisper` fail
    with pytest.raises(EnvironmentProblem) as problem:
        OpenAIWhisperTranscriber()
    assert problem.value.message == "openai-whisper is not installed"
    assert problem.value.hint == "pip install 'interview-sim[openai]'"


@pytest.mark.model
def test_unpackaged_standard_model_offline_is_an_environment_problem(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import whisper

    from simulator.transcribe.openai_whisper import OpenAIWhisperTranscriber

    def no_network(name, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(whisper, "load_model", no_network)  # never download 461 MB in a test
    with pytest.raises(EnvironmentProblem, match="small"):
        OpenAIWhisperTranscriber("small")
