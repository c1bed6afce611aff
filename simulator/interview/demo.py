"""The embedded default: a short interview answered by a synthetic candidate.

The candidate's answers are scripted with the hesitations, discourse fillers and pauses real
answers have, rendered by espeak-ng (through pyttsx3), written into the session folder like a
recorded answer, and then go through the same transcription, metrics and store as `practice`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.audio.recorder import BlockListener, RecordedAnswer
from simulator.interview.session import Turn
from simulator.interview.tts import Voice

CANDIDATE_VOICE = "gmw/en-us"
CANDIDATE_RATE = 165

# Each answer: spoken fragments and pauses (seconds). The first number is the time taken
# to start answering.
DEMO_INTERVIEW: list[tuple[dict, list[str | float]]] = [
    ({"id": "demo-tell-me-about-yourself", "bank": "demo", "category": "introduction",
      "time_budget_s": 60,
      "text": "Tell me a little about yourself and what you do.",
      "strong_answer": "A clear arc: what you do now, one achievement, why this role is next."},
     [0.9, "Sure. Um, I am a software engineer, and for the last four years I have worked on "
           "payment systems at a mid sized retailer.", 0.6,
      "I like building things that people rely on every day.", 1.3,
      "Most recently I led the migration of our checkout service, uh, to a new platform, "
      "and we cut failed payments by about thirty percent."]),
    ({"id": "demo-conflict", "bank": "demo", "category": "behavioural", "time_budget_s": 90,
      "text": "Tell me about a time you disagreed with a colleague. What did you do?",
      "strong_answer": "A specific situation, what you did yourself, and how it turned out."},
     [2.2, "So, um, basically, a colleague wanted to ship a feature before it was tested.", 0.8,
      "I, uh, I asked for a short meeting, and we looked at the risk together.", 1.6,
      "We agreed to release it to five percent of users first.", 0.5,
      "It actually caught a serious bug, and, um, we fixed it before the full release."]),
    ({"id": "demo-why-us", "bank": "demo", "category": "motivation", "time_budget_s": 60,
      "text": "Why do you want to work here?",
      "strong_answer": "Something specific about the company, tied to your own experience."},
     [1.1, "I would like to work on problems at a larger scale.", 0.7,
      "Your team publishes its engineering work, and, you know, I have learned a lot from it.", 1.0,
      "Um, I think my experience with payments would help from the first month."]),
]

GREETING = "Hello, and thank you for coming in today. I am Alex. Let's begin."
CLOSING = "Thank you. That is the end of our interview. Here is how you did."


def demo_turns(greeting: str = GREETING) -> list[Turn]:
    turns = [Turn(greeting)]
    turns += [Turn(q["text"], question=q) for q, _script in DEMO_INTERVIEW]
    turns.append(Turn(CLOSING))
    return turns


class DemoSource:
    """Answers each question with its scripted answer, written to `path` as a WAV file."""

    prompt = "(the synthetic candidate answers)"

    def __init__(self, voice: Voice | None = None):
        self.voice = voice or Voice(rate=CANDIDATE_RATE, voice=CANDIDATE_VOICE)
        self.scripts = {q["id"]: script for q, script in DEMO_INTERVIEW}

    def answer(self, turn: Turn, number: int, path: Path, listener: BlockListener) -> RecordedAnswer:
        import soundfile

        from simulator.audio.io import iter_blocks

        script = self.scripts[turn.question["id"]]
        # Render every fragment first (the TTS thread works ahead), then lay out the timeline.
        pending = [self.voice.render(part) if isinstance(part, str) else part for part in script]
        pieces: list[np.ndarray] = []
        rate = None
        for part in pending:
            if isinstance(part, float):
                pieces.append(part)
                continue
            speech = part.result()
            rate = speech.sample_rate
            pieces.append(_trim(speech.samples))
        assert rate is not None
        audio = np.concatenate([np.zeros(int(p * rate), np.float32) if isinstance(p, float) else p
                                for p in pieces] + [np.zeros(int(0.5 * rate), np.float32)])
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(str(path), audio, rate, subtype="PCM_16")
        for block in iter_blocks(path, block_s=1.0):  # as a microphone would deliver it, at 16 kHz
            listener.feed(block)
        return RecordedAnswer(path=path, duration_s=round(audio.size / rate, 3), stopped_by="demo",
                              overflows=0, spoke=True)


def _trim(samples: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    """Drop espeak's leading and trailing silence, so the scripted pauses are the real ones."""
    loud = np.flatnonzero(np.abs(samples) > threshold)
    return samples[loud[0]: loud[-1] + 1] if loud.size else samples[:0]
