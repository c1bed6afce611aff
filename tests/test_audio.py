"""Audio stages on real components: reading files, recording the virtual microphone, speaking."""

from __future__ import annotations

import subprocess
import threading
import time

import numpy as np
import pytest
import soundfile

from conftest import DATA, similarity
from simulator.audio.io import iter_blocks, load_audio
from simulator.audio.recorder import StopRules, record_answer
from simulator.interview.tts import Speaker, Voice


def test_load_audio_gives_mono_16k_float32():
    audio = load_audio(DATA / "jfk.wav")
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert audio.size == pytest.approx(11.0 * 16000, abs=160)
    assert 0.01 < float(np.sqrt(np.mean(audio ** 2))) < 0.5


def test_stereo_48k_flac_is_resampled_and_mixed_down(tmp_path):
    mono = load_audio(DATA / "librivox-0870.wav")
    t = np.arange(int(mono.size * 3)) / 48000
    stereo = np.stack([np.interp(t, np.arange(mono.size) / 16000, mono)] * 2, axis=1).astype(np.float32)
    path = tmp_path / "stereo.flac"
    soundfile.write(str(path), stereo, 48000)
    back = load_audio(path)
    assert back.size == pytest.approx(mono.size, abs=400)
    n = min(back.size, mono.size)
    assert np.corrcoef(back[:n], mono[:n])[0, 1] > 0.95


def test_iter_blocks_is_bounded_and_complete():
    blocks = list(iter_blocks(DATA / "jfk.wav", block_s=1.0))
    assert all(b.size == 16000 for b in blocks[:-1])
    assert sum(b.size for b in blocks) == load_audio(DATA / "jfk.wav").size


@pytest.mark.audio
def test_recorder_writes_while_recording_and_stops_on_silence(virtual_audio, tmp_path):
    path = tmp_path / "answer.wav"
    sizes: list[float] = []
    listening = threading.Event()

    def play_and_watch():
        # Play once the stream delivers: opening it can take longer than any fixed wait on a
        # loaded machine, and the clip's first words would fall before the recording began.
        assert listening.wait(20)
        time.sleep(0.3)
        player = subprocess.Popen(["paplay", "--device=mic_feed", str(DATA / "jfk.wav")])
        while player.poll() is None:
            time.sleep(1.0)
            if path.exists():  # the file on disk is a whole WAV while the answer goes on
                sizes.append(soundfile.info(str(path)).duration)

    watcher = threading.Thread(target=play_and_watch)
    watcher.start()
    recorded = record_answer(path, None, StopRules(max_s=30, silence_stop_s=1.5),
                             on_tick=lambda elapsed_s, *_: elapsed_s > 0 and listening.set())
    watcher.join()
    assert recorded.stopped_by == "silence" and recorded.spoke
    # The clip starts 0.3 s in and its last speech ends at 10.5 s; silence-stop adds 1.5 s: 12.3 s.
    # Stopping at 11.5 s or later still means after the last word, not at one of the clip's pauses.
    assert 11.5 <= recorded.duration_s <= 12.3 + 2.5
    assert len(sizes) >= 5 and sizes == sorted(sizes) and sizes[-1] > 5.0
    audio, rate = soundfile.read(str(path), dtype="float32")
    assert rate == 16000 and audio.size / rate == pytest.approx(recorded.duration_s, abs=0.05)
    assert similarity(audio, load_audio(DATA / "jfk.wav")) > 0.9


@pytest.mark.audio
def test_recorder_stops_on_enter_and_at_the_limit(virtual_audio, tmp_path):
    rules = StopRules(max_s=30, silence_stop_s=None)
    threading.Timer(1.0, rules.enter.set).start()
    by_enter = record_answer(tmp_path / "a.wav", None, rules)
    assert by_enter.stopped_by == "enter" and 0.8 <= by_enter.duration_s <= 1.6
    by_limit = record_answer(tmp_path / "b.wav", None, StopRules(max_s=1.0, silence_stop_s=None))
    assert by_limit.stopped_by == "limit" and by_limit.duration_s == pytest.approx(1.0, abs=0.1)


def test_voice_sets_the_rate_every_time():
    slow, fast = Voice(rate=120), Voice(rate=240)
    try:
        text = "Tell me about a time you handled a difficult deadline."
        a, b, c = slow.render(text).result(), fast.render(text).result(), slow.render(text).result()
    finally:
        slow.close()
        fast.close()
    assert a.duration_s > 1.5 * b.duration_s
    assert a.duration_s == pytest.approx(c.duration_s, abs=0.01)  # same rate, same speech
    assert float(np.sqrt(np.mean(a.samples ** 2))) > 0.01


def test_every_line_a_fresh_voice_renders_is_whole():
    """pyttsx3's espeak driver sometimes ended a helper's second line the moment it started: an
    empty WAV, and the demo's first question went unspoken (3 in 24 fresh helpers). Twelve fresh
    helpers, three lines each: every line has its full length."""
    lines = ["Hello, and thank you for coming in today. I am Alex. Let's begin.",
             "Tell me a little about yourself and what you do.", "Why do you want to work here?"]
    lengths = []
    for _ in range(12):
        voice = Voice()
        try:
            lengths.append([f.result().duration_s for f in [voice.render(t) for t in lines]])
        finally:
            voice.close()
    # The driver may drop a line's last block of samples (about 10 ms): the same length within 50 ms.
    assert all(abs(a - b) <= 0.05 for row in lengths for a, b in zip(row, lengths[0])), lengths
    assert all(length > 1.5 for length in lengths[0]), lengths


@pytest.mark.audio
def test_speaker_plays_the_question_on_the_output_device(virtual_audio, tmp_path):
    capture_path = tmp_path / "speaker.wav"
    capture = subprocess.Popen(["parecord", "--device=speaker.monitor", "--file-format=wav",
                                "--channels=1", "--rate=16000", str(capture_path)])
    voice = Voice()
    try:
        time.sleep(0.3)
        assert Speaker(voice, None, enabled=True).say("Why do you want this job?")
        time.sleep(0.3)
    finally:
        capture.terminate()
        capture.wait(10)
        voice.close()
    heard, _ = soundfile.read(str(capture_path), dtype="float32")
    voiced = np.abs(heard) > 0.01
    assert voiced.sum() / 16000 > 0.5  # at least half a second of speech came out
