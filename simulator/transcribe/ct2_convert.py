"""Turn a CTranslate2 Whisper model folder into an openai-whisper checkpoint, offline.

The only Whisper weights that can be installed without downloading at run time ship in
CTranslate2 format (see weights.py). openai-whisper loads `{"dims", "model_state_dict"}` files,
so the model is converted once and cached in the user's cache folder.

`model.bin` is parsed with numpy only (format: ctranslate2's `specs/model_spec.py`, `_serialize`):
    u32 binary version, str spec name, u32 spec revision, u32 variable count, then per variable
    str name, u8 rank, u32 dims..., u8 dtype id, u32 byte count, raw bytes; then u32 alias count
    and (str alias, str target) pairs. A str is u16 length (NUL included), UTF-8 bytes, NUL.
All integers are little-endian (the format is written with native byte order on x86/ARM).
Torch is needed only to write (and later read) the checkpoint, and is imported lazily.
"""

from __future__ import annotations

import json
import os
import re
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simulator.errors import EnvironmentProblem
from simulator.transcribe.weights import cache_dir, resolve

# Index = CTranslate2's DataType enum (include/ctranslate2/types.h). bfloat16 has no numpy
# dtype, so it is read as its raw 16 bits and widened by hand.
_CT2_DTYPES: tuple[str, ...] = ("float32", "int8", "int16", "int32", "float16", "bfloat16")
_SUPPORTED_BINARY_VERSIONS = range(1, 7)  # 6 is current in ctranslate2 4.x
_FORMAT_VERSION = 1  # bump when the mapping below changes, so old caches are rebuilt


@dataclass(frozen=True, slots=True)
class Ct2Model:
    spec: str  # e.g. "WhisperSpec"
    revision: int
    variables: dict[str, np.ndarray]  # quantized values already dequantized; aliases resolved
    dtypes: dict[str, str]  # each variable's dtype as stored in model.bin


# ---------------------------------------------------------------------------------------------
# Reading model.bin


class _Reader:
    def __init__(self, buf: np.ndarray):
        self.buf = buf
        self.pos = 0

    def unpack(self, fmt: str) -> int:
        (value,) = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return value

    def string(self) -> str:
        n = self.unpack("H")
        text = bytes(self.buf[self.pos:self.pos + n - 1]).decode("utf-8")
        self.pos += n
        return text

    def take(self, nbytes: int) -> np.ndarray:
        if self.pos + nbytes > len(self.buf):
            raise ValueError("truncated file")
        out = self.buf[self.pos:self.pos + nbytes]
        self.pos += nbytes
        return out


