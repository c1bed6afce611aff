"""The HTML report in a real browser: Debian's Chromium, headless, driven by Playwright.

A real demo session (`interview-sim demo` as its own process: espeak-ng answers, Whisper,
metrics, store) is rendered by `interview-sim report --html`, then opened from disk with every
network request blocked: no console errors, every answer's audio plays, clicking a word seeks
the audio to that word, the pace charts are drawn. Fails, never skips, when Chromium is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from conftest import cli
from simulator.store import Answer, Store

pytestmark = [pytest.mark.browser, pytest.mark.model, pytest.mark.slow]

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("playwright is missing (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        yield b
        b.close()


class Page:
    """A page opened from a file with the network cut off, recording anything that goes wrong."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1100, "height": 900})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

        def route(r):
            if not r.request.url.startswith(("file:", "data:")):
                self.requests.append(r.request.url)
                return r.abort()
            return r.continue_()

        self.context.route("**/*", route)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_load_state("load")

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, Path, dict]:
    """A real demo session, and its HTML report written by the real command."""
    root = tmp_path_factory.mktemp("demo") / "rec"
    out = cli("demo", "--no-speak", "--recordings-dir", str(root))
    assert out.returncode == 0, out.stdout + out.stderr
    sessions = json.loads(cli("sessions", "--json", "--recordings-dir", str(root)).stdout)
    assert len(sessions) == 1 and sessions[0]["answers"] == 3
    html = root.parent / "report" / "demo.html"
    out = cli("report", "--html", str(html), "--recordings-dir", str(root))
    assert out.returncode == 0, out.stderr
    assert html.is_file()
    return root, html, sessions[0]


def test_demo_report_is_self_contained(demo):
    root, html, _ = demo
    text = html.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), "no CDN, no network"
    assert "<link" not in text and "@import" not in text
    assert text.count('src="data:audio/wav;base64,') == 3  # the audio travels inside the file
    # It still works when the recordings folder is gone: nothing refers to it.
    moved = html.parent / "moved.html"
    shutil.copyfile(html, moved)
    assert str(root) not in moved.read_text()


