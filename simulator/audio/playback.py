"""Play audio through sounddevice on the chosen output device."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from simulator.audio.devices import sounddevice
from simulator.errors import EnvironmentProblem


def play(samples: np.ndarray, sample_rate: int, device: int | None = None,
         on_position: Callable[[float], None] | None = None) -> None:
    """Play and block until done; `on_position(seconds)` is called about 20 times a second."""
    sd = sounddevice()
    try:
        # Playback needs no low latency; a large buffer rides out a busy CPU without underruns.
        sd.play(samples, sample_rate, device=device, latency="high")
        duration = samples.shape[0] / sample_rate
        start = time.monotonic()
        while True:
            position = time.monotonic() - start
            if on_position:
                on_position(min(position, duration))
            stream = sd.get_stream()
            if position >= duration or not stream.active:
                break
            time.sleep(0.05)
        sd.wait()
    except KeyboardInterrupt:
        sd.stop()
        raise
    except (sd.PortAudioError, ValueError) as exc:
        raise EnvironmentProblem(f"cannot play audio: {exc}",
                                 hint="run `interview-sim devices` and pick one with --output-device") from None
