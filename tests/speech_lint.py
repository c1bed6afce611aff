"""A lint for question texts (tests only): what a text-to-speech voice would stumble on."""

from __future__ import annotations

import re

_SPEECH_SYMBOLS = "()[]{}<>/\\&%#*_|~`@+=;^$"
_ABBREVIATIONS = re.compile(r"\b(?:e\.g|i\.e|etc|vs|approx|incl)\.?(?=\s|$|[,.;:])", re.IGNORECASE)
_ALL_CAPS = re.compile(r"\b[A-Z]{2,}\b")
_DIGIT = re.compile(r"\d")


def speech_problems(text: str, *, max_sentence_words: int = 30) -> list[str]:
    """What a text-to-speech voice would stumble on in `text`: symbols, written-only
    abbreviations, acronyms, digits and over-long sentences. Empty when it reads well."""
    found: list[str] = []
    for ch in _SPEECH_SYMBOLS:
        if ch in text:
            found.append(f'symbol "{ch}"')
    for m in _ABBREVIATIONS.finditer(text):
        found.append(f'abbreviation "{m.group(0)}"')
    for m in _ALL_CAPS.finditer(text):
        found.append(f'acronym "{m.group(0)}"')
    if _DIGIT.search(text):
        found.append("digits; write numbers as words")
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        words = sentence.split()
        if len(words) > max_sentence_words:
            found.append(f"a sentence of {len(words)} words; keep them under {max_sentence_words + 1}")
    return found
