"""Put Whisper's words on the waveform: drop words said over silence, snap the rest to speech.

Whisper writes "Thank you." / "You." / "So..." on silence and stretches words across pauses
(docs/sources.md). Words with no speech near them are dropped (and reported); the rest are trimmed to
the speech they overlap so that a word never swallows a pause.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from dataclasses import dataclass
from typing import Sequence

from simulator.delivery.speech import VoiceActivity
from simulator.transcribe.base import TimedWord, said_end
from simulator.transcribe.hesitations import is_hesitation
from simulator.transcribe.inventions import IMPROBABLE

# Whisper word times are off by about 110 ms median, 220 ms p90 for tiny.en (docs/sources.md): a real
# word is never further than this from speech.
NEAR_SPEECH_S = 0.25
MIN_SPEECH_IN_WORD_S = 0.03
# A gap between speech regions this long inside a word's interval means the word straddles a pause.
STRADDLE_GAP_S = 0.2
# The words of the transcription prompt (transcribe/faster.py); a run this long that only
# repeats it is an echo of the prompt, not speech. Seven, not five: "Um, so, uh, I think ..."
# is how real answers start.
PROMPT_WORDS = "um so uh i think erm we uh did it umm and uh yeah".split()
ECHO_MIN_RUN = 7
MIN_WORDS_FOR_ESTIMATE = 4
# The voice model's speech probability never reached this near the word: whatever made the
# waveform rise there (a beep, a click, static, a fan) was not a voice. Real words on telephone
# speech score 0.3 and more, invented ones on static and room tone under 0.1 (README, Benchmark).
VOICE_FLOOR = 0.15
# Each of a run of the same word (or two hesitations at one instant) needs this much speech of its
# own under the run; what the audio cannot hold is a decoder loop, whatever the word. A word
# shorter than 0.1 s is rare even in fast speech; a loop writes them at one instant.
MIN_WORD_SPEECH_S = 0.1
SAME_INSTANT_S = 0.05
# An ending the transcriber took for invented is kept when the speech under it gives each of its
# words this much and a voice is heard there at this likelihood: real words on telephone speech
# score 0.3 and more (VOICE_FLOOR's measurement); a fluent speaker says three words a second.
HELD_WORD_S = 0.25
VOICED_ENDING = 0.3
_SENTENCE_END = re.compile(r"[.!?…]$")
# Whisper's word times fail on a word said alone between long pauses: its alignment puts the word
# at one instant up to a second past its sound ("onward," at 5.48 s, said at 4.69-5.21 s; "Onward,"
# at 27.52 s, said at 26.19-26.65 s; a dozen long real files lost their keyword so, as "no
# speech"). A word the decoder did not find improbable (transcribe/inventions.IMPROBABLE), with
# speech this near that no other word was placed on, was said there: its time was wrong, not the
# word. Invented closings are improbable and sit on silence, static or the speech of words
# already written. (At 0.5 two of the long set's keywords, at 0.43 and 0.47, were still lost.)
SURE = IMPROBABLE
ALONE_REACH_S = 1.0


@dataclass
class DroppedWord:
    text: str
    start: float
    end: float
    # "no speech", "no voice", "invented ending", "prompt echo", "loop", UNHEARD (a stretch of
    # speech with no words: `text` is empty) or FAINT (another voice, `text` empty too)
    reason: str


UNHEARD = "voice heard, no words recognised"
FAINT = "a voice far quieter than the rest of the answer (someone else, or far from the microphone): not transcribed"
# Of a stretch the transcriber reports unheard, at least this much must be speech to the waveform
# with a voice in it (VOICE_FLOOR), or it was noise the chunker's level gate took for speech.
UNHEARD_SPEECH_S = 1.0
LONGEST_SAID_S = 5.0  # no word is said for longer (base.said_end: 33 letters), so none from earlier reaches a stretch


def _norm(text: str) -> str:
    return re.sub(r"[^a-z']", "", text.lower().replace("’", "'"))


def prompt_echoes(words: Sequence[TimedWord]) -> set[int]:
    """Indices of words in runs of ECHO_MIN_RUN or more that repeat the prompt word for word."""
    norms = [_norm(w.text) for w in words]
    echoed: set[int] = set()
    i = 0
    while i < len(norms):
        best = 0
        for p in range(len(PROMPT_WORDS)):
            k = 0
            while i + k < len(norms) and p + k < len(PROMPT_WORDS) and norms[i + k] == PROMPT_WORDS[p + k]:
                k += 1
            best = max(best, k)
        if best >= ECHO_MIN_RUN:
            echoed.update(range(i, i + best))
            i += best
        else:
            i += 1
    return echoed


def place_words(words: Sequence[TimedWord], activity: VoiceActivity
                ) -> tuple[list[TimedWord], list[DroppedWord], bool]:
    """Words kept (times snapped to speech, in order), words dropped with the reason, and whether
    the word times had to be estimated.

    Whisper occasionally loses its timestamps and piles every word onto one instant (measured:
    1 of 24 synthetic answers, all 52 words inside 1.4 s past the end of speech). Dropping them
    all as hallucinations would report a fluent answer as silence, so when most words miss the
    speech while there is plenty of it, the words are spread over the speech instead.
    """
    held = held_endings(words, activity)
    words = [dataclasses.replace(w, invented=False) if i in held else w for i, w in enumerate(words)]
    invented = [DroppedWord(w.text, w.start, w.end, "invented ending") for w in words if w.invented]
    words = [w for w in words if not w.invented]
    regions = activity.regions()
    silent = [i for i, w in enumerate(words)
              if activity.speech_between(min(w.start, w.end) - NEAR_SPEECH_S, max(w.start, w.end) + NEAR_SPEECH_S)
              < MIN_SPEECH_IN_WORD_S]
    speech_s = sum(b - a for a, b in regions)
    if len(words) >= MIN_WORDS_FOR_ESTIMATE and len(silent) > len(words) / 2 and speech_s >= len(words) * 0.1:
        return spread_over_speech(words, regions), invented, True
    kept, dropped = _place(words, activity, regions)
    return kept, sorted(invented + dropped, key=lambda d: d.start), False


def held_endings(words: Sequence[TimedWord], activity: VoiceActivity) -> set[int]:
    """Indices of words the transcriber marked as an invented ending that the voice holds: a
    voice is heard under the ending, each sentence on its own (VOICED_ENDING), and its speech
    gives each word HELD_WORD_S.

    The decoder's evidence for an invented ending (an improbable first word, words squeezed or
    stretched) is also what a whole utterance decoded badly looks like: on a real caller, "Okay,
    now let's try ... and that works." was one window's every word, over 2.9 s of speech
    with a voice at 0.56, and dropping it lost the utterance. Closings invented on silence,
    static or room tone have neither the speech nor the voice."""
    out: set[int] = set()
    i = 0
    while i < len(words):
        if not words[i].invented:
            i += 1
            continue
        k = i + 1  # one ending: to its sentence's end (two windows' endings can come one after another)
        while k < len(words) and words[k].invented and not _SENTENCE_END.search(words[k - 1].text):
            k += 1
        start = min(min(w.start, w.end) for w in words[i:k])
        end = max(max(w.start, w.end) for w in words[i:k])
        voice = activity.voice_likelihood(start, end)
        if (activity.speech_between(start, end) >= HELD_WORD_S * (k - i)
                and voice is not None and voice >= VOICED_ENDING):
            out.update(range(i, k))
        i = k
    return out


def spread_over_speech(words: Sequence[TimedWord], regions: list[tuple[float, float]]) -> list[TimedWord]:
    """Estimated times: words laid over the speech regions in order, by their length in letters."""
    lengths = [b - a for a, b in regions]
    cumulative = [0.0]
    for length in lengths:
        cumulative.append(cumulative[-1] + length)

    def clock(t: float) -> float:  # seconds of speech -> seconds of audio
        k = min(max(bisect.bisect_right(cumulative, t) - 1, 0), len(regions) - 1)
        return regions[k][0] + min(t - cumulative[k], lengths[k])

    weights = [max(1, len(w.text.strip())) for w in words]
    scale = cumulative[-1] / float(sum(weights))
    out, done = [], 0.0
    for w, weight in zip(words, weights):
        start, end = clock(done), clock(done + weight * scale - 1e-6)
        out.append(TimedWord(w.text, round(start, 3), round(max(start, end), 3), w.probability))
        done += weight * scale
    return out


def _place(words: Sequence[TimedWord], activity: VoiceActivity, regions: list[tuple[float, float]]
           ) -> tuple[list[TimedWord], list[DroppedWord]]:
    starts = [r[0] for r in regions]
    echoes = prompt_echoes(words)
    loops = unheld_repeats(words, activity)
    last_hesitation: TimedWord | None = None
    kept: list[TimedWord] = []
    dropped: list[DroppedWord] = []
    for i, w in enumerate(words):
        start, end = max(0.0, min(w.start, w.end)), max(0.0, w.start, w.end)
        reason = "loop" if i in loops else _unsaid(w, i in echoes, activity, start, end)
        if reason in ("no speech", "no voice") and (alone := speech_alone(i, words, activity, regions)) is not None:
            start, end = alone
            reason = None
        if reason:
            dropped.append(DroppedWord(w.text, start, end, reason))
            continue
        start, end = _snap(start, end, regions, starts)
        if kept and start < kept[-1].start:  # keep words in order; overlaps are left as they are
            start = kept[-1].start
            end = max(end, start)
        placed = TimedWord(w.text, round(start, 3), round(end, 3), w.probability)
        if is_hesitation(placed) and last_hesitation is not None and same_instant(placed, last_hesitation):
            # Two hesitations that snapping to the speech put at one instant (a gap holds one sound)
            dropped.append(DroppedWord(w.text, start, end, "loop"))
            continue
        if is_hesitation(placed):
            last_hesitation = placed
        kept.append(placed)
    return kept, dropped


def speech_alone(i: int, words: Sequence[TimedWord], activity: VoiceActivity,
                 regions: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """The speech region within ALONE_REACH_S of word `i` that has a voice and that no other word
    lies on (each only as far as it can have been said: `base.said_end`), when the decoder did not
    find the word improbable (SURE) and there is exactly one such region; else None. A click or
    a breath the word was timed on is no such region."""
    w = words[i]
    if w.probability < SURE or is_hesitation(w):
        return None
    start, end = min(w.start, w.end), max(w.start, w.end)
    others = [o for k, o in enumerate(words[max(0, i - 8):i + 9], max(0, i - 8)) if k != i]

    def claimed(region: tuple[float, float]) -> bool:
        return any(min(o.start, o.end) - NEAR_SPEECH_S < region[1] and said_end(o) + NEAR_SPEECH_S > region[0]
                   for o in others)

    near = [r for r in regions if r[1] > start - ALONE_REACH_S and r[0] < end + ALONE_REACH_S]
    free = [r for r in near if not claimed(r) and _unsaid(w, False, activity, *r) is None]
    return free[0] if len(free) == 1 else None


def unheld_repeats(words: Sequence[TimedWord], activity: VoiceActivity) -> set[int]:
    """Indices of words that have no sound of their own: the repeats of a word beyond what the
    speech under the run can hold (MIN_WORD_SPEECH_S each), and a hesitation at the same instant
    as the one before it."""
    out: set[int] = set()
    norms = [_norm(w.text) for w in words]
    i = 0
    while i < len(words):
        k = i + 1
        while k < len(words) and norms[k] and norms[k] == norms[i]:
            k += 1
        if k - i > 1:
            first, last = words[i], words[k - 1]
            held = int(activity.speech_between(min(first.start, first.end), max(last.start, last.end))
                       / MIN_WORD_SPEECH_S)
            out.update(range(i + max(1, held), k))
        i = k
    last_hesitation: TimedWord | None = None
    for i, w in enumerate(words):
        if i in out or not is_hesitation(w):
            continue
        if last_hesitation is not None and same_instant(w, last_hesitation):
            out.add(i)
        else:
            last_hesitation = w
    return out


def same_instant(w: TimedWord, before: TimedWord) -> bool:
    """`w` starts where `before` starts, or inside it: two sounds cannot be there at once."""
    return abs(w.start - before.start) < SAME_INSTANT_S or w.start < before.end - SAME_INSTANT_S


def _unsaid(w: TimedWord, echo: bool, activity: VoiceActivity, start: float, end: float) -> str | None:
    """Why this word was not said, or None when it was."""
    if echo:
        return "prompt echo"
    if activity.speech_between(start - NEAR_SPEECH_S, end + NEAR_SPEECH_S) < MIN_SPEECH_IN_WORD_S:
        return "no speech"
    voice = activity.voice_likelihood(start - NEAR_SPEECH_S, end + NEAR_SPEECH_S)
    if voice is not None and voice < VOICE_FLOOR:
        return "no voice"
    return None


def _snap(start: float, end: float, regions: list[tuple[float, float]], starts: list[float]) -> tuple[float, float]:
    # Regions overlapping [start, end]
    lo = max(0, bisect.bisect_right(starts, start) - 1)
    hi = bisect.bisect_left(starts, end)
    overlapping = [r for r in regions[lo:hi + 1] if r[0] < end and r[1] > start]
    if not overlapping:
        # The word sits in a gap next to speech (timestamps are a little off): move it to the
        # nearest edge of speech, as a point, so it neither invents speech nor hides a pause.
        nearest = min((abs(r[1] - start), r[1]) for r in regions[max(0, lo - 1):hi + 2])
        nearest = min([nearest] + [(abs(r[0] - end), r[0]) for r in regions[max(0, lo - 1):hi + 2]])
        return nearest[1], nearest[1]
    # Group regions separated by short gaps; keep the group the word overlaps most.
    groups: list[list[tuple[float, float]]] = [[overlapping[0]]]
    for r in overlapping[1:]:
        if r[0] - groups[-1][-1][1] < STRADDLE_GAP_S:
            groups[-1].append(r)
        else:
            groups.append([r])

    def overlap(group: list[tuple[float, float]]) -> float:
        return sum(min(end, b) - max(start, a) for a, b in group)

    best = max(groups, key=overlap)
    return max(start, best[0][0]), min(end, best[-1][1])


def unheard_speech(stretches: Sequence[tuple[float, float]], activity: VoiceActivity,
                   kept: Sequence[TimedWord]) -> list[DroppedWord]:
    """The parts of the stretches the transcriber found no words for that no kept word can have been
    said in (base.said_end: a word stretched over them, or snapped onto them, does not hide the
    rest), where the waveform agrees a voice spoke: listed with the dropped words, so no figure
    hides that it misses them."""
    out = []
    starts = [w.start for w in kept]  # kept words are in time order
    for start, end in stretches:
        free = []
        for w in kept[bisect.bisect_left(starts, start - LONGEST_SAID_S):bisect.bisect_left(starts, end)]:
            if is_hesitation(w) or said_end(w) <= start:
                continue
            if w.start > start:
                free.append((start, w.start))
            start = said_end(w)
        free.append((start, end))
        for a, b in free:
            if b <= a or activity.speech_between(a, b) < UNHEARD_SPEECH_S:
                continue
            voice = activity.voice_likelihood(a, b)
            if voice is not None and voice < VOICE_FLOOR:
                continue
            out.append(DroppedWord("", round(a, 3), round(b, 3), UNHEARD))
    return out


def faint_voices(stretches: Sequence[tuple[float, float]], kept: Sequence[TimedWord]) -> list[DroppedWord]:
    """The stretches of a voice far quieter than the speaker's (streaming.FAINT_BELOW_DB) where no
    kept word lies: listed, so the transcript says what it left out, but not counted as the
    speaker's unheard speech."""
    return [DroppedWord("", round(start, 3), round(end, 3), FAINT) for start, end in stretches
            if not any(w.start < end and w.end > start for w in kept)]
