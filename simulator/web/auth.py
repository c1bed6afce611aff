"""Who may use the server: whoever has the token, through an address of this machine.

As Jupyter does, the server prints its address with a random token; the first visit with
`?token=...` leaves a cookie, so links and the WebSocket need not carry it. Every request and
WebSocket is refused (403) unless:
- its Host header names the server as started (a DNS-rebinding page reaches 127.0.0.1 under its
  own host name, and is refused here even before the token is looked at);
- it carries the token (query, cookie, or an `Authorization: token ...` header);
- for a WebSocket, its Origin is the server itself (a page elsewhere cannot drive the microphone
  socket, even with the cookie the browser would send along).
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from http.cookies import SimpleCookie
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

    def __init__(self, app, token: str, hosts: set[str], cookie: str):
        self.app = app
        self.token = token
        self.hosts = {h.lower() for h in hosts}
        self.cookie = cookie

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "").lower()
        problem = None
        from_query = False
        if host not in self.hosts:
            problem = "this server answers only to its own address (Host header refused)"
        else:
            given, from_query = self._token(scope, headers)
            if given is None or not hmac.compare_digest(given.encode(), self.token.encode()):
                problem = "missing or wrong token: open the address interview-sim serve printed, token included"
            elif scope["type"] == "websocket" and headers.get("origin", "").lower() != f"http://{host}":
                problem = "this socket accepts pages of this server only (Origin refused)"
        if problem is not None:
            return await _refuse(scope, receive, send, problem)
        if from_query and scope["type"] == "http":
            send = self._with_cookie(send)
        return await self.app(scope, receive, send)

    def _token(self, scope, headers) -> tuple[str | None, bool]:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if query.get("token"):
            return query["token"][0], True
        auth = headers.get("authorization", "")
        if auth.lower().startswith("token "):
            return auth[6:].strip(), False
        if "cookie" in headers:
            jar = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:  # a malformed cookie header is simply no token
                return None, False
            if self.cookie in jar:
                return jar[self.cookie].value, False
        return None, False

    def _with_cookie(self, send):
        cookie = f"{self.cookie}={self.token}; Path=/; HttpOnly; SameSite=Strict".encode("latin-1")

        async def sending(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
            await send(message)

        return sending


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
