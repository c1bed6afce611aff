"""`practice --live` figures agree with the full analysis on the same words."""

from __future__ import annotations

import numpy as np

from simulator.delivery.analyze import analyze
from simulator.delivery.live import live_figures
from simulator.delivery.speech import voice_activity
from simulator.transcribe.base import TimedWord


def _words(text: str, step: float = 0.4) -> list[TimedWord]:
    return [TimedWord(w, i * step, i * step + 0.3, 0.9) for i, w in enumerate(text.split())]


def test_live_counts_match_the_full_analysis():
    words = _words("So, um, basically, I like my team and, uh, we shipped 50,000 orders, you know, last year.")
    # A voiced burst under every word, silence between: the waveform has speech where words are.
    t = np.arange(int(16000 * (words[-1].end + 0.5))) / 16000
    under_a_word = np.zeros(t.size, bool)
    for w in words:
        under_a_word[int(w.start * 16000):int(w.end * 16000)] = True
    audio = np.where(under_a_word, 0.2 * np.sin(2 * np.pi * 180 * t), 0.0).astype(np.float32)
    full = analyze(voice_activity(audio, voice_model=False), words)  # a tone is no voice to the voice model
    live = live_figures(words)
    assert live.words == full.word_count
    assert live.hesitations == full.fillers.hesitation == 2
    assert live.discourse_fillers == full.fillers.discourse
    assert "like" not in full.fillers.by_phrase  # "I like my team" is a verb, not a filler


def test_live_pace_waits_for_enough_speech():
    assert live_figures(_words("Hello there", step=0.5)).wpm is None
    assert live_figures([]).words == 0
    long = live_figures(_words(" ".join(["word"] * 30), step=0.5))  # 30 words over 14.8 s
    assert long.wpm == round(30 * 60 / 14.8)
