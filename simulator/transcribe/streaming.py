"""Transcribe an answer while it is being spoken.

The audio is cut into chunks at pauses (or, failing that, at the quietest moment) and each
closed chunk is transcribed on a worker thread while the person keeps talking. When the answer
ends only the last chunk is left, so feedback comes in about the same time after a 10-second
answer as after a 10-minute one. Files go through the same path, so a long recording is
transcribed in bounded memory.

    stream = StreamingTranscriber(transcriber)
    for block in blocks:        # any sizes, mono float32 at 16 kHz
        stream.feed(block)
    words = stream.finish()     # list[TimedWord], times from the start of the audio
"""

from __future__ import annotations

import queue
import threading
from array import array
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from simulator.audio.level import LevelGate
from simulator.audio.vad import SPEECH_PROBABILITY, speech_probabilities
from simulator.audio.vad import WINDOW_S as VAD_WINDOW_S
from simulator.transcribe.base import SAMPLE_RATE, TimedWord, Transcriber, said_end
from simulator.transcribe.hesitations import is_hesitation, normalize_word

STEP_S = 0.05  # the gate decides speech or silence on 50 ms steps
# Speech this long with no word over it was lost by the decoder (a window it skipped as silence,
# a loop that ran past it): the stretch is decoded again on its own (`StreamingTranscriber._recheck`),
# and what still has no words is reported (`Unheard`), never passed over in silence.
UNHEARD_MIN_S = 1.5
UNHEARD_BRIDGE_S = 0.3  # a pause shorter than this does not break a stretch of speech
WORD_REACH_S = 0.15  # a word covers the audio this far beyond its times (they are off by ~0.1 s)
RECHECK_PAD_S = 0.25  # audio around a stretch decoded again, so its first and last words are whole
# The level gate rises for noise too (a car alarm, static); a stretch is decoded again only where
# the voice model hears at least this much voice in it, or Whisper would write a sentence for the noise.
RECHECK_VOICE_S = 1.0
# A stretch this much quieter than the answer's speech so far (its 90th percentile level) is
# another voice in the room (a colleague, a television: "[voices]" in a real caller's transcript),
# not the person at the microphone. Decoded again, it wrote twenty words nobody in the answer
# said (README, "Long answers"); it is listed as faint instead. Measured so: the real set's
# background voices lay 16 and 19 dB below the speaker (75th percentile of the stretch against the
# 90th of the answer); a speaker's own speech 4-7 dB (JFK; a caller's own lost stretch), and LibriVox
# read after JFK 12 dB (two recordings joined: a test holds that it is decoded again).
FAINT_BELOW_DB = 15.0


@dataclass(frozen=True, slots=True)
class ChunkPolicy:
    # A chunk is not cut before this much audio: Whisper needs context. On real telephone speech
    # cutting at 4 s cost 3 points of word error rate against one pass over each clip; clips of
    # up to 12 s now go through whole (README, Benchmark). Drafts are shorter than this, and the
    # verbatim pass decodes windows of up to faster.VERBATIM_WINDOW_S (12 s too): kept within it,
    # a draft is one window whose encoding both passes share (tests/test_streaming.py holds it).
    min_s: float = 12.0
    max_s: float = 24.0  # ... and is always cut by this length (Whisper's window is 30 s)
    cut_silence_s: float = 0.3  # a pause this long after min_s is where a chunk ends
    # While an answer is being spoken, the audio since the last cut is transcribed ahead ("a
    # draft") at each pause of cut_silence_s once this much new speech has come, whenever the
    # worker is idle. When the answer ends, only the speech after the draft's pause is left to
    # transcribe, or nothing if none came: feedback does not wait for a long last chunk.
    draft_after_s: float = 1.0
    # A piece shorter than this (a draft, the tail after one, a file's last chunk) is transcribed
    # with the audio just before it, up to this length in all, and only its own words are kept.
    # Alone, a second of speech leaves Whisper without context: the verbatim pass wrote "It's
    # like, uh, it's like, uh, ..." for JFK's "check it" and decoded a second window for it.
    context_s: float = 8.0
    # A chunk held at a pause (`StreamingTranscriber._hold`) is decoded whole once the person has
    # spoken this long past it. Released at the first word after it, the whole decoding (about 2 s
    # of work for 12-24 s of audio) ran just as an answer's closing sentence did, and feedback
    # waited for it: with `bench latency ... 30 8`, a median of 1.06 s. An answer that ends before
    # this much more speech takes the held chunk and what follows as its last chunk, from the draft.
    resume_s: float = 3.0


