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


def bracketed(address: str) -> str:
    """An address as it stands in a URL or a Host header (IPv6 in brackets)."""
    return f"[{address}]" if ":" in address else address


def is_any_address(host: str) -> bool:
    """0.0.0.0 or ::: the server listens on every address of this machine."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


class Hosts:
    """The Host header values that name this server: its own address (any loopback name for a
    loopback one) and port. Bound to every address, any IP address with its port names it: a
    DNS-rebinding page always arrives under a host name, never an address, so it is still refused."""

    def __init__(self, host: str, port: int):
        names = {bracketed(host)}
        if is_loopback(host) or is_any_address(host):
            names |= set(LOOPBACK_NAMES)
        self.names = {f"{name}:{port}".lower() for name in names}
        self.port = port
        self.any_address = is_any_address(host)

    def __contains__(self, value: str) -> bool:
        if value.lower() in self.names:
            return True
        address, _, port = value.rpartition(":")
        if not self.any_address or port != str(self.port):
            return False
        try:
            ipaddress.ip_address(address[1:-1] if address.startswith("[") and address.endswith("]") else address)
        except ValueError:
            return False
        return True


def reachable_addresses(host: str) -> list[str]:
    """Where a person can reach a server bound to `host`: the address itself, or, bound to every
    address, this machine's loopback address and the addresses its name resolves to."""
    import socket

    if not is_any_address(host):
        return [host]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    found = ["::1" if family == socket.AF_INET6 else "127.0.0.1"]
    candidates = []
    # The address other machines see: the source of the default route. A UDP socket's connect
    # only looks the route up; nothing is sent.
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("2001:db8::1" if family == socket.AF_INET6 else "192.0.2.1", 9))
            candidates.append(probe.getsockname()[0])
        except OSError:  # no route out: loopback is still there
            pass
    try:
        candidates += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, family,
                                                                 socket.SOCK_STREAM)]
    except OSError:  # a machine whose own name does not resolve
        pass
    for address in candidates:
        if address not in found and not ipaddress.ip_address(address).is_loopback:
            found.append(address)
    return found


class Guard:
    """ASGI middleware: the checks above, before anything else runs."""

    def __init__(self, app, token: str, hosts: Hosts):
        self.app = app
        self.token = token
        self.hosts = hosts

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
