"""Who may use the server: whoever has the token, through an address of this machine.

As Jupyter does, the server prints its address with a random token. No cookie is ever set: a
browser sends a cookie of 127.0.0.1 to every port of 127.0.0.1 (cookies are not port-scoped), so
any other local listener a person is led to would receive it. The token stays in each page's
address instead, and the page (static/token.js) sends it with each request: in the query of
links, forms and the WebSocket, in an `Authorization: token ...` header for `fetch`. Every request
and WebSocket is refused (403) unless:
- its Host header names the server as started (a DNS-rebinding page reaches 127.0.0.1 under its
  own host name, and is refused here even before the token is looked at);
- it carries the token (query or `Authorization` header), except a GET of /static/: the
  program's own scripts and stylesheet, the same for everyone and holding nothing of a person's;
- for a WebSocket, its Origin is the server itself (a page elsewhere cannot drive the microphone
  socket).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from urllib.parse import parse_qs

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host header values that name this server."""
    names = set(LOOPBACK_NAMES) if is_loopback(host) else {host if ":" not in host else f"[{host}]"}
    return {f"{name}:{port}" for name in names}


class Guard:
    """ASGI middleware: the checks above, before anything else runs."""

    def __init__(self, app, token: str, hosts: set[str]):
        self.app = app
        self.token = token
        self.hosts = {h.lower() for h in hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "").lower()
        problem = None
        if host not in self.hosts:
            problem = "this server answers only to its own address (Host header refused)"
        elif not _public(scope):
            given = self._token(scope, headers)
            if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
                problem = "missing or wrong token: open the address interview-sim serve printed, token included"
            elif scope["type"] == "websocket" and headers.get("origin", "").lower() != f"http://{host}":
                problem = "this socket accepts pages of this server only (Origin refused)"
        if problem is not None:
            return await _refuse(scope, receive, send, problem)
        return await self.app(scope, receive, send)

    def _token(self, scope, headers) -> str | None:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token"):
            return query["token"][0]
        auth = headers.get("authorization", "")
        if auth.lower().startswith("token "):
            return auth[6:].strip()
        return None


def _public(scope) -> bool:
    return scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and scope["path"].startswith("/static/")


async def _refuse(scope, receive, send, text: str) -> None:
    if scope["type"] == "websocket":
        # Closing before accepting: the server answers the handshake with 403.
        await send({"type": "websocket.close", "code": 1008, "reason": text[:120]})
        return
    body = f"403 Forbidden: {text}\n".encode()
    await send({"type": "http.response.start", "status": 403,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
