"""Streaming transcription: same words as a whole-file pass, no words invented on silence."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from conftest import DATA
from simulator.audio.io import load_audio
from simulator.pipeline import AnswerAnalyzer, analyze_file
from simulator.transcribe.faster import VERBATIM_WINDOW_S
from simulator.transcribe.hesitations import normalize_word
from simulator.transcribe.streaming import ChunkPolicy, StreamingTranscriber, transcribe_blocks
from simulator.transcribe.wer import wer

pytestmark = pytest.mark.model

CLIPS = ["jfk", "librivox-0870", "librivox-0890"]


def _blocks(audio: np.ndarray, size: int = 800):
    return (audio[i:i + size] for i in range(0, audio.size, size))


@pytest.mark.parametrize("name", CLIPS)
def test_streaming_matches_whole_file_within_one_point(transcriber, name):
    audio = load_audio(DATA / f"{name}.wav")
    reference = (DATA / f"{name}.txt").read_text()
    whole = " ".join(w.text for w in transcriber.transcribe(audio))
    streamed = " ".join(w.text for w in transcribe_blocks(transcriber, _blocks(audio)))
    assert wer(reference, streamed) <= wer(reference, whole) + 0.01, (whole, streamed)


def test_long_answer_is_transcribed_in_chunks_while_it_is_fed(transcriber):
    # The three clips twice (about 50 s) with pauses between them: the chunker must cut at the
    # pauses, and every chunk except the tail must be done before the answer ends.
    speech = [load_audio(DATA / f"{n}.wav") for n in CLIPS]
    gap = np.zeros(16000, np.float32)
    audio = np.concatenate([speech[0], gap, speech[1], gap, speech[2], gap] * 2 + [gap[:4800]])
    stream = StreamingTranscriber(transcriber)
    for block in _blocks(audio):
        stream.feed(block)
    words = stream.finish()
    assert stream.chunks_transcribed >= 3
    text = " ".join(w.text for w in words).lower()
    for expected, times in (("country", 4), ("dashwood", 2), ("selfish", 2)):  # "country" is twice in the clip
        assert text.count(expected) == times, expected
    starts = [w.start for w in words]
    assert starts == sorted(starts) and starts[-1] < audio.size / 16000


def test_no_words_invented_on_trailing_silence(transcriber):
    audio = np.concatenate([load_audio(DATA / "jfk.wav"), np.zeros(8 * 16000, np.float32)])
    analyzer = AnswerAnalyzer(transcriber)
    for block in _blocks(audio):
        analyzer.feed(block)
    result = analyzer.finish().to_dict()
    assert result["words"], "the speech itself must be transcribed"
    assert max(w["end"] for w in result["words"]) <= 11.2  # the clip's speech ends at 11.0 s
    assert result["transcript"].lower().rstrip(".").endswith("your country")


def test_silence_alone_gives_no_words(transcriber):
    analyzer = AnswerAnalyzer(transcriber)
    for block in _blocks(np.zeros(10 * 16000, np.float32)):
        analyzer.feed(block)
    result = analyzer.finish().to_dict()
    assert result["word_count"] == 0 and result["words"] == [] and result["wpm"] is None


def test_file_analysis_uses_the_same_path(transcriber):
    result = analyze_file(DATA / "jfk.wav", transcriber).to_dict()
    assert 20 <= result["word_count"] <= 24
    assert result["engine"] == "faster-whisper" and result["model"] == "tiny.en"


def test_a_draft_spares_the_tail_when_the_answer_ends_in_a_pause(transcriber):
    """Fed as a microphone does, an answer that ends in a pause was drafted while the person
    paused: the words come from the draft, the same words as one pass over the audio."""
    audio = np.concatenate([load_audio(DATA / "jfk.wav"), np.zeros(8000, np.float32)])
    stream = StreamingTranscriber(transcriber)

    for block in _blocks(audio):
        stream.feed(block)
    _settle(stream)
    stream.feed(np.zeros(1600, np.float32))  # the pause goes on while the worker is idle
    _settle(stream)
    words = stream.finish()
    assert stream.drafts_used == 1 and stream.chunks_transcribed == 0
    reference = (DATA / "jfk.txt").read_text()
    whole = " ".join(w.text for w in transcriber.transcribe(audio))
    assert wer(reference, " ".join(w.text for w in words)) <= wer(reference, whole) + 0.01


def test_an_answer_ending_at_a_held_cut_is_built_from_its_drafts(transcriber):
    """Live, an answer that ends at a held cut is built from the draft made at an earlier pause
    and the draft of the rest of the held chunk (made while it was held, with the audio before it
    as context): nothing is left to transcribe, no word is lost or doubled."""
    jfk, reading = load_audio(DATA / "jfk.wav"), load_audio(DATA / "librivox-0870.wav")
    stream = StreamingTranscriber(transcriber)

    for block in _blocks(np.concatenate([jfk, np.zeros(6400, np.float32)])):
        stream.feed(block)  # 11.4 s: under the chunk length, so the pause gets a draft
    _settle(stream)
    stream.feed(np.zeros(1600, np.float32))
    _settle(stream)
    for block in _blocks(np.concatenate([reading, np.zeros(8000, np.float32)])):
        stream.feed(block)  # past 12 s, the closing pause holds a chunk: the draft covers its start
    words = stream.finish()
    assert stream.drafts_used == 2 and stream.chunks_transcribed == 0
    _every_word_once(words)
    assert all(w.start >= len(jfk) / 16000 for w in words if "dashwood" in w.text.lower())


def test_a_chunk_held_while_a_draft_is_made_waits_for_that_draft_not_behind_it(transcriber):
    """A chunk held while the worker drafts the pending audio afresh: no draft of the held
    chunk's rest is queued behind that one (it would follow the older draft, whose words the
    newer one replaces, and the answer would wait for both); the answer's last chunk is the newer
    draft and the audio after it, every word once."""
    jfk, reading = load_audio(DATA / "jfk.wav"), load_audio(DATA / "librivox-0870.wav")

    class HeldBack:
        """The session's transcriber, made to wait while the test feeds: a draft in the making."""

        def __init__(self):
            self.go = threading.Event()
            self.go.set()

        def transcribe(self, audio, offset=0.0, **kwargs):
            assert self.go.wait(60)
            return transcriber.transcribe(audio, offset, **kwargs)

    held_back = HeldBack()
    stream = StreamingTranscriber(held_back)
    blocks = list(_blocks(np.concatenate([jfk, np.zeros(6400, np.float32)])))
    for first, block in enumerate(blocks):
        stream.feed(block)
        if stream._busy:  # a draft at JFK's first pause
            break
    _settle(stream)
    held_back.go.clear()
    for block in blocks[first + 1:]:
        stream.feed(block)  # a second draft, at the next pause, from the start again: held back
    stream.feed(np.zeros(1600, np.float32))
    for block in _blocks(np.concatenate([reading, np.zeros(8000, np.float32)])):
        stream.feed(block)  # past 12 s, the closing pause holds a chunk, which the first draft covers
    assert stream._held is not None and stream._busy
    assert stream._chunks.empty()  # nothing queued behind the draft being made
    held_back.go.set()
    words = stream.finish()
    assert stream.drafts_used == 1 and stream.chunks_transcribed == 1
    _every_word_once(words)


