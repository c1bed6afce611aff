"""Word error rate, numpy only (jiwer is not a dependency).

Both texts are normalised the same way before comparison, so that Whisper's casing,
punctuation and spelling of titles ("Mr." for "mister") are not counted as errors. Fillers
("um", "uh") are kept: this project cares about them, and a reference without them should count
them as insertions.
"""

from __future__ import annotations

import re

import numpy as np

# Whisper writes the abbreviation; transcripts (e.g. LibriVox) often spell the word out.
_TITLES = {"mr": "mister", "mrs": "missus", "ms": "miss", "dr": "doctor", "st": "saint"}
_NOT_WORD = re.compile(r"[^a-z0-9']+")


def normalize(text: str) -> list[str]:
    """Lowercase words; punctuation and hyphens become spaces, inner apostrophes stay ("don't")."""
    words = []
    for token in _NOT_WORD.sub(" ", text.lower().replace("\u2019", "'")).split():
        token = token.strip("'")
        if token:
            words.append(_TITLES.get(token, token))
    return words


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance over words; one numpy row per reference word."""
    ids: dict[str, int] = {}
    hyp = np.array([ids.setdefault(w, len(ids)) for w in hypothesis], dtype=np.int64)
    cols = np.arange(len(hyp) + 1)
    row = cols.copy()  # distance from the empty reference prefix: all insertions
    for word in reference:
        ref_id = ids.get(word, -1)
        substitution = row[:-1] + (hyp != ref_id)
        deletion = row[1:] + 1
        candidate = np.concatenate(([row[0] + 1], np.minimum(substitution, deletion)))
        # Insertions chain left to right: new[j] = min_k<=j (candidate[k] + j - k), a running min.
        row = np.minimum.accumulate(candidate - cols) + cols
    return int(row[-1])


def wer(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words. An empty reference gives 0.0
    for an empty hypothesis and 1.0 otherwise (there is nothing to divide by)."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return edit_distance(ref, hyp) / len(ref)
