"""Pages, the small JSON API and the interview socket. The guard (auth.py) has run before any."""

from __future__ import annotations

import asyncio
import json
import re
import threading

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.websockets import WebSocket, WebSocketDisconnect

from simulator.errors import UserError

BUSY = ("An interview is already running in another tab or window. Finish it there (or close that tab), "
        "then start a new one here.")
NAV = ('<nav class="web-nav" style="margin:0 0 1rem;font:14px system-ui,sans-serif">'
       '<a href="/">New interview</a> · <a href="/sessions">Sessions</a> · <a href="/progress">Progress</a></nav>')


def _state(request):
    return request.app.state.web


def _store(request):
    from simulator.store import Store

    return Store(_state(request).store_root)


# With every page: never framed, never cached (pages hold a person's answers), and no Referer
# (the token is in each page's address). Each page's policy loads nothing from elsewhere.
_HEADERS = {"X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff"}


def _csp(request) -> dict:
    host = request.headers.get("host", "")
    return {"Content-Security-Policy": f"default-src 'none'; script-src 'self'; style-src 'self'; "
                                       f"connect-src 'self' ws://{host}; media-src 'self' data: blob:; "
                                       "img-src 'self' data:; base-uri 'none'; form-action 'self'; "
                                       "frame-ancestors 'none'", **_HEADERS}


def _report_headers() -> dict:
    """html.py's pages carry their stylesheet and script inline: the script is allowed by its hash."""
    import base64
    import hashlib

    from simulator.report.html import inline_script

    digest = base64.b64encode(hashlib.sha256(inline_script().encode()).digest()).decode()
    return {"Content-Security-Policy": f"default-src 'none'; script-src 'sha256-{digest}'; "
                                       "style-src 'unsafe-inline'; media-src data: blob:; img-src data:; "
                                       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'", **_HEADERS}


def _page(request, name: str, **context) -> Response:
    templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, headers=_csp(request))


def _summary_rows(sessions) -> list[dict]:
    from simulator.delivery.summary import summarize

    rows = []
    for s in sessions:
        sm = summarize([a.delivery for a in s.answers])
        rows.append({"id": s.id, "kind": s.kind, "started_at": s.started_at, "ended_at": s.ended_at,
                     "status": s.status, "answers": len(s.answers), "summary": sm.to_dict()})
    return rows


def _with_nav(request, html: str) -> str:
    """html.py's page, as written for a file, with the app's links on top (the token in each:
    the page runs no script of this server's to carry it)."""
    from html import escape
    from urllib.parse import quote

    token = escape(quote(_state(request).token, safe=""))
    nav = re.sub(r'href="([^"]*)"', lambda link: f'href="{link[1]}?token={token}"', NAV)
    return html.replace("<main>\n", "<main>\n" + nav + "\n", 1)


async def start_page(request: Request) -> Response:
    from simulator import config as config_mod
    from simulator.interview.interviewer import DEFAULT_BANKS
    from simulator.interview.questions import list_banks

    cfg = config_mod.load()
    store = _store(request)
    try:
        recent = _summary_rows(store.recent(5))
    finally:
        store.close()
    return _page(request, "start.html", banks=list_banks(), default_banks=DEFAULT_BANKS, recent=recent, cfg=cfg,
                 busy=_state(request).interview_lock.locked())


async def interview_page(request: Request) -> Response:
    options = {k: v for k, v in request.query_params.multi_items() if k != "token"}  # the token is not an option
    return _page(request, "interview.html", options=json.dumps(options | {"banks": request.query_params.getlist("banks")}))


async def sessions_page(request: Request) -> Response:
    store = _store(request)
    try:
        rows = _summary_rows(store.sessions())
    finally:
        store.close()
    return _page(request, "sessions.html", sessions=list(reversed(rows)))


async def report_page(request: Request) -> Response:
    from simulator.report.html import render_session

    store = _store(request)
    try:
        session = store.session(request.path_params["session_id"], exact=True)
        html = await asyncio.to_thread(render_session, session)
    except UserError as exc:
        return HTMLResponse(f"<p>{_escape(exc.message)}</p>", status_code=404)
    finally:
        store.close()
    return HTMLResponse(_with_nav(request, html), headers=_report_headers())


