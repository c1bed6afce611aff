"""List audio devices and resolve a person's choice (an index or part of a name) to one."""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass

from simulator.errors import EnvironmentProblem, UserError


@dataclass(frozen=True, slots=True)
class Device:
    index: int
    name: str
    host_api: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool


def sounddevice():
    """Import sounddevice, turning a missing PortAudio into a sentence that says what to do."""
    _quiet_alsa()
    try:
        import sounddevice as sd
    except OSError:
        raise EnvironmentProblem(
            "PortAudio is not installed, so no audio device can be used",
            hint="Debian/Ubuntu: apt-get install libportaudio2; macOS: brew install portaudio",
        ) from None
    return sd


_ALSA_HANDLER = None


def _quiet_alsa() -> None:
    """alsa-lib prints its own notes ("underrun occurred") on stderr, around our one-line
    messages; PortAudio already reports what matters. INTERVIEW_SIM_DEBUG=1 keeps them."""
    global _ALSA_HANDLER
    if _ALSA_HANDLER is not None or os.environ.get("INTERVIEW_SIM_DEBUG") or not sys.platform.startswith("linux"):
        return
    try:
        asound = ctypes.cdll.LoadLibrary("libasound.so.2")
    except OSError:
        return
    handler_type = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p)
    _ALSA_HANDLER = handler_type(lambda *args: None)  # kept referenced: ALSA calls it for the process's life
    asound.snd_lib_error_set_handler(_ALSA_HANDLER)


def list_devices() -> list[Device]:
    sd = sounddevice()
    try:
        raw = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise EnvironmentProblem(f"cannot query audio devices: {exc}") from None
    devices = []
    for d in raw:
        devices.append(Device(
            index=d["index"], name=d["name"], host_api=apis[d["hostapi"]]["name"],
            max_input_channels=d["max_input_channels"], max_output_channels=d["max_output_channels"],
            default_samplerate=d["default_samplerate"],
            is_default_input=d["index"] == default_in,
            is_default_output=d["index"] == default_out,
        ))
    return devices


def resolve(spec: str | int | None, kind: str) -> int | None:
    """The device index for `spec` ("3", "pulse", "USB Mic"), or None for the system default.

    Raises UserError when nothing or more than one device matches, listing what exists.
    """
    if spec is None or spec == "":
        return None
    devices = [d for d in list_devices() if _channels(d, kind) > 0]
    text = str(spec).strip()
    if text.isdigit():
        index = int(text)
        for d in devices:
            if d.index == index:
                return index
        raise UserError(f"no {kind} device with index {index}; {_choices(devices, kind)}")
    exact = [d for d in devices if d.name.lower() == text.lower()]
    if len(exact) == 1:
        return exact[0].index
    partial = [d for d in devices if text.lower() in d.name.lower()]
    if len(partial) == 1:
        return partial[0].index
    if not partial:
        raise UserError(f"no {kind} device named like {text!r}; {_choices(devices, kind)}")
    names = ", ".join(f"{d.index}: {d.name}" for d in partial)
    raise UserError(f"{text!r} matches several {kind} devices ({names}); give the index instead")


def resolve_or_default(spec: str | int | None, kind: str, warn) -> int | None:
    """Like `resolve`, but a saved device that has disappeared falls back to the default."""
    try:
        return resolve(spec, kind)
    except UserError as exc:
        warn(f"saved {kind} device {spec!r} is not available ({exc.message}); using the system default")
        return None


def has_device(kind: str, index: int | None = None) -> bool:
    try:
        sd = sounddevice()
        info = sd.query_devices(index, kind=kind)
    except (EnvironmentProblem, Exception):
        return False
    return info is not None and _channels_raw(info, kind) > 0


def _channels(d: Device, kind: str) -> int:
    return d.max_input_channels if kind == "input" else d.max_output_channels


def _channels_raw(info: dict, kind: str) -> int:
    return info["max_input_channels"] if kind == "input" else info["max_output_channels"]


def _choices(devices: list[Device], kind: str) -> str:
    if not devices:
        return f"no {kind} devices exist (run `interview-sim doctor`)"
    return "available: " + ", ".join(f"{d.index}: {d.name}" for d in devices)