class StreamingTranscriber:
    def __init__(self, transcriber: Transcriber, policy: ChunkPolicy = ChunkPolicy(),
                 max_pending_chunks: int = 0, drafts: bool | None = None):
        self.transcriber = transcriber
        self.policy = policy
        self._gate = LevelGate()
        self._steps: list[np.ndarray] = []  # audio since the last cut, in STEP_S pieces
        self._speech: list[bool] = []  # gate decision per step
        # The level (dBFS) of every step of the whole audio that the gate took for speech, NaN for
        # the others: how loud the person speaks, against which a faint voice is told (FAINT_BELOW_DB).
        # 8 bytes a step: about 0.6 MB for an hour.
        self._levels = array("d")
        self._partial = np.zeros(0, np.float32)
        self._chunk_start = 0  # samples from the start of the audio
        self._before = np.zeros(0, np.float32)  # the audio just before _chunk_start (context_s at most)
        self._words: list[TimedWord] = []
        self._unheard: list[Unheard] = []
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._cancelled = False
        # Unbounded while recording (the worker keeps up at RTF < 0.1); bounded for files so
        # reading never runs far ahead of transcription.
        self._chunks: queue.Queue = queue.Queue(maxsize=max_pending_chunks)
        # Drafts pay off while someone speaks (the worker is mostly idle); a file is read as fast
        # as it is transcribed, so there is no idle time to fill.
        self._drafts = (max_pending_chunks == 0) if drafts is None else drafts
        self._busy = False  # the worker is transcribing something
        # Finished drafts by the sample their own audio starts at: (steps, words, unheard stretches).
        # Usually one, from the pending audio's start; a held chunk adds the rest of it (`_hold`).
        self._drafts_done: dict[int, tuple[int, list[TimedWord], list[Unheard]]] = {}
        self._drafted_speech = 0  # speech steps in the pending audio when the last draft was asked
        self._held: int | None = None  # a chunk cut here (steps) at a pause, waiting to know if the answer goes on
        self._worker = threading.Thread(target=self._work, name="stream-transcribe", daemon=True)
        self._worker.start()
        self.chunks_transcribed = 0
        self.drafts_used = 0
        self.stretches_redecoded = 0  # stretches of speech without words, decoded again

    # -- producer side (the recorder's drain loop, or a file reader) ------------------------

    def feed(self, block: np.ndarray, t: float | None = None) -> None:
        step = int(STEP_S * SAMPLE_RATE)
        data = np.concatenate((self._partial, np.asarray(block, np.float32).reshape(-1)))
        n = len(data) // step
        for i in range(n):
            piece = data[i * step:(i + 1) * step]
            self._steps.append(piece)
            self._hear(piece)
            self._maybe_cut()
        self._partial = data[n * step:]

    def _hear(self, step: np.ndarray) -> None:
        speech = self._gate.is_speech(step)
        self._speech.append(speech)
        self._levels.append(self._gate.level_db if speech else np.nan)

    def finish(self) -> list[TimedWord]:
        """Transcribe what is left and return every word, in order."""
        if self._partial.size:
            self._steps.append(self._partial)
            self._hear(self._partial)
            self._partial = np.zeros(0, np.float32)
        if self._drafts:
            settled = threading.Event()  # the worker has done what was queued, drafts included
            self._chunks.put(settled)
            while not settled.wait(0.05):
                if not self._worker.is_alive():
                    break
        # A chunk still held when the answer ends is part of its last chunk, whose draft stands.
        self._held = None
        self._submit(len(self._steps), last=True)
        self._chunks.put(None)
        self._worker.join()
        if self._error is not None:
            raise self._error
        return self.words_so_far()

    def cancel(self, timeout: float = 1.0) -> bool:
        """Drop the chunks not yet transcribed and stop the worker after the segment it is on
        (Ctrl-C, SIGTERM). True when the worker has ended within `timeout` seconds."""
        self._cancelled = True
        while True:
            try:
                self._chunks.get_nowait()
            except queue.Empty:
                break
        try:
            self._chunks.put_nowait(None)  # wakes a worker waiting for a chunk
        except queue.Full:
            pass
        self._worker.join(timeout)
        return not self._worker.is_alive()

    def words_so_far(self) -> list[TimedWord]:
        with self._lock:
            return sorted(self._words, key=lambda w: w.start)

    @property
    def unheard(self) -> list[Unheard]:
        """Stretches of speech that have no words even after decoding them again on their own, and
        (marked `faint`) those of a voice far quieter than the answer's, not decoded again."""
        with self._lock:
            return sorted(self._unheard, key=lambda u: u.start)

    # -- cutting ------------------------------------------------------------------------------

    def _maybe_cut(self) -> None:
        if self._held is not None:
            # The person has gone on speaking (ChunkPolicy.resume_s), or the pause has run to a
            # chunk's longest: the held chunk is decoded whole, where a file's cut falls, and the
            # rest is cut as a file's would be.
            since = len(self._steps) - self._held
            if sum(self._speech[self._held:]) * STEP_S < self.policy.resume_s and since * STEP_S < self.policy.max_s:
                return
            held, self._held = self._held, None
            self._submit(held)
        steps = len(self._steps)
        length_s = steps * STEP_S
        quiet = int(round(self.policy.cut_silence_s / STEP_S))
        paused = steps > quiet and not any(self._speech[-quiet:]) and any(self._speech[:-quiet])
        if length_s < self.policy.min_s:
            if paused:
                self._maybe_draft(steps - quiet // 2)
            return
        if paused:
            cut = steps - quiet // 2  # inside the pause, leaving silence on both sides
            if not (self._drafts and self._hold(cut)):
                self._submit(cut)
        elif length_s >= self.policy.max_s:
            # No pause long enough: cut at the quietest step of the last third.
            start = steps * 2 // 3
            levels = [float(np.mean(np.square(s))) for s in self._steps[start:]]
            self._submit(start + int(np.argmin(levels)) + 1)

    def _maybe_draft(self, upto: int) -> None:
        speech = sum(self._speech[:upto])
        enough = (speech - self._drafted_speech) * STEP_S >= self.policy.draft_after_s
        if not (self._drafts and enough and self._idle()):
            return
        self._drafted_speech = speech
        self._busy = True  # from now: a second draft must not queue behind this one
        self._chunks.put(self._piece(np.concatenate(self._steps[:upto]), self._speech[:upto], draft_steps=upto))

    def _hold(self, upto: int) -> bool:
        """Hold the chunk cut at `upto` when a finished draft covers its start, until it is known
        whether the answer goes on. Whether a draft was made depends on how busy the worker was,
        so a chunk the person speaks past is decoded whole, never built from one: live words would
        differ from a file's by the machine's speed. Only an answer's last chunk uses its draft;
        so that such an answer does not wait for the rest of the held chunk, the idle worker
        drafts it now, with the audio before it as context. A busy one is left to finish: it is
        drafting the pending audio afresh, and a draft of the rest queued behind it would follow
        the older draft, whose words the newer one replaces: measured, the answer then waited for
        both and a last piece besides (1.5 s, `bench latency ... 30 8`)."""
        draft = self._drafts_done.get(self._chunk_start)
        if draft is None or draft[0] > upto:
            return False
        self._held = upto
        done = draft[0]
        if done < upto and any(self._speech[done:upto]) and self._idle():
            before = np.concatenate((self._before, *self._steps[:done]))
            rest = np.concatenate(self._steps[done:upto])
            lead = max(0, min(before.size, int(self.policy.context_s * SAMPLE_RATE) - rest.size))
            own_start = self._chunk_start + before.size - self._before.size
            self._busy = True
            self._chunks.put(_Piece(np.concatenate((before[before.size - lead:], rest)), own_start - lead, lead,
                                    tuple(self._speech[done:upto]), upto - done))
        return True

    def _idle(self) -> bool:
        """The worker transcribes nothing and has nothing queued: what is asked now starts at once."""
        return not self._busy and self._chunks.empty()

    def _use_draft(self, limit: int) -> int:
        """Take the finished drafts' words for the audio they covered, one after another from
        where the pending audio starts, within its first `limit` steps; how many steps they
        covered (0: none)."""
        used = 0
        while (draft := self._drafts_done.get(self._chunk_start)) is not None and draft[0] <= limit - used:
            steps, words, unheard = draft
            with self._lock:
                self._words.extend(words)
                self._unheard.extend(unheard)
            self.drafts_used += 1
            self._advance(np.concatenate(self._steps[:steps]))
            self._steps, self._speech = self._steps[steps:], self._speech[steps:]
            used += steps
        return used

    def _submit(self, upto: int, last: bool = False) -> None:
        # The answer's last chunk: a draft that ended at a pause inside it stands, and only the
        # audio after it is left to transcribe (what makes feedback quick). Any other chunk is
        # decoded whole, as a file's is (`_hold`).
        if self._drafts and last:
            upto -= self._use_draft(upto)
        if upto <= 0:
            return
        self._drafts_done, self._drafted_speech = {}, 0
        pieces, speech = self._steps[:upto], self._speech[:upto]
        self._steps, self._speech = self._steps[upto:], self._speech[upto:]
        audio = np.concatenate(pieces)
        if any(speech):  # silence only makes Whisper invent "Thank you."
            self._chunks.put(self._piece(audio, speech))
        self._advance(audio)

    def _piece(self, audio: np.ndarray, speech: list[bool], draft_steps: int | None = None) -> _Piece:
        """The pending `audio` (from _chunk_start on) with the context it needs (ChunkPolicy.context_s)."""
        lead = max(0, min(self._before.size, int(self.policy.context_s * SAMPLE_RATE) - audio.size))
        if lead:
            audio = np.concatenate((self._before[-lead:], audio))
        return _Piece(audio, self._chunk_start - lead, lead, tuple(speech), draft_steps)

    def _advance(self, consumed: np.ndarray) -> None:
        """The pending audio now starts after `consumed`."""
        self._chunk_start += consumed.size
        keep = int(self.policy.context_s * SAMPLE_RATE)
        self._before = np.concatenate((self._before, consumed))[-keep:]

    # -- worker ---------------------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            item = self._chunks.get()
            if item is None or self._cancelled:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            if self._error is not None:
                continue
            piece: _Piece = item
            self._busy = True
            try:
                words = []
                known = self._words_in_context(piece)
                for word in self.transcriber.transcribe(piece.audio, offset=piece.start / SAMPLE_RATE):  # lazy
                    if self._cancelled:
                        return
                    if not piece.lead or _own_word(word, piece, known):
                        words.append(word)
                words, unheard = self._recheck(piece, words)
            except BaseException as exc:  # surfaced by finish(), on the caller's thread
                self._error = exc
                continue
            finally:
                self._busy = False
            if piece.draft_steps is not None:
                self._drafts_done[piece.own_start] = (piece.draft_steps, words, unheard)
                continue
            with self._lock:
                self._words.extend(words)
                self._unheard.extend(unheard)
                self.chunks_transcribed += 1

    def _recheck(self, piece: _Piece, words: list[TimedWord]) -> tuple[list[TimedWord], list[Unheard]]:
        """The piece's words, with those of any stretch of speech it lost decoded again on its own;
        and the stretches that still have none. Whisper loses speech without a sign: a window
        whose text it judged silence, a run of one token that used up the budget. Alone, with no
        context to repeat, the stretch is a new problem for the decoder."""
        own = piece.own_start / SAMPLE_RATE
        lost = unheard_stretches(piece.speech, own, words)
        if not lost:
            return words, []
        first = piece.own_start // int(STEP_S * SAMPLE_RATE)  # the piece's first step in the whole audio
        # To the piece's end, whenever it is decoded: the same live as from a file.
        heard = np.array(self._levels[:first + len(piece.speech)], np.float64)
        voice_db = _level(heard, 90)
        still: list[Unheard] = []
        for start, end in lost:
            a = max(0, int((start - RECHECK_PAD_S) * SAMPLE_RATE) - piece.start)
            b = min(piece.audio.size, int((end + RECHECK_PAD_S) * SAMPLE_RATE) - piece.start)
            voiced = np.count_nonzero(speech_probabilities(piece.audio[a:b]) >= SPEECH_PROBABILITY) * VAD_WINDOW_S
            if voiced < RECHECK_VOICE_S:
                continue
            steps = slice(first + int(round((start - own) / STEP_S)), first + int(round((end - own) / STEP_S)))
            stretch_db = _level(heard[steps], 75)
            if voice_db is not None and stretch_db is not None and stretch_db < voice_db - FAINT_BELOW_DB:
                still.append(Unheard(start, end, faint=True))
                continue
            self.stretches_redecoded += 1
            around = [w for w in words if not start <= (w.start + w.end) / 2 <= end]
            known = [(normalize_word(w.text), w.start) for w in around]
            # The padding's words are the first decoding's already (a word stretched over the
            # stretch is decoded again with it, and its neighbour may fall in the padding).
            again = [w for w in self.transcriber.transcribe(piece.audio[a:b], offset=(piece.start + a) / SAMPLE_RATE,
                                                            second_look=True)
                     if start - RECHECK_PAD_S <= (w.start + w.end) / 2 <= end + RECHECK_PAD_S
                     and not _known(w, known)]
            if again:  # in place of what the first decoding had there: hesitations at most
                words = sorted(around + again, key=lambda w: w.start)
            else:
                still.append(Unheard(start, end))
        return words, still


    def _words_in_context(self, piece: _Piece) -> list[tuple[str, float]]:
        """(normalised text, start) of the words already kept that end inside the piece's
        context; read once per piece, from the newest back (words are kept in time order)."""
        known = []
        with self._lock:
            for w in reversed(self._words):
                if w.end <= piece.start / SAMPLE_RATE:
                    break
                known.append((normalize_word(w.text), w.start))
        return known


def _own_word(word: TimedWord, piece: _Piece, known: list[tuple[str, float]]) -> bool:
    """A word of the piece itself, not of its context (already transcribed with the piece before).

    The cut between them is in a pause, so a word's middle says on which side it was said;
    but the pause may be as short as 0.15 s on either side of the cut and Whisper's times are
    off by about 0.1 s, so a word the piece before already has, at the same time, is not its own.
    """
    if (word.start + word.end) / 2 < piece.own_start / SAMPLE_RATE:
        return False
    return not _known(word, known)


def _known(word: TimedWord, known: list[tuple[str, float]]) -> bool:
    """`word` is one of `known` (normalised text, start) decoded again: same text, about the same time."""
    text = normalize_word(word.text)
    return any(seen == text and abs(start - word.start) < SAME_WORD_S for seen, start in known)


SAME_WORD_S = 0.5  # the same word decoded twice starts within this of itself


@dataclass(frozen=True, slots=True)
class Unheard:
    """A stretch of speech (seconds from the start of the audio) the decoder wrote no word for."""

    start: float
    end: float
    # Far quieter than the answer's speech before it (FAINT_BELOW_DB): someone else's voice, or
    # the person far from the microphone; not decoded again.
    faint: bool = False


def _level(levels: np.ndarray, percentile: float) -> float | None:
    """A percentile of the levels of the speech steps among `levels` (NaN elsewhere), or None."""
    levels = levels[~np.isnan(levels)]
    return float(np.percentile(levels, percentile)) if levels.size else None


def unheard_stretches(speech: Sequence[bool], t0: float, words: Sequence[TimedWord]) -> list[tuple[float, float]]:
    """(start, end) of the stretches of speech at least UNHEARD_MIN_S long that no word covers.
    Hesitations do not count: a decoder that lost the words often kept the "uh"s of its prompt.

    A word covers no more than it can have been said in (`base.said_end`): a stretch that begins
    inside a word stretched over it begins at that word, which is decoded again with what it hid.

    `speech` is the gate's decision per STEP_S step from `t0` on. Linear in steps and words."""
    n = len(speech)
    covered = np.zeros(n, bool)
    stretched_from = np.full(n, np.inf)  # per step: the start of a word stretched over it, if any
    for w in words:
        if is_hesitation(w):
            continue
        start = min(w.start, w.end)
        lo = max(0, int((start - WORD_REACH_S - t0) / STEP_S))
        hi = min(n, int(np.ceil((said_end(w) + WORD_REACH_S - t0) / STEP_S)))
        covered[lo:hi] = True
        past = min(n, int(np.ceil((max(w.start, w.end) - t0) / STEP_S)))
        stretched_from[hi:past] = np.minimum(stretched_from[hi:past], start)
    bridge = int(round(UNHEARD_BRIDGE_S / STEP_S))
    out: list[tuple[float, float]] = []
    first = last = None  # the current stretch's first and last speech step
    for i in range(n + 1):
        if i < n and speech[i] and not covered[i]:
            first = i if first is None else first
            last = i
            continue
        if first is not None and (i == n or covered[i] or i - last > bridge):
            if (last + 1 - first) * STEP_S >= UNHEARD_MIN_S:
                begin = min(t0 + first * STEP_S, stretched_from[first])
                out.append((round(begin, 3), round(t0 + (last + 1) * STEP_S, 3)))
            first = last = None
    return out


@dataclass(frozen=True, slots=True)
class _Piece:
    """Audio for the worker: a chunk, or a draft of the pending audio, after `lead` samples of context."""

    audio: np.ndarray
    start: int  # samples from the start of the whole audio to audio[0]
    lead: int  # samples of context before the piece's own audio
    speech: tuple[bool, ...]  # the gate's decision per step of the piece's own audio
    draft_steps: int | None = None  # a draft: how many pending steps it covers

    @property
    def own_start(self) -> int:
        return self.start + self.lead


def transcribe_blocks(transcriber: Transcriber, blocks, policy: ChunkPolicy = ChunkPolicy()) -> list[TimedWord]:
    """The streaming path for audio already on disk: bounded memory, same chunks as live."""
    stream = StreamingTranscriber(transcriber, policy, max_pending_chunks=2)
    for block in blocks:
        stream.feed(block)
    return stream.finish()