def test_a_chunk_the_person_speaks_past_is_decoded_whole_as_a_files_is(transcriber):
    """A chunk cut at a pause that a draft covers is held: when the person goes on speaking it is
    decoded whole, not from the draft, so its words are the file path's whatever the machine's
    speed (whether a draft was made depends on how busy the worker was)."""
    jfk, first, second = (load_audio(DATA / f"{name}.wav") for name in ("jfk", "librivox-0870", "librivox-0890"))
    pieces = [np.concatenate([jfk, np.zeros(6400, np.float32)]), np.zeros(1600, np.float32),
              np.concatenate([first, np.zeros(8000, np.float32)]), np.zeros(1600, np.float32),
              np.concatenate([second, np.zeros(8000, np.float32)])]
    stream = StreamingTranscriber(transcriber)
    for i, piece in enumerate(pieces):
        for block in _blocks(piece):
            stream.feed(block)  # 1: a draft of JFK at its pause; 3: past 12 s, the pause holds a chunk
        _settle(stream)
        if i == 3:
            assert stream._held is not None  # a draft covers its start
    words = stream.finish()  # the second reading went on past the held pause: that chunk was decoded whole
    from_file = transcribe_blocks(transcriber, _blocks(np.concatenate(pieces)))
    cut = sum(p.size for p in pieces[:4]) / 16000
    assert [(w.text, w.start) for w in words if w.start < cut] == [(w.text, w.start) for w in from_file if w.start < cut]
    _every_word_once(words)


