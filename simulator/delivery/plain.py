"""Delivery results as plain data (JSON) and back: the one serializer the delivery types use."""

from __future__ import annotations

import dataclasses
import functools
import math
import types
import typing
from typing import Any

import numpy as np


def to_plain(value: Any) -> Any:
    """Dataclasses, numpy scalars and containers as JSON-ready values: floats rounded to 3 places,
    NaN and infinity as None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return round(value, 3) if math.isfinite(value) else None
    return value


@functools.cache
def _type_hints(tp: type) -> dict[str, Any]:
    """A dataclass's field types, resolved once per class (resolving them evaluates every
    annotation's string: most of the time of reading a long answer back, done per object)."""
    return typing.get_type_hints(tp)


def from_plain(tp: Any, value: Any) -> Any:
    """`value` (as `to_plain` wrote it, or as an older version stored it) rebuilt as type `tp`:
    keys a dataclass does not know are ignored, missing ones take their defaults."""
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(tp) if a is not type(None)]
        return from_plain(inner[0], value) if len(inner) == 1 else value
    if origin is list:
        (item,) = typing.get_args(tp)
        return [from_plain(item, v) for v in value]
    if origin is dict:
        return dict(value)
    if dataclasses.is_dataclass(tp):
        hints = _type_hints(tp)
        kwargs = {f.name: from_plain(hints[f.name], value[f.name]) for f in dataclasses.fields(tp)
                  if f.init and f.name in value}
        return tp(**kwargs)
    if tp is float and isinstance(value, int):
        return float(value)
    return value
