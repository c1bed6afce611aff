"""Soak: one practice session of 50 short answers through the virtual audio device, with the
app's memory (RSS) and open file descriptors flat from the first answers to the last.

A bank file of 28 questions; almost every short answer ("And so my fellow Americans") gets
the interviewer's "give me an example" follow-up, so the session takes 50 answers or more.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import time

import numpy as np
import psutil
import pytest
import soundfile

from conftest import DATA, VENV_BIN, cli

pytestmark = [pytest.mark.audio, pytest.mark.model, pytest.mark.slow]

ANSWERS = 50
LISTENING = "Recording: speak now"


def bank_file(path, questions: int) -> None:
    lines = ['[bank]', 'name = "soak"', 'title = "Soak"', 'description = "Many short questions."', '']
    for i in range(questions):
        lines += ['[[questions]]', f'id = "soak-{i:02d}"', f'text = "Question number {i + 1}: what do you enjoy?"',
                  'category = "motivation"', 'difficulty = 1', 'time_budget_s = 60',
                  'strong_answer = "Anything."', '']
    path.write_text("\n".join(lines))


def test_fifty_answers_with_flat_memory_and_file_descriptors(virtual_audio, recordings, tmp_path):
    clip, rate = soundfile.read(str(DATA / "jfk.wav"), dtype="float32")
    short = tmp_path / "short.wav"
    soundfile.write(str(short), clip[: int(2.2 * rate)], rate)  # "And so my fellow Americans"
    bank = tmp_path / "soak.toml"
    questions = ANSWERS // 2 + 3  # a few answers (the last one, say) get no follow-up
    bank_file(bank, questions)

    app = subprocess.Popen(
        [str(VENV_BIN / "interview-sim"), "practice", "--bank", str(bank), "--questions", str(questions),
         "--no-speak", "--silence-stop", "0.8", "--max-answer", "15", "--seed", "1",
         "--recordings-dir", str(recordings)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    proc = psutil.Process(app.pid)
    # (answer, rss bytes, open fds) once each answer is stored. Sampled when the app reports the
    # recording, when its input stream is surely closed: at "speak now" the stream may or may not
    # be open yet (PulseAudio's client sockets and pipes are 5 fds), which made the count race.
    samples: list[tuple[int, int, int]] = []
    lines: list[str] = []
    deadline = time.monotonic() + 1200
    try:
        for line in app.stdout:
            lines.append(line)
            if line.startswith("Recorded "):
                samples.append((len(samples) + 1, proc.memory_info().rss, proc.num_fds()))
            if LISTENING in line:
                time.sleep(0.2)
                subprocess.run(["paplay", "--device=mic_feed", str(short)], check=True, timeout=30)
            assert time.monotonic() < deadline, "soak took too long:\n" + "".join(lines[-40:])
        app.wait(timeout=120)
    finally:
        if app.poll() is None:
            app.kill()
    out = "".join(lines)
    err = app.stderr.read()
    assert app.returncode == 0, out[-3000:] + err
    assert "Traceback" not in out + err

    # Flat: the last ten answers against answers 6-15 (the first ones warm caches and pools up).
    early = samples[5:15]
    late = samples[-10:]
    rss_early = statistics.median(s[1] for s in early) / 2 ** 20
    rss_late = statistics.median(s[1] for s in late) / 2 ** 20
    fds_early = max(s[2] for s in early)
    fds_late = max(s[2] for s in late)
    print(f"\nsoak: {len(samples)} answers; RSS {rss_early:.0f} -> {rss_late:.0f} MiB "
          f"(first {samples[0][1] / 2 ** 20:.0f}, max {max(s[1] for s in samples) / 2 ** 20:.0f}); "
          f"open fds {fds_early} -> {fds_late} (first {samples[0][2]}, max {max(s[2] for s in samples)})")
    listing = json.loads(cli("sessions", "--json", "--recordings-dir", str(recordings)).stdout)
    assert len(listing) == 1 and listing[0]["status"] == "complete", listing
    assert listing[0]["answers"] >= ANSWERS, listing[0]

    from simulator.store import Store

    answers = Store(recordings).session(listing[0]["id"]).answers
    assert all(a.delivery and a.delivery.speech_found for a in answers), \
        [a.number for a in answers if not (a.delivery and a.delivery.speech_found)]
    print(f"input overflows over the session: {sum(a.overflows for a in answers)}")

    assert len(samples) >= ANSWERS
    assert rss_late - rss_early < 40, (rss_early, rss_late)
    assert fds_late <= fds_early + 2, (fds_early, fds_late)
    # No trend either: a least-squares slope under 0.5 MiB per answer after the warm-up. RSS
    # sampled at "Recorded" swings by about 8 MiB (sd) with transient buffers, and no trend was
    # seen over 104 answers; fitted over the second half only (27 points), that noise alone gave
    # slopes over 0.5 about once in 200 sessions, and once in CI (0.71). Over 45 points it stays
    # under 0.25 (99.9th percentile, shuffled samples of the 104-answer run).
    settled = samples[5:]
    slope = np.polyfit([s[0] for s in settled], [s[1] / 2 ** 20 for s in settled], 1)[0]
    assert slope < 0.5, slope