def _every_word_once(words) -> None:
    """JFK and the first reading, live: each of their words once (JFK says "country" twice), in order."""
    text = " ".join(w.text for w in words).lower()
    assert text.count("country") == 2 and text.count("dashwood") == 1, text
    starts = [w.start for w in words]
    assert starts == sorted(starts)


def _settle(stream: StreamingTranscriber) -> None:
    """Wait until the worker is idle: a microphone feeds in real time, so it is during a pause."""
    import time

    deadline = time.monotonic() + 60
    while not stream._idle() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_short_piece_after_a_draft_is_heard_in_context_and_nothing_is_doubled(transcriber):
    """A second of speech after a drafted pause is transcribed with the 8 s before it (alone it
    leaves Whisper without context); the context's words are the piece before's, kept once."""
    reading, jfk = load_audio(DATA / "librivox-0870.wav"), load_audio(DATA / "jfk.wav")
    stream = StreamingTranscriber(transcriber)
    for block in _blocks(np.concatenate([reading, np.zeros(8000, np.float32)])):
        stream.feed(block)
    _settle(stream)
    stream.feed(np.zeros(1600, np.float32))
    _settle(stream)
    tail = np.concatenate([jfk[int(0.3 * 16000):16000], np.zeros(4800, np.float32)])  # "and so"
    for block in _blocks(tail):
        stream.feed(block)
    words = stream.finish()
    assert stream.drafts_used == 1 and stream.chunks_transcribed == 1
    text = [normalize_word(w.text) for w in words]
    reference = [normalize_word(w) for w in (DATA / "librivox-0870.txt").read_text().split()]
    assert text[:len(reference)].count("them") == reference.count("them") == text.count("them"), text
    assert text[-2:] == ["and", "so"], text
    starts = [w.start for w in words]
    assert starts == sorted(starts)


def test_the_two_passes_share_one_encoding_per_window(transcriber):
    """The encoder is most of a short chunk's cost: both passes read one encoding of each window."""
    encoder = transcriber._model.shared_encoder
    encoded, reused = encoder.windows_encoded, encoder.windows_reused
    audio = load_audio(DATA / "jfk.wav")  # 11 s: one window, as every draft and last piece is
    assert audio.size / 16_000 < VERBATIM_WINDOW_S
    words = list(transcriber.transcribe(audio))
    assert encoder.windows_encoded - encoded >= 1 and encoder.windows_reused - reused >= 1
    text = " ".join(w.text for w in words).lower()
    assert "americans" in text and text.rstrip(".").endswith("your country")


def test_a_draft_or_an_answers_last_piece_is_one_window():
    """Drafts cover less than a chunk's shortest length, and a piece after a draft is at most
    context_s with its context: if the verbatim pass cut those into windows of their own, the
    encoder would run three times where both passes share one run, and the feedback after an
    answer that ends during a draft would wait for all three."""
    policy = ChunkPolicy()
    assert policy.min_s <= VERBATIM_WINDOW_S and policy.context_s <= VERBATIM_WINDOW_S
