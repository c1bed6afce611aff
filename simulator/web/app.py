"""The Starlette application: pages, JSON API, the interview socket, static files, the guard."""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from starlette.applications import Starlette
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from simulator.config import Config
from simulator.web import routes
from simulator.web.auth import Guard, Hosts

HERE = Path(__file__).parent
SHUTDOWN_WAIT_S = 60.0  # on Ctrl-C, the answer being taken is still analysed and stored


@dataclass
class State:
    settings: Config  # as `serve` resolved them: the recordings folder, the model, the voice
    load_transcriber: Callable[[], object]  # loading since the server started
    token: str
    interview_lock: threading.Lock = field(default_factory=threading.Lock)  # one interview at a time
    interview_thread: threading.Thread | None = None
    latencies: list = field(default_factory=list)  # end of an answer to its card, seconds


def create_app(state: State, hosts: Hosts) -> Guard:
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        thread = state.interview_thread
        if thread is not None and thread.is_alive():
            import asyncio

            await asyncio.to_thread(thread.join, SHUTDOWN_WAIT_S)

    app = Starlette(routes=[
        Route("/", routes.start_page),
        Route("/interview", routes.interview_page),
        Route("/sessions", routes.sessions_page),
        Route("/sessions/{session_id}", routes.report_page),
        Route("/progress", routes.progress_page),
        Route("/api/sessions", routes.api_sessions),
        Route("/api/sessions/{session_id}", routes.api_session, methods=["GET", "DELETE"]),
        Route("/api/state", routes.api_state),
        Route("/api/plan", routes.api_plan, methods=["POST"]),
        Route("/api/voice-sample", routes.api_voice_sample, methods=["POST"]),
        WebSocketRoute("/ws/interview", routes.interview_socket),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ], lifespan=lifespan)
    app.state.web = state
    app.state.templates = Jinja2Templates(directory=str(HERE / "templates"))
    return Guard(app, state.token, hosts)
