"""The one audio format every stage after the recorder works in: mono float32 at 16 kHz
(what Whisper and the voice-activity model read)."""

SAMPLE_RATE = 16_000