def _decode(raw: np.ndarray, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    if dtype == "bfloat16":
        # bfloat16 is the top half of a float32: shift the 16 bits into place.
        bits = raw.view("<u2").astype(np.uint32) << 16
        return bits.view(np.float32).reshape(shape)
    return raw.view(np.dtype(dtype).newbyteorder("<")).reshape(shape)


def read_model_bin(path: Path) -> Ct2Model:
    """Parse a CTranslate2 model.bin; int8/int16 weights come back dequantized as float32."""
    try:
        # A memory map keeps large models (GBs) out of RAM until each tensor is copied.
        r = _Reader(np.memmap(path, dtype=np.uint8, mode="r"))
        version = r.unpack("I")
        if version not in _SUPPORTED_BINARY_VERSIONS:
            raise ValueError(f"unsupported binary version {version}")
        spec = r.string() if version >= 2 else ""
        revision = r.unpack("I") if version >= 2 else 1
        raw: dict[str, np.ndarray] = {}
        dtypes: dict[str, str] = {}
        for _ in range(r.unpack("I")):
            name = r.string()
            shape = tuple(r.unpack("I") for _ in range(r.unpack("B")))
            dtype = _CT2_DTYPES[r.unpack("B")]
            raw[name] = _decode(r.take(r.unpack("I")), dtype, shape)
            dtypes[name] = dtype
        aliases = {}
        if version >= 3:
            aliases = dict((r.string(), r.string()) for _ in range(r.unpack("I")))
    except (ValueError, IndexError, struct.error) as exc:
        raise EnvironmentProblem(f"{path}: not a readable CTranslate2 model ({exc})",
                                 hint="reinstall the model package") from None
    variables = _dequantize(raw, dtypes)
    for alias, target in aliases.items():
        variables[alias] = variables[target]
        dtypes[alias] = dtypes[target]
    return Ct2Model(spec, revision, variables, dtypes)


def _dequantize(raw: dict[str, np.ndarray], dtypes: dict[str, str]) -> dict[str, np.ndarray]:
    """Undo CTranslate2's int8/int16 quantization: stored = rint(value * scale), per output row
    for int8 (scale shape [rows]) and one scalar for int16."""
    out: dict[str, np.ndarray] = {}
    for name, value in raw.items():
        if name.endswith("_scale"):
            continue
        scale = raw.get(name + "_scale")
        if scale is not None and dtypes[name] in ("int8", "int16"):
            scale = scale.astype(np.float32)
            if scale.ndim == 1:  # per output channel; conv weights have a third axis
                scale = scale.reshape((-1,) + (1,) * (value.ndim - 1))
            out[name] = value.astype(np.float32) / scale
        else:
            out[name] = value
    return out


# ---------------------------------------------------------------------------------------------
# CTranslate2 Whisper -> openai-whisper state dict


def _count_layers(variables: dict[str, np.ndarray], stack: str) -> int:
    found = {int(m.group(1)) for k in variables if (m := re.match(rf"{stack}/layer_(\d+)/", k))}
    return len(found)


def _dims(v: dict[str, np.ndarray]) -> dict[str, int]:
    return {
        "n_mels": int(v["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(v["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(v["encoder/position_encodings/encodings"].shape[1]),
        "n_audio_head": int(v["encoder/num_heads"]),
        "n_audio_layer": _count_layers(v, "encoder"),
        "n_vocab": int(v["decoder/embeddings/weight"].shape[0]),
        "n_text_ctx": int(v["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(v["decoder/position_encodings/encodings"].shape[1]),
        "n_text_head": int(v["decoder/num_heads"]),
        "n_text_layer": _count_layers(v, "decoder"),
    }


def _linear(v: dict[str, np.ndarray], src: str, dst: str, out: dict[str, np.ndarray]) -> None:
    out[f"{dst}.weight"] = v[f"{src}/weight"]
    out[f"{dst}.bias"] = v[f"{src}/bias"]


def _layer_norm(v: dict[str, np.ndarray], src: str, dst: str, out: dict[str, np.ndarray]) -> None:
    out[f"{dst}.weight"] = v[f"{src}/gamma"]
    out[f"{dst}.bias"] = v[f"{src}/beta"]


def _split_kv(v: dict[str, np.ndarray], src: str, dst: str, parts: tuple[str, ...],
              out: dict[str, np.ndarray]) -> None:
    """Split a fused projection (q;k;v or k;v stacked on the output axis) into openai's Linears.
    openai's `key` has no bias: CTranslate2 stores it as zeros, and any key bias would cancel in
    the softmax anyway (it adds q·b, the same for every key), so dropping it is exact."""
    weights = np.split(v[f"{src}/weight"], len(parts), axis=0)
    biases = np.split(v[f"{src}/bias"], len(parts), axis=0) if f"{src}/bias" in v else [None] * len(parts)
    for part, w, b in zip(parts, weights, biases):
        out[f"{dst}.{part}.weight"] = w
        if part != "key":
            out[f"{dst}.{part}.bias"] = b if b is not None else np.zeros(w.shape[0], w.dtype)


def _block(v: dict[str, np.ndarray], src: str, dst: str, cross: bool, out: dict[str, np.ndarray]) -> None:
    _layer_norm(v, f"{src}/self_attention/layer_norm", f"{dst}.attn_ln", out)
    _split_kv(v, f"{src}/self_attention/linear_0", f"{dst}.attn", ("query", "key", "value"), out)
    _linear(v, f"{src}/self_attention/linear_1", f"{dst}.attn.out", out)
    if cross:
        _layer_norm(v, f"{src}/attention/layer_norm", f"{dst}.cross_attn_ln", out)
        _linear(v, f"{src}/attention/linear_0", f"{dst}.cross_attn.query", out)
        _split_kv(v, f"{src}/attention/linear_1", f"{dst}.cross_attn", ("key", "value"), out)
        _linear(v, f"{src}/attention/linear_2", f"{dst}.cross_attn.out", out)
    _layer_norm(v, f"{src}/ffn/layer_norm", f"{dst}.mlp_ln", out)
    _linear(v, f"{src}/ffn/linear_0", f"{dst}.mlp.0", out)
    _linear(v, f"{src}/ffn/linear_1", f"{dst}.mlp.2", out)


def _check_tied_projection(v: dict[str, np.ndarray]) -> None:
    """openai-whisper computes logits with the token embedding itself; a model whose output layer
    differs cannot be represented, so refuse it rather than convert it wrongly."""
    proj, emb = v.get("decoder/projection/weight"), v["decoder/embeddings/weight"]
    if proj is not None and proj is not emb and not np.array_equal(proj, emb):
        raise EnvironmentProblem("this CTranslate2 Whisper model has an untied output projection; "
                                 "openai-whisper cannot load it")
    bias = v.get("decoder/projection/bias")
    if bias is not None and np.any(bias):
        raise EnvironmentProblem("this CTranslate2 Whisper model has an output bias; "
                                 "openai-whisper cannot load it")


def to_state_dict(model: Ct2Model) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """(dims, state dict as numpy arrays) in openai-whisper's naming."""
    if model.spec != "WhisperSpec":
        raise EnvironmentProblem(f"not a Whisper model (CTranslate2 spec {model.spec!r})")
    v = model.variables
    _check_tied_projection(v)
    dims = _dims(v)
    out: dict[str, np.ndarray] = {}
    _linear(v, "encoder/conv1", "encoder.conv1", out)
    _linear(v, "encoder/conv2", "encoder.conv2", out)
    out["encoder.positional_embedding"] = v["encoder/position_encodings/encodings"]
    for i in range(dims["n_audio_layer"]):
        _block(v, f"encoder/layer_{i}", f"encoder.blocks.{i}", cross=False, out=out)
    _layer_norm(v, "encoder/layer_norm", "encoder.ln_post", out)
    out["decoder.token_embedding.weight"] = v["decoder/embeddings/weight"]
    out["decoder.positional_embedding"] = v["decoder/position_encodings/encodings"]
    for i in range(dims["n_text_layer"]):
        _block(v, f"decoder/layer_{i}", f"decoder.blocks.{i}", cross=True, out=out)
    _layer_norm(v, "decoder/layer_norm", "decoder.ln", out)
    return dims, out


def alignment_heads(ct2_dir: Path, dims: dict[str, int]) -> list[list[int]]:
    """[layer, head] pairs from config.json; openai-whisper's default (the upper half of the
    decoder's layers, all heads) when the config has none."""
    config_file = ct2_dir / "config.json"
    config = json.loads(config_file.read_text()) if config_file.is_file() else {}
    heads = config.get("alignment_heads")
    if heads:
        return [[int(layer), int(head)] for layer, head in heads]
    n_layer, n_head = dims["n_text_layer"], dims["n_text_head"]
    return [[layer, head] for layer in range(n_layer // 2, n_layer) for head in range(n_head)]


def alignment_heads_dump(heads: list[list[int]], n_layer: int, n_head: int) -> bytes:
    """Encode heads the way `Whisper.set_alignment_heads` expects (base85 of a gzipped bool mask),
    so the model is set up through openai-whisper's public method."""
    import base64
    import gzip

    mask = np.zeros((n_layer, n_head), dtype=bool)
    for layer, head in heads:
        mask[layer, head] = True
    return base64.b85encode(gzip.compress(mask.tobytes()))


# ---------------------------------------------------------------------------------------------
# Checkpoint on disk, cached


def source_key(ct2_dir: Path) -> dict[str, Any]:
    """What the cache depends on: a changed or different model.bin means a stale checkpoint."""
    stat = (ct2_dir / "model.bin").stat()
    return {"path": str((ct2_dir / "model.bin").resolve()), "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns, "format": _FORMAT_VERSION}


def checkpoint_path(name: str) -> Path:
    return cache_dir() / "models" / f"{name}-openai.pt"


def build_checkpoint(ct2_dir: Path) -> dict[str, Any]:
    """The checkpoint dict: openai's two keys, plus alignment heads and the source key (extra keys
    are ignored by `whisper.load_model(path)`, which still loads the file)."""
    import torch

    model = read_model_bin(ct2_dir / "model.bin")
    dims, arrays = to_state_dict(model)
    state = {}
    for key, value in arrays.items():
        # Keep float16 sources in float16 (lossless, half the size); everything else, including
        # dequantized int8, as float32. `copy` detaches from the memory map and makes it writable.
        dtype = np.float16 if value.dtype == np.float16 else np.float32
        state[key] = torch.from_numpy(np.array(value, dtype=dtype, copy=True))
    return {"dims": dims, "model_state_dict": state,
            "alignment_heads": alignment_heads(ct2_dir, dims), "source": source_key(ct2_dir)}


def save_atomically(checkpoint: dict[str, Any], target: Path) -> None:
    """Write to a temporary file in the same folder, then rename: a reader sees either the old
    file or the complete new one, never a half-written checkpoint."""
    import torch

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(checkpoint, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_if_fresh(path: Path, key: dict[str, Any]) -> dict[str, Any] | None:
    import torch

    if not path.is_file():
        return None
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # unreadable (e.g. written by another torch, or damaged): rebuild it
        return None
    return checkpoint if checkpoint.get("source") == key else None


def load_checkpoint(model: str) -> tuple[dict[str, Any], bool]:
    """(checkpoint, converted_now) for a model name or CTranslate2 folder, converting at most once
    per source model.bin."""
    weights = resolve(model)
    target = checkpoint_path(weights.name)
    key = source_key(weights.ct2_dir)
    cached = _load_if_fresh(target, key)
    if cached is not None:
        return cached, False
    checkpoint = build_checkpoint(weights.ct2_dir)
    save_atomically(checkpoint, target)
    return checkpoint, True
