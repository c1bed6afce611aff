"""Delivery accuracy on real spontaneous speech with human verbatim transcripts.

The data is not shipped (it is CC BY-SA): `interview-sim bench --accuracy --data DIR` reads a
folder of `NAME.wav` (or `.flac`) + `NAME.json` pairs by path. Each JSON gives the human transcript with its
markup ({breath}, [noise], ^Name, +form, _keyword_), the number of filled pauses (`hesitations`)
and of other spoken words (`words`). No word times: figures are per clip counts.

- Hesitations: per clip a hit is min(truth, detected); recall, precision and F1 over the set;
  false alarms are hesitations detected on clips whose transcript has none.
- Words: word error rate against the transcript with markup and fillers removed, both sides
  normalised the same way; word counts against the human count (the pace's numerator).
- Invented words: a clip "ends with words nobody said" when, after the last word the
  transcriber got right, it wrote more words than the transcript has left.
- Long files (`NAME.flac` or `.wav` whose JSON has `segments`: each utterance's place in the file,
  its words and hesitations): hesitations are matched per segment (a filler in the wrong utterance
  is a miss and a false alarm), an utterance with three or more true words and none heard is
  "lost", and the word error rate is set beside that of plain decoding of the whole file in one
  pass (`whole_file_text`, Whisper's own long-form decoding), measured in the same run.
- Loops: runs the decoder wrote that the pipeline cut (dropped as "loop") and any left in the
  words shown (must be none); unheard seconds: speech the pipeline found no words for.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from simulator.delivery.fillers import hesitation_kind
from simulator.transcribe.wer import edit_distance, normalize

# Spellings as these transcribers write a filled pause (the data's README).
TRUTH_HESITATIONS = {"uh", "um", "uhm", "ah", "eh", "er", "hm", "erm", "hmm", "mm"}
_MARKUP = re.compile(r"\{[^}]*\}|\[[^\]]*\]")
# Spoken forms the transcripts write one way and Whisper another: compared as one.
_SAME = {"gonna": "going to", "wanna": "want to", "gotta": "got to", "im": "i'm", "ill": "i'll",
         "lets": "let's", "whats": "what's", "dont": "don't", "ok": "okay", "alright": "all right",
         "goodmorning": "good morning", "wildfire": "wild fire", "onword": "on word",
         "onward": "on word", "voicemail": "voice mail"}


@dataclass(frozen=True, slots=True)
class Segment:
    """One utterance of a long file: where it lies, its own words and hesitations."""

    start_s: float
    end_s: float
    hesitations: int
    words: int


@dataclass(frozen=True, slots=True)
class Clip:
    name: str
    wav: Path  # the audio: WAV or FLAC
    transcript: str  # with the corpus's markup
    hesitations: int
    words: int  # spoken words other than hesitations, as the human counted them
    segments: tuple[Segment, ...] = ()  # long files only; a short clip is one segment

    @property
    def reference_words(self) -> list[str]:
        return words_for_wer(clean_transcript(self.transcript))

    @property
    def units(self) -> tuple[Segment, ...]:
        return self.segments or (Segment(0.0, float("inf"), self.hesitations, self.words),)


AUDIO_SUFFIXES = (".wav", ".flac")


def load_clips(folder: Path) -> list[Clip]:
    clips = []
    for meta in sorted(Path(folder).glob("*.json")):
        audio = next((meta.with_suffix(s) for s in AUDIO_SUFFIXES if meta.with_suffix(s).is_file()), None)
        if audio is None:
            continue
        d = json.loads(meta.read_text())
        if "transcript" not in d or "hesitations" not in d:
            continue
        segments = tuple(Segment(float(g["start_s"]), float(g["end_s"]), int(g["hesitations"]), int(g["words"]))
                         for g in d.get("segments") or ())
        clips.append(Clip(meta.stem, audio, d["transcript"], int(d["hesitations"]), int(d.get("words", 0)), segments))
    return clips


def clean_transcript(text: str) -> str:
    """Markup removed: noises, name and non-standard-form marks, keyword underscores; the
    keywords' inner capitals split ("ThinkEngine" is said, and written by Whisper, as two words)."""
    text = _MARKUP.sub(" ", text)
    text = re.sub(r"[\^+*~@_]", "", text)
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    return re.sub(r"-(?=\s|$)", " ", text)  # a cut-off word's dash ("-st")


def words_for_wer(text: str) -> list[str]:
    """Normalised words without hesitations, with contractions and spoken forms made alike."""
    out = []
    for w in normalize(text):
        if w in TRUTH_HESITATIONS or hesitation_kind(w):
            continue
        out.extend(_SAME.get(w, w).split())
    return out


@dataclass(slots=True)
class ClipResult:
    name: str
    true_hesitations: int
    hesitations: int
    true_words: int
    word_count: int
    reference: str
    hypothesis: str  # the words kept, fillers included, as the transcript shows them
    errors: int  # word edits against the reference (fillers removed from both)
    reference_length: int
    invented_tail: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    hesitations_hit: int = 0  # per segment: sum of min(truth, detected)
    segments: int = 1
    segments_lost: list[float] = field(default_factory=list)  # start of each utterance with words and none heard
    loops_cut: int = 0  # words the pipeline dropped as a decoder loop
    loops_left: int = 0  # loops still in the words shown
    unheard_s: float = 0.0
    whole_file_errors: int | None = None  # word edits of plain whole-file decoding, same reference


