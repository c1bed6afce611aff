"""Voice: pitch variation in semitones, monotone stretches, loudness variation.

Pitch is estimated per 10 ms frame with YIN (de Cheveigné & Kawahara 2002) in numpy: accurate
to a few cents on voiced speech, which is far finer than the 2-semitone monotone heuristic
(docs/sources.md) needs. Semitones make men's and women's voices comparable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from simulator.delivery.speech import VoiceActivity

PITCH_WINDOW = 0.040  # s: two periods of the lowest pitch searched
F0_MIN, F0_MAX = 75.0, 400.0
YIN_THRESHOLD = 0.2
MONOTONE_ST = 2.0  # a stretch of speech with pitch spread under this many semitones is monotone
STRETCH_S = 8.0  # how long a stretch of speech is judged at a time
MIN_PITCHED_S = 2.0  # a stretch needs this much pitched speech to be judged at all
OCTAVE_ERROR_ST = 12.0  # frames further than this from the median are tracking errors


def frame_pitch(windows: np.ndarray, sample_rate: int) -> np.ndarray:
    """F0 in Hz per row of `windows` (n, W), 0 where the frame has no clear period."""
    n, width = windows.shape
    tau_min = max(2, int(sample_rate / F0_MAX))
    tau_max = min(int(sample_rate / F0_MIN), width // 2)
    if n == 0 or tau_max <= tau_min + 2:
        return np.zeros(n, dtype=np.float32)
    x = windows.astype(np.float64)
    x = x - x.mean(axis=1, keepdims=True)
    length = width - tau_max  # integration window: the same for every lag
    size = 1 << int(np.ceil(np.log2(width + length)))
    spec_x = np.fft.rfft(x, size)
    spec_head = np.fft.rfft(x[:, :length], size)
    r = np.fft.irfft(spec_x * np.conj(spec_head), size)[:, : tau_max + 1]  # sum x[j] x[j+tau], j<length
    squares = np.concatenate((np.zeros((n, 1)), np.cumsum(x * x, axis=1)), axis=1)
    taus = np.arange(tau_max + 1)
    e_head = squares[:, length][:, None]
    e_lag = squares[:, taus + length] - squares[:, taus]
    diff = np.maximum(e_head + e_lag - 2 * r, 0.0)
    running = np.cumsum(diff[:, 1:], axis=1)
    cmnd = np.ones_like(diff)
    with np.errstate(divide="ignore", invalid="ignore"):
        cmnd[:, 1:] = np.where(running > 1e-12, diff[:, 1:] * taus[1:] / running, 1.0)
    search = cmnd[:, tau_min: tau_max + 1]
    below = search < YIN_THRESHOLD
    found = below.any(axis=1)
    # The first dip under the threshold, then its minimum: the classic YIN choice, vectorised.
    run_id = np.cumsum(~below, axis=1)
    first = np.argmax(below, axis=1)
    in_first_dip = below & (run_id == run_id[np.arange(n), first][:, None])
    best = np.argmin(np.where(in_first_dip, search, np.inf), axis=1) + tau_min
    # Parabolic interpolation around the chosen lag for sub-sample precision.
    rows = np.arange(n)
    left = cmnd[rows, np.clip(best - 1, 0, tau_max)]
    mid = cmnd[rows, best]
    right = cmnd[rows, np.clip(best + 1, 0, tau_max)]
    denom = left - 2 * mid + right
    shift = np.where(np.abs(denom) > 1e-12, 0.5 * (left - right) / np.where(denom == 0, 1, denom), 0.0)
    period = best + np.clip(shift, -1, 1)
    f0 = np.where(found & (period > 0), sample_rate / np.maximum(period, 1e-9), 0.0)
    # Silent frames have no pitch even if numerically periodic (dither, hum).
    f0[np.sqrt(squares[:, -1] / width) < 1e-4] = 0.0
    return f0.astype(np.float32)


@dataclass
class Stretch:
    start: float
    end: float
    pitch_st: float  # pitch spread (standard deviation, semitones) in this stretch


@dataclass
class Prosody:
    pitch_median_hz: float | None = None
    pitch_variation_st: float | None = None  # standard deviation of pitch over the answer, semitones
    pitched_s: float = 0.0  # seconds of speech with a measurable pitch
    monotone_stretches: list[Stretch] = field(default_factory=list)
    loudness_variation_db: float | None = None  # standard deviation of speech loudness per 0.5 s, dB


def measure_prosody(activity: VoiceActivity, start: float | None = None, end: float | None = None) -> Prosody:
    """Pitch and loudness over speech frames inside [start, end]."""
    n = len(activity.voiced)
    lo = 0 if start is None else max(0, int(start / activity.frame_s))
    hi = n if end is None else min(n, int(np.ceil(end / activity.frame_s)))
    if hi <= lo:
        return Prosody()
    f0 = activity.f0_hz[lo:hi].astype(np.float64)
    voiced = activity.voiced[lo:hi]
    pitched = (f0 > 0) & voiced
    result = Prosody(pitched_s=round(float(pitched.sum()) * activity.frame_s, 3))
    if pitched.sum() >= MIN_PITCHED_S / activity.frame_s / 4:
        median = float(np.median(f0[pitched]))
        semis = np.zeros_like(f0)
        semis[pitched] = 12 * np.log2(f0[pitched] / median)
        keep = pitched & (np.abs(semis) < OCTAVE_ERROR_ST)
        if keep.sum() > 1:
            result.pitch_median_hz = round(median, 1)
            result.pitch_variation_st = round(float(np.std(semis[keep])), 2)
            result.monotone_stretches = _monotone(semis, keep, lo, activity.frame_s)
    result.loudness_variation_db = _loudness_variation(activity.energy_db[lo:hi], voiced, activity.frame_s)
    return result


def _monotone(semis: np.ndarray, keep: np.ndarray, offset: int, frame_s: float) -> list[Stretch]:
    """Consecutive stretches of about STRETCH_S seconds whose pitch spread is under MONOTONE_ST, merged.

    A tail shorter than half a stretch joins the stretch before it, so a short ending is never
    judged on its own.
    """
    step = int(STRETCH_S / frame_s)
    edges = list(range(0, len(semis), step)) + [len(semis)]
    if len(edges) > 2 and edges[-1] - edges[-2] < step // 2:
        del edges[-2]
    out: list[Stretch] = []
    run_start: int | None = None
    for a, b in zip(edges, edges[1:]):
        k = keep[a:b]
        flat = k.sum() * frame_s >= MIN_PITCHED_S and float(np.std(semis[a:b][k])) < MONOTONE_ST
        if flat and run_start is None:
            run_start = a
        if run_start is not None and (not flat or b == edges[-1]):
            end = b if flat else a
            mk = keep[run_start:end]
            out.append(Stretch(round((offset + run_start) * frame_s, 3), round((offset + end) * frame_s, 3),
                               round(float(np.std(semis[run_start:end][mk])), 2)))
            run_start = None
    return out


def _loudness_variation(energy_db: np.ndarray, voiced: np.ndarray, frame_s: float) -> float | None:
    """Spread of loudness between half-second pieces of speech: emphasis, not syllable flicker."""
    step = max(1, int(0.5 / frame_s))
    levels = []
    for i in range(0, len(energy_db), step):
        v = voiced[i: i + step]
        if v.sum() >= step // 2:
            power = np.mean(10 ** (energy_db[i: i + step][v].astype(np.float64) / 10))
            levels.append(10 * np.log10(max(power, 1e-10)))
    if len(levels) < 2:
        return None
    return round(float(np.std(levels)), 2)
