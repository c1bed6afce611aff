"""One judge: `report` (the terminal) and `report --html` agree on every judgement of a stored
answer, whatever the version that stored it thought (its stored `metrics` are not trusted)."""

from __future__ import annotations

import re
from html import unescape

from conftest import run
from simulator.delivery.analyze import Delivery
from simulator.delivery.judge import PACE_TARGET, judge
from simulator.store import Answer, Store

ANSI_STATUS = {"32": "good", "33": "watch", "36": "info"}  # the terminal's STATUS_STYLE colours


def stored_answer(root, wpm_words: int, seconds: float, stale_status: str) -> str:
    """A session with one answer as an older version stored it: its own (stale) judgement inside."""
    words, t = [], 0.5
    step = seconds / wpm_words
    for i in range(wpm_words):
        words.append({"text": "um" if i % 9 == 4 else f"word{i}", "start": round(t, 3),
                      "end": round(t + step * 0.8, 3), "probability": 0.9,
                      "filler": "hesitation" if i % 9 == 4 else None})
        t += step
    speech_s = round(words[-1]["end"] - words[0]["start"], 3)
    hes = sum(1 for w in words if w["filler"])
    count = wpm_words - hes
    delivery = {
        "file": "answer-01.wav", "duration_s": round(t + 1, 3), "transcript": " ".join(w["text"] for w in words),
        "words": words, "word_count": count, "speech_s": speech_s, "wpm": round(count * 60 / speech_s, 1),
        "time_to_first_word_s": 0.5, "pauses": [{"start": 3.0, "end": 5.6}],
        "fillers": {"hesitation": hes, "discourse": 0, "by_phrase": {"um": hes}},
        "fillers_per_min": round(hes * 60 / speech_s, 2), "speech_found": True,
        "pause_classes": {"under_1s": 0, "from_1_to_2s": 0, "over_2s": 1},
        "longest_pause": {"start": 3.0, "end": 5.6}, "total_pause_s": 2.6,
        "metrics": [{"key": k, "label": label, "value": 0, "display": "old", "target": "old",
                     "status": stale_status, "note": "judged by an older version"}
                    for k, label in (("wpm", "Pace"), ("fillers_per_min", "Fillers"), ("pauses", "Pauses"))],
    }
    store = Store(root)
    s = store.new_session("practice", {})
    path = store.answer_path(s.id, 1)
    path.write_bytes(b"RIFF")
    store.add_answer(Answer(s.id, 1, {"text": "Tell me about yourself.", "time_budget_s": 60}, path, 20.0,
                            "silence", engine="faster-whisper", model="tiny.en", delivery=delivery))
    store.finish_session(s.id)
    store.close()
    return s.id


def terminal_verdicts(text: str, labels: list[str]) -> dict[str, tuple[str, str]]:
    """label -> (display, status) from the coloured metrics table `report` prints."""
    found = {}
    for line in text.splitlines():
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
        for label in labels:
            if plain.startswith(label + " ") and label not in found:
                m = re.search(r"\x1b\[(?:\d;)?(3[236])m([^\x1b]+)\x1b\[0m", line)
                if m:
                    found[label] = (m.group(2).strip(), ANSI_STATUS[m.group(1)])
    return found


def html_verdicts(page: str) -> dict[str, tuple[str, str]]:
    """label -> (display, status) from the per-answer metrics table of the HTML report."""
    rows = re.findall(r'<tr><td>([^<]+)</td><td class="num"><span class="pill (\w+)"[^>]*>([^<]*)</span>', page)
    return {unescape(label): (unescape(display), status) for label, status, display in rows}


def test_report_and_report_html_agree_on_every_judgement_of_a_stored_answer(tmp_path):
    root = tmp_path / "rec"
    sid = stored_answer(root, wpm_words=70, seconds=20.0, stale_status="good")
    answer = Store(root).session(sid).answers[0]
    expected = {m.label: (m.display, m.status) for m in judge(answer.delivery)}
    assert expected["Pace"][1] == "watch" and answer.delivery.wpm > PACE_TARGET[1]  # the stale "good" is not shown

    shown = run("report", sid, "--recordings-dir", str(root), env={"FORCE_COLOR": "1", "NO_COLOR": None,
                                                                     "COLUMNS": "200"})
    assert shown.returncode == 0, shown.stderr
    html = tmp_path / "r.html"
    written = run("report", sid, "--html", str(html), "--recordings-dir", str(root))
    assert written.returncode == 0, written.stderr

    in_terminal = terminal_verdicts(shown.stdout, list(expected))
    in_html = html_verdicts(html.read_text())
    assert in_terminal == in_html == expected
    assert "judged by an older version" not in shown.stdout + html.read_text()


def test_analyze_json_carries_the_judges_verdicts():
    d = Delivery.from_dict({"file": None, "duration_s": 3.0, "transcript": "", "words": [], "word_count": 0,
                            "speech_s": 0.0, "wpm": None, "time_to_first_word_s": None, "pauses": [],
                            "fillers": {"hesitation": 0, "discourse": 0, "by_phrase": {}},
                            "fillers_per_min": None})
    assert d.to_dict()["metrics"] == [{"key": m.key, "label": m.label, "value": m.value, "display": m.display,
                                       "target": m.target, "status": m.status, "note": m.note} for m in judge(d)]