def invented_tail(reference: Sequence[str], hypothesis: Sequence[str]) -> list[str]:
    """Words written after the last word the transcriber got right, beyond what the reference has
    left there: an ending nobody said."""
    matcher = difflib.SequenceMatcher(a=list(reference), b=list(hypothesis), autojunk=False)
    blocks = [b for b in matcher.get_matching_blocks() if b.size]
    ref_end, hyp_end = (blocks[-1].a + blocks[-1].size, blocks[-1].b + blocks[-1].size) if blocks else (0, 0)
    extra = len(hypothesis) - hyp_end - (len(reference) - ref_end)
    return list(hypothesis[len(hypothesis) - extra:]) if extra > 0 else []


def score_clip(clip: Clip, delivery, whole_file_text: str | None = None) -> ClipResult:
    """Compare one clip's `Delivery` with its truth (and, when given, plain whole-file decoding's text)."""
    from simulator.delivery.fillers import HESITATION
    from simulator.transcribe.base import TimedWord
    from simulator.transcribe.loops import find_loops

    said = [w.text for w in delivery.words if w.filler != HESITATION]
    hypothesis = words_for_wer(" ".join(said))
    reference = clip.reference_words
    hit, lost = 0, []
    for seg in clip.units:
        inside = [w for w in delivery.words if seg.start_s <= (w.start + w.end) / 2 < seg.end_s]
        heard = sum(1 for w in inside if w.filler == HESITATION)
        hit += min(seg.hesitations, heard)
        if seg.words >= 3 and not any(w.filler != HESITATION for w in inside):
            lost.append(seg.start_s)
    shown = [TimedWord(w.text, w.start, w.end, w.probability) for w in delivery.words]
    return ClipResult(clip.name, clip.hesitations, delivery.fillers.hesitation, clip.words, delivery.word_count,
                      " ".join(reference), delivery.transcript, edit_distance(reference, hypothesis), len(reference),
                      invented_tail(reference, hypothesis), [w.text for w in delivery.dropped_words],
                      hit, len(clip.units), lost, sum(1 for w in delivery.dropped_words if w.reason == "loop"),
                      len(find_loops(shown)), delivery.unheard_s,
                      None if whole_file_text is None else edit_distance(reference, words_for_wer(whole_file_text)))


@dataclass(slots=True)
class RealSpeechScore:
    clips: int
    hesitations_true: int
    hesitations_detected: int
    hesitations_hit: int
    recall: float
    precision: float
    f1: float
    false_alarms: int  # hesitations detected on the clips without any
    filler_free_clips: int
    wer: float
    word_count_error_median: float  # |words counted - human count| / human count, median over clips
    invented_clips: int  # clips that end with words nobody said
    invented: dict[str, list[str]]
    segments: int = 0
    segments_lost: int = 0  # utterances with 3+ true words and no word heard
    loops_cut: int = 0
    loops_left: int = 0
    unheard_s: float = 0.0  # voiced audio without words, all clips
    wer_whole_file: float | None = None  # plain whole-file decoding of the same clips, same model

    def to_dict(self) -> dict:
        return asdict(self)


def summarise(results: Sequence[ClipResult]) -> RealSpeechScore:
    true = sum(r.true_hesitations for r in results)
    detected = sum(r.hesitations for r in results)
    hit = sum(r.hesitations_hit for r in results)
    recall = hit / true if true else 1.0
    precision = hit / detected if detected else 1.0
    f1 = 2 * recall * precision / (recall + precision) if recall + precision else 0.0
    free = [r for r in results if r.true_hesitations == 0]
    reference_words = max(1, sum(r.reference_length for r in results))
    count_errors = [abs(r.word_count - r.true_words) / r.true_words for r in results if r.true_words]
    invented = {r.name: r.invented_tail for r in results if r.invented_tail}
    return RealSpeechScore(len(results), true, detected, hit, round(recall, 3), round(precision, 3), round(f1, 3),
                           sum(r.hesitations for r in free), len(free),
                           round(sum(r.errors for r in results) / max(1, sum(r.reference_length for r in results)), 4),
                           round(float(np.median(count_errors)), 4) if count_errors else 0.0,
                           len(invented), invented, sum(r.segments for r in results),
                           sum(len(r.segments_lost) for r in results), sum(r.loops_cut for r in results),
                           sum(r.loops_left for r in results), round(sum(r.unheard_s for r in results), 2),
                           None if any(r.whole_file_errors is None for r in results) else
                           round(sum(r.whole_file_errors for r in results) / reference_words, 4))


def run_realspeech(folder: Path, analyze_clip: Callable[[Path], object],
                   progress: Callable[[str], None] = lambda text: None,
                   whole_file_text: Callable[[Path], str] | None = None) -> tuple[RealSpeechScore, list[ClipResult]]:
    """Analyse every clip with `analyze_clip(path) -> Delivery` and score the set; with
    `whole_file_text(path) -> str`, also the word errors of that decoding."""
    clips = load_clips(folder)
    if not clips:
        from simulator.errors import UserError

        raise UserError(f"no clips with transcripts (NAME.wav or NAME.flac + NAME.json) in {folder}")
    results = []
    for i, clip in enumerate(clips, 1):
        progress(f"real speech {i}/{len(clips)}: {clip.name}")
        results.append(score_clip(clip, analyze_clip(clip.wav), whole_file_text(clip.wav) if whole_file_text else None))
    return summarise(results), results