def test_demo_report_plays_and_seeks_in_chromium(browser, demo):
    root, html, session = demo
    store = Store(root)
    stored = store.session(session["id"])
    view = Page(browser, html)
    page = view.page
    try:
        # Every answer has an audio element whose source the browser decodes.
        page.wait_for_function(
            "() => { const a = [...document.querySelectorAll('audio')];"
            " return a.length === 3 && a.every(x => x.readyState >= 1 && x.duration > 0); }", timeout=30_000)
        durations = page.eval_on_selector_all("audio", "els => els.map(e => e.duration)")
        for answer, duration in zip(stored.answers, durations):
            assert duration == pytest.approx(answer.duration_s, abs=0.1)
        assert page.eval_on_selector_all(
            "audio", "els => els.every(e => e.error === null && e.canPlayType('audio/wav') !== '')")

        page.evaluate("""() => { window.seeks = [];
            document.querySelectorAll('audio').forEach((a, i) =>
                a.addEventListener('seeking', () => window.seeks.push([i, a.currentTime]))); }""")
        for index, answer in enumerate(stored.answers):
            card = page.locator(f"#answer-{answer.number}")
            words = answer.delivery.words
            spans = card.locator(".transcript .w")
            assert spans.count() == len(words)
            # Fillers highlighted as stored (a phrase like "you know" is two words); pauses drawn.
            for kind in ("hesitation", "discourse"):
                marked = sum(1 for w in words if w.filler == kind)
                assert card.locator(f".w.{kind}").count() == marked
                assert (marked > 0) == (getattr(answer.delivery.fillers, kind) > 0)
            assert card.locator(".transcript .pause").count() == len(answer.delivery.pauses)
            for k in (len(words) // 2, len(words) - 3):
                spans.nth(k).click()
                page.wait_for_function(f"() => window.seeks.length && window.seeks[window.seeks.length - 1][0] === {index}"
                                       f" && Math.abs(window.seeks[window.seeks.length - 1][1] - {words[k].start}) < 0.05",
                                       timeout=5_000)
                # ... and it plays from there.
                page.wait_for_function(f"() => !document.querySelectorAll('audio')[{index}].paused", timeout=5_000)
                now = page.evaluate(f"() => document.querySelectorAll('audio')[{index}].currentTime")
                assert words[k].start - 0.05 <= now <= words[k].start + 2.0
                page.evaluate(f"() => document.querySelectorAll('audio')[{index}].pause()")
            # The pace chart: an SVG with a drawn point per stored pace window.
            points = card.locator("svg.chart circle.pt")
            assert points.count() == len(answer.delivery.pace_windows) >= 1
            box = points.first.bounding_box()
            assert box and box["width"] > 4 and box["height"] > 4
            chart = card.locator("svg.chart").bounding_box()
            assert chart and chart["width"] > 300 and chart["height"] > 80
            # Metrics against their targets, with their notes.
            rows = card.locator("table.metrics tbody tr")
            assert rows.count() == len(answer.delivery.metrics)
            assert card.locator("table.metrics .pill.good, table.metrics .pill.watch").count() >= 1
            assert f"{answer.engine} {answer.model}" in card.inner_text()
        # The session summary on top.
        assert page.locator(".tiles .tile").count() >= 4
        assert page.locator("h1").inner_text() == f"Session {session['id']}"
        page.screenshot(path=str(html.with_suffix(".png")), full_page=True)
        assert view.errors == [] and view.requests == [] and view.dialogs == []
    finally:
        view.close()


def test_hostile_text_is_escaped(browser, tmp_path):
    """Questions and transcripts are data, never markup."""
    root = tmp_path / "rec"
    store = Store(root)
    s = store.new_session("practice", {"bank": "<b>bank</b>"})
    path = store.answer_path(s.id, 1)
    shutil.copyfile(Path(__file__).parent / "data" / "jfk.wav", path)
    evil = "</script><img src=x onerror=alert(1)>"
    delivery = {"file": "answer-01.wav", "duration_s": 11.0, "transcript": evil, "speech_found": True,
                "words": [{"text": evil, "start": 0.5, "end": 1.0, "probability": 0.9, "filler": None},
                          {"text": "<script>alert(2)</script>", "start": 1.2, "end": 1.5, "probability": 0.9,
                           "filler": "discourse"}],
                "word_count": 2, "speech_s": 1.0, "wpm": 120.0, "time_to_first_word_s": 0.5,
                "pauses": [], "fillers": {"hesitation": 0, "discourse": 1, "by_phrase": {evil: 1}},
                "fillers_per_min": 60.0, "pace_windows": [{"start": 0.5, "end": 1.5, "words": 2, "wpm": 120.0}]}
    store.add_answer(Answer(s.id, 1, {"text": "<script>alert(3)</script>", "category": "<i>x</i>"}, path, 11.0,
                            "enter", engine="faster-whisper", model="<tiny>", delivery=delivery))
    html = tmp_path / "evil.html"
    out = cli("report", "--html", str(html), "--recordings-dir", str(root))
    assert out.returncode == 0, out.stderr
    text = html.read_text()
    assert "<script>alert" not in text and "<img src=x" not in text and "<b>bank" not in text
    view = Page(browser, html)
    try:
        view.page.wait_for_timeout(300)
        assert view.dialogs == [] and view.errors == []
        assert view.page.locator("#answer-1 .qtext").inner_text() == "<script>alert(3)</script>"
        assert view.page.locator("#answer-1 .w").first.inner_text() == evil
    finally:
        view.close()


def test_history_charts_render_in_chromium(browser, tmp_path, demo):
    """`history --html` after three sessions: one chart per metric, a point per session."""
    root = tmp_path / "rec"
    # Three sessions of the demo's stored answers (the module's real demo run, only read here),
    # spread over three days.
    demo_root, _, demo_session = demo
    answers = Store(demo_root).session(demo_session["id"]).answers
    assert len(answers) == 3 and all(a.delivery for a in answers)
    store = Store(root)
    for day, keep in (("2026-04-01", 3), ("2026-04-02", 2), ("2026-04-03", 1)):
        s = store.new_session("demo", {})
        for a in answers[:keep]:
            path = store.answer_path(s.id, a.number)
            shutil.copyfile(a.audio, path)
            store.add_answer(Answer(s.id, a.number, a.question, path, a.duration_s, a.stopped_by,
                                    engine=a.engine, model=a.model, delivery=a.delivery))
        store.finish_session(s.id)
        with store._transaction() as db:
            db.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (f"{day}T10:00:00", s.id))
    html = tmp_path / "history.html"
    out = cli("history", "--html", str(html), "--recordings-dir", str(root))
    assert out.returncode == 0, out.stderr
    view = Page(browser, html)
    try:
        charts = view.page.locator("section.trend")
        assert charts.count() == 6
        for i in range(6):
            chart = charts.nth(i)
            assert chart.locator("circle.pt").count() == 3, chart.inner_text()
            box = chart.locator("svg.chart").bounding_box()
            assert box and box["width"] > 200 and box["height"] > 60
        assert view.errors == [] and view.requests == []
    finally:
        view.close()


# -- the pieces, without a browser ----------------------------------------------------------------

def test_pauses_are_drawn_between_the_words_they_fell_between():
    from simulator.report.html import transcript_html

    from simulator.delivery.analyze import LabeledWord
    from simulator.delivery.pauses import Pause

    words = [LabeledWord(" So,", 0.5, 0.8, 0.9, "discourse"), LabeledWord(" I", 0.9, 1.0, 0.9),
             LabeledWord(" um", 2.4, 2.7, 0.9, "hesitation"),  # stretched over the silence
             LabeledWord(" led", 2.8, 3.1, 0.9)]
    pauses = [Pause(1.05, 2.45), Pause(3.2, 3.5)]
    html = transcript_html(words, pauses)
    order = re.findall(r'class="(w[^"]*|pause[^"]*)"', html)
    assert order == ["w discourse", "w", "pause long", "w hesitation", "w", "pause"]
    assert 'data-s="2.400"' in html and ">1.4 s<" in html


def test_missing_audio_is_said_plainly_and_relative_links_work(tmp_path):
    from simulator.report.html import render_session

    root = tmp_path / "rec"
    store = Store(root)
    s = store.new_session("practice", {})
    for n in (1, 2):
        path = store.answer_path(s.id, n)
        shutil.copyfile(Path(__file__).parent / "data" / "jfk.wav", path)
        store.add_answer(Answer(s.id, n, {"text": f"q{n}"}, path, 11.0, "enter", delivery=None))
    store.answer_path(s.id, 2).unlink()
    session = store.session(s.id)
    text = render_session(session)
    assert text.count("data:audio/wav;base64,") == 1 and "The audio of this answer is missing" in text
    linked = render_session(session, embed_audio=False, base_dir=tmp_path)
    assert f'src="rec/{s.id}/answer-01.wav"' in linked
    assert "No speech was found" in text  # an answer without results still renders
