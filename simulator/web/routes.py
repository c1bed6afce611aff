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
    from simulator.app.sessions import open_store

    return open_store(_state(request).settings)


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
    from simulator.app.options import NUMBERS, TEXTS, InterviewOptions
    from simulator.app.practice import bank_choices, machine_voices

    settings = _state(request).settings
    store = _store(request)
    try:
        recent = _summary_rows(store.recent(5))
    finally:
        store.close()
    banks, default_banks = bank_choices()
    try:
        voices = await asyncio.to_thread(machine_voices)
    except UserError as exc:
        voices, problem = (), exc.message
    else:
        problem = None
    return _page(request, "start.html", banks=banks, default_banks=default_banks, recent=recent, cfg=settings,
                 defaults=InterviewOptions(), limits=NUMBERS, texts=TEXTS, voices=voices, voice_problem=problem,
                 busy=_state(request).interview_lock.locked())


async def interview_page(request: Request) -> Response:
    # The options travel from the start page in the tab's session storage (a job description or a
    # résumé has no place in a URL or the history), and reach the server in the start message.
    return _page(request, "interview.html")


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
    from simulator.app.sessions import deletable

    store = _store(request)
    try:
        session = store.session(request.path_params["session_id"], exact=True)
        if request.method == "DELETE":
            try:
                deletable(store, session.id)
            except UserError as exc:
                return JSONResponse({"error": str(exc)}, status_code=409)
            store.delete_session(session.id)
            return JSONResponse({"deleted": session.id})
        return JSONResponse(_summary_rows([session])[0] | {"answers": [
            {"number": a.number, "question": a.question, "duration_s": a.duration_s, "stopped_by": a.stopped_by,
             "delivery": a.delivery.to_dict() if a.delivery is not None else None} for a in session.answers]})
    except UserError as exc:
        return JSONResponse({"error": exc.message}, status_code=404)
    finally:
        store.close()


MAX_BODY = 256 * 1024  # a start page's options: two long texts and a few numbers


async def _json_body(request: Request):
    """The request's JSON, refused past MAX_BODY bytes (read in pieces, never all at once)."""
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > MAX_BODY:
            raise UserError(f"the request is larger than {MAX_BODY // 1024} KB")
    try:
        return json.loads(body or b"{}")
    except (ValueError, RecursionError):
        raise UserError("the request is not JSON") from None


async def api_plan(request: Request) -> Response:
    """The interview these options would give, before it starts: each question and why (with the
    person's own model, the questions it writes, marked, and a line for each it did not use)."""
    from simulator.app.options import InterviewOptions
    from simulator.app.practice import plan_dict, preview

    def planned(options):
        store = _store(request)
        warnings: list[str] = []
        try:
            interviewer = preview(_state(request).settings, options, warnings.append, store)
            return {**plan_dict(interviewer), "warnings": warnings, "model_asked": interviewer.model is not None}
        finally:
            store.close()

    try:
        options = InterviewOptions.parse(await _json_body(request))
        return JSONResponse(await asyncio.to_thread(planned, options))
    except UserError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)


async def api_voice_sample(request: Request) -> Response:
    """The interviewer's greeting in a voice and rate from the start page (its "listen" button)."""
    from simulator.app.options import InterviewOptions
    from simulator.app.practice import voice_sample

    try:
        options = InterviewOptions.parse(await _json_body(request))
        wav = await asyncio.to_thread(voice_sample, _state(request).settings, options.voice, options.rate)
    except UserError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return Response(wav, media_type="audio/wav", headers={"Cache-Control": "no-store"})


async def api_state(request: Request) -> Response:
    state = _state(request)
    return JSONResponse({"interview_running": state.interview_lock.locked(), "latencies_s": state.latencies})


def _plain(value):
    """numpy scalars in an event, as JSON numbers."""
    return value.item() if hasattr(value, "item") else str(value)


def _escape(text: str) -> str:
    from html import escape

    return escape(text)


def _start_options(message: dict):
    """The options of a socket's first message, which must be {"type": "start", ...options}."""
    from simulator.app.options import InterviewOptions

    if message.get("text") is None:
        raise UserError("the first message must be the start message (JSON text), not audio")
    try:
        data = json.loads(message["text"])
    except (ValueError, RecursionError):
        raise UserError("the start message is not JSON") from None
    if not isinstance(data, dict) or data.get("type") != "start":
        raise UserError('the first message must be an object {"type": "start", ...options}')
    return InterviewOptions.parse({k: v for k, v in data.items() if k != "type"})


async def interview_socket(ws: WebSocket) -> None:
    """One interview per socket: the first message says how ({"type": "start", ...options});
    anything wrong with it gets one message back, and the socket closes."""
    from simulator.web.interview import Channel, interview

    state = ws.app.state.web
    await ws.accept()
    try:
        first = await ws.receive()
        if first["type"] == "websocket.disconnect":
            return
        options = _start_options(first)
    except WebSocketDisconnect:
        return
    except UserError as exc:
        await ws.send_json({"type": "error", "text": f"the interview cannot start: {exc}"})
        await ws.close()
        return
    if not state.interview_lock.acquire(blocking=False):
        await ws.send_json({"type": "error", "text": BUSY})
        await ws.close()
        return
    loop = asyncio.get_running_loop()
    outgoing: asyncio.Queue = asyncio.Queue()
    channel = Channel(lambda event: loop.call_soon_threadsafe(outgoing.put_nowait, event))

    def run() -> None:
        try:
            interview(channel, state.settings, options, state.load_transcriber)
        except UserError as exc:
            channel.send({"type": "error", "text": str(exc)})
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

    thread = threading.Thread(target=run, name="interview", daemon=True)
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
                except (ValueError, AttributeError, RecursionError):
                    continue
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        channel.close()
        if not sending.done():
            sending.cancel()
