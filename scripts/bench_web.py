"""Time from the end of an answer to its delivery card, in the browser app (issue 13).

A real interview in headless Chromium: tests/data/jfk.wav through the fake microphone, one
question and its follow-up (ended by the button). The server measures each answer from the
moment its recording stops to the moment its card is sent (GET /api/state).
    .venv/bin/python scripts/bench_web.py
"""

import json
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from playwright.sync_api import sync_playwright  # noqa: E402

from test_web import DATA, Server, _launch, _start  # noqa: E402

root = Path(tempfile.mkdtemp(prefix="bench-web-")) / "recordings"
server = Server(root)
try:
    with sync_playwright() as p:
        browser = _launch(p, DATA / "jfk.wav")
        page = browser.new_page(bypass_csp=True)
        _start(page, server, questions=1, silence_stop_s=2.5, max_answer_s=40)
        page.click("#begin")
        page.wait_for_selector("#card-1", timeout=120_000)
        page.wait_for_function("!document.getElementById('finish').disabled", timeout=60_000)
        time.sleep(3)
        page.click("#finish")
        page.wait_for_selector("#report-link", timeout=120_000)
        browser.close()
    state = json.loads(urllib.request.urlopen(server.url("/api/state")).read())
finally:
    server.stop()
for n, latency in enumerate(state["latencies_s"], start=1):
    print(f"answer {n}: delivery card {latency:.2f} s after the answer ended")