async def progress_page(request: Request) -> Response:
    from simulator.report.history import build_history, render_history

    store = _store(request)
    try:
        html = render_history(build_history(store.sessions()))
    finally:
        store.close()
    return HTMLResponse(_with_nav(request, html), headers=_report_headers())


async def api_sessions(request: Request) -> Response:
    store = _store(request)
    try:
        return JSONResponse(_summary_rows(store.sessions()))
    finally:
        store.close()


async def api_session(request: Request) -> Response:
    from simulator.recovery import owner_alive

    store = _store(request)
    try:
        session = store.session(request.path_params["session_id"], exact=True)
        if request.method == "DELETE":
            if session.status == "in_progress" and owner_alive(session.settings.get("owner")):
                return JSONResponse({"error": f"session {session.id} is being recorded: end that interview first"},
                                    status_code=409)
            store.delete_session(session.id)
            return JSONResponse({"deleted": session.id})
        return JSONResponse(_summary_rows([session])[0] | {"answers": [
            {"number": a.number, "question": a.question, "duration_s": a.duration_s, "stopped_by": a.stopped_by,
             "delivery": a.delivery.to_dict() if a.delivery is not None else None} for a in session.answers]})
    except UserError as exc:
        return JSONResponse({"error": exc.message}, status_code=404)
    finally:
        store.close()


async def api_state(request: Request) -> Response:
    state = _state(request)
    return JSONResponse({"interview_running": state.interview_lock.locked(), "latencies_s": state.latencies})


def _plain(value):
    """numpy scalars in an event, as JSON numbers."""
    return value.item() if hasattr(value, "item") else str(value)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


async def interview_socket(ws: WebSocket) -> None:
    """One interview per socket: the first message says how ({"type": "start", ...options})."""
    from simulator.web.interview import Channel, Options, run_interview

    state = ws.app.state.web
    await ws.accept()
    try:
        first = await ws.receive_json()
        options = Options.parse(first if isinstance(first, dict) else {})
    except (WebSocketDisconnect, ValueError, KeyError):
        return
    except UserError as exc:
        await ws.send_json({"type": "error", "text": exc.message})
        await ws.close()
        return
    if not state.interview_lock.acquire(blocking=False):
        await ws.send_json({"type": "error", "text": BUSY})
        await ws.close()
        return
    loop = asyncio.get_running_loop()
    outgoing: asyncio.Queue = asyncio.Queue()
    channel = Channel(lambda event: loop.call_soon_threadsafe(outgoing.put_nowait, event))

    def interview() -> None:
        try:
            run_interview(channel, state.store_root, options, state.load_transcriber, state.engine, state.model)
        except UserError as exc:
            channel.send({"type": "error", "text": exc.message + (f" ({exc.hint})" if exc.hint else "")})
        except Exception as exc:  # noqa: BLE001 - the page says what ended the interview; the store is saved
            channel.send({"type": "error", "text": f"the interview stopped: {type(exc).__name__}: {exc}"})
        finally:
            state.interview_lock.release()
            loop.call_soon_threadsafe(outgoing.put_nowait, None)

    async def sender() -> None:
        while (event := await outgoing.get()) is not None:
            if event.get("type") == "card" and event.get("latency_s") is not None:
                state.latencies.append(event["latency_s"])
            await ws.send_text(json.dumps(event, default=_plain))
        await ws.close()

    thread = threading.Thread(target=interview, name="interview", daemon=True)
    state.interview_thread = thread
    thread.start()
    sending = asyncio.create_task(sender())
    try:
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            if message.get("bytes") is not None:
                channel.received_audio(message["bytes"])
            elif message.get("text"):
                try:
                    channel.received(json.loads(message["text"]))
                except (ValueError, AttributeError):
                    continue
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        channel.close()
        if not sending.done():
            sending.cancel()
