"""Cutting audio at its pauses (audio/level.py): the windows the verbatim pass decodes."""

import numpy as np

from simulator.audio.level import split_at_pauses

RATE = 16_000


def speech_and_pauses(*parts):
    """Audio from (kind, seconds) parts: "s" a tone in syllables (four a second, as speech dips
    between them: a steady tone would raise the gate's noise floor), "p" near-silence."""
    rng = np.random.default_rng(0)
    pieces = []
    for kind, seconds in parts:
        n = int(seconds * RATE)
        t = np.arange(n) / RATE
        syllables = np.sin(2 * np.pi * 4 * t) ** 2
        pieces.append(0.3 * syllables * np.sin(2 * np.pi * 150 * t) if kind == "s" else rng.normal(0, 1e-4, n))
    return np.concatenate(pieces).astype(np.float32)


def test_a_long_stretch_is_cut_in_its_longest_pause():
    audio = speech_and_pauses(("s", 4), ("p", 0.3), ("s", 3), ("p", 0.9), ("s", 5))
    pieces = split_at_pauses(audio, 10.0)
    assert len(pieces) == 2 and pieces[0][0] == 0 and pieces[-1][1] == audio.size
    cut = pieces[0][1] / RATE
    assert 7.3 < cut < 8.2  # inside the 0.9 s pause, not the 0.3 s one


def test_pieces_cover_the_audio_without_gaps_and_stay_under_the_limit_where_pauses_allow():
    audio = speech_and_pauses(*[("s", 3), ("p", 0.5)] * 8)
    pieces = split_at_pauses(audio, 8.0)
    assert pieces[0][0] == 0 and pieces[-1][1] == audio.size
    assert all(a[1] == b[0] for a, b in zip(pieces, pieces[1:]))
    assert all((end - start) / RATE <= 8.0 for start, end in pieces)


def test_short_audio_and_audio_without_a_pause_stay_whole():
    short = speech_and_pauses(("s", 3), ("p", 0.5), ("s", 3))
    assert split_at_pauses(short, 10.0) == [(0, short.size)]
    unbroken = speech_and_pauses(("s", 14))
    assert split_at_pauses(unbroken, 10.0) == [(0, unbroken.size)]
    # A pause that would leave a piece under two seconds is not a cut.
    late = speech_and_pauses(("s", 11), ("p", 0.5), ("s", 1))
    assert split_at_pauses(late, 10.0) == [(0, late.size)]


def test_a_dc_offset_clipping_or_a_quiet_level_leaves_speech_where_it_was():
    """jfk.wav with a microphone's DC offset (0.05-0.4 of full scale: an offset of 0.1 alone is
    -20 dBFS, louder than the pauses), clipped 10-30 dB too loud, or 30 dB quieter: the level
    gate and the voice-activity pass (energy, and Silero for clipped audio) find the same speech."""
    import soundfile

    from conftest import DATA
    from simulator.audio.level import LevelGate
    from simulator.delivery.speech import voice_activity

    speech, rate = soundfile.read(str(DATA / "jfk.wav"), dtype="float32")
    step = rate // 20

    def gated(audio):
        gate = LevelGate()
        return np.array([gate.is_speech(audio[i:i + step]) for i in range(0, audio.size - step + 1, step)])

    reference_gate, reference = gated(speech), voice_activity(speech, rate).voiced
    altered = {**{f"offset {o}": np.clip(speech + o, -1, 1) for o in (0.05, 0.1, 0.2, 0.4)},
               **{f"gain {g} dB": np.clip(speech * 10 ** (g / 20), -1, 1) for g in (10, 20, 30)},
               "offset 0.2, gain 20 dB": np.clip(speech * 10 + 0.2, -1, 1), "gain -30 dB": speech * 10 ** -1.5}
    for name, audio in altered.items():
        voiced = voice_activity(audio.astype(np.float32), rate).voiced
        agree = np.mean(voiced == reference)
        assert agree > 0.85, (name, agree, voiced.mean(), reference.mean())
        if "gain" not in name:  # the gate only cuts chunks: a clipped recording may cut elsewhere
            assert np.mean(gated(audio) == reference_gate) > 0.95, name
