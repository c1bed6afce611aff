"""Talking to the person's own model server: where it is, and one question with a time budget.

`check_url` decides whether an address may be used at all: only this machine's loopback
(127.0.0.0/8, ::1, `localhost`) unless the person allows another host (`--allow-remote-llm`).
It reads the address only, so a refused address is refused before any socket opens (a name is
never looked up: `localhost` is taken at its word, every other name needs the permission).

`ask_json` sends one chat completion asking for JSON that follows a schema (`response_format`,
which Ollama, llama-server, LM Studio and vLLM accept), checks the reply against that schema,
and gives up when the budget runs out: the call is cancelled (its socket shut) and the caller
falls back to its rules. Standard library only (http.client).
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from simulator.errors import UserError
from simulator.llm.schema import problems

MAX_REPLY_BYTES = 1_000_000  # a reply this program reads is a few hundred bytes of JSON


class ModelFailure(Exception):
    """The model gave nothing usable; `reason` says why in a few words ("no answer within 2.5 s")."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class LocalModel:
    """An OpenAI-compatible server at `base` (its /v1 address) and the model asked for there."""

    scheme: str
    host: str
    port: int
    base: str  # the path the API lives under, ending in /v1
    model: str = ""  # empty: the first the server lists (see `with_listed_model`)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}{self.base}"

    def with_listed_model(self, budget_s: float) -> LocalModel:
        """This model, named: when none was chosen, the first the server lists. Raises ModelFailure."""
        if self.model:
            return self
        listed = self.models(budget_s)
        if not listed:
            raise ModelFailure("the server lists no model")
        return LocalModel(self.scheme, self.host, self.port, self.base, listed[0])

    def models(self, budget_s: float) -> list[str]:
        """The models the server offers (GET /v1/models). Raises ModelFailure."""
        data = _within(budget_s, _Call(self, "GET", "/models", None, budget_s))
        entries = data.get("data") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise ModelFailure("the server's model list is not an OpenAI-style list")
        return [str(e["id"]) for e in entries if isinstance(e, dict) and e.get("id")]


@dataclass(frozen=True, slots=True)
class Reply:
    data: dict  # the model's JSON, checked against the schema
    seconds: float  # from sending to the checked reply
    tokens: int | None  # completion tokens, when the server says


def check_url(url: str, allow_remote: bool = False, given_as: str = "--llm") -> LocalModel:
    """The server at `url` (e.g. http://127.0.0.1:11434; /v1 is added when missing), or UserError
    naming it as the person gave it (`given_as`: the option, or the setting).

    Refuses any host but this machine's loopback unless `allow_remote`. Nothing is sent here."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UserError(f"{given_as} {text!r} is not an address: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UserError(f"{given_as} {text!r} is not an http:// address",
                        hint="for example --llm http://127.0.0.1:11434 (Ollama) or http://127.0.0.1:8080 (llama-server)")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise UserError(f"{given_as} {text!r}: give the server's address only (no user name, password, ? or #)")
    host = parts.hostname
    if not allow_remote and not is_loopback(host):
        raise UserError(f"{given_as} {text!r} is not on this machine: only loopback addresses (127.0.0.1, ::1, "
                        "localhost) are used, and nothing was sent",
                        hint="to send your answers to another machine, add --allow-remote-llm")
    base = parts.path.rstrip("/")
    if not base.endswith("/v1"):
        base += "/v1"
    return LocalModel(parts.scheme, host, port or (443 if parts.scheme == "https" else 80), base)


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: only `localhost` is trusted without looking it up


def ask_json(model: LocalModel, messages: list[dict], schema: dict, name: str, budget_s: float,
             max_tokens: int, stop: threading.Event | None = None,
             guide: dict[str, dict] | None = None, frequency_penalty: float = 0.0) -> Reply:
    """The model's JSON reply to `messages`, following `schema`, within `budget_s`. Raises
    ModelFailure (refused, slow, not JSON, not following the schema, or `stop` set: cancelled).

    `guide`: for some of the schema's properties, more for the server to follow as it writes (an
    `enum` to pick from, a `pattern`), merged into the schema sent; servers that follow schemas
    build their grammar from it, so the model cannot write anything else. The reply is checked
    against `schema` alone: a server may ignore the guide, and the caller checks what came back.

    `frequency_penalty`: OpenAI's, sent when not 0 (each token's likelihood lowered the more it
    was written already: a small model's loop, saying one clause again and again, is cut short)."""
    sent = schema
    if guide:
        sent = {**schema, "properties": {key: {**sub, **guide.get(key, {})} for key, sub in schema["properties"].items()}}
    body = {"model": model.model, "messages": messages, "temperature": 0, "max_tokens": max_tokens,
            "stream": False,
            "response_format": {"type": "json_schema", "json_schema": {"name": name, "schema": sent, "strict": True}}}
    if frequency_penalty:
        body["frequency_penalty"] = frequency_penalty
    start = time.monotonic()
    data = _within(budget_s, _Call(model, "POST", "/chat/completions", body, budget_s), stop)
    try:
        choice = data["choices"][0]
        content = choice["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ModelFailure("the reply is not an OpenAI-style chat completion") from None
    if choice.get("finish_reason") == "length":
        raise ModelFailure(f"the reply was cut off at {max_tokens} tokens")
    try:
        value = json.loads(content)
    except (TypeError, ValueError):
        raise ModelFailure("the reply was not JSON") from None
    wrong = problems(value, schema)
    if wrong:
        raise ModelFailure(f"the reply did not follow the schema ({wrong[0]})")
    usage = data.get("usage") if isinstance(data.get("usage"), dict) else {}
    tokens = usage.get("completion_tokens")
    return Reply(value, time.monotonic() - start, tokens if isinstance(tokens, int) else None)


class _Call:
    """One HTTP request on a worker thread; `cancel` shuts its socket from any thread."""

    def __init__(self, model: LocalModel, method: str, path: str, body: dict | None, budget_s: float):
        self.model, self.method, self.path, self.body, self.budget_s = model, method, path, body, budget_s
        self.done = threading.Event()
        self.result: dict | None = None
        self.failure: ModelFailure | None = None
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None
        self._cancelled = False

    def run(self) -> None:
        try:
            self.result = self._request()
        except ModelFailure as exc:
            self.failure = exc
        except (OSError, http.client.HTTPException) as exc:
            self.failure = ModelFailure(_network_reason(exc, self.model))
        finally:
            self.done.set()
            self._close()

    def _request(self) -> dict:
        kind = http.client.HTTPSConnection if self.model.scheme == "https" else http.client.HTTPConnection
        connection = kind(self.model.host, self.model.port, timeout=self.budget_s)
        with self._lock:
            if self._cancelled:
                raise ModelFailure("cancelled")
            self._connection = connection
        connection.connect()
        payload = json.dumps(self.body).encode() if self.body is not None else None
        headers = {"Content-Type": "application/json", "Accept": "application/json"} if payload else {}
        connection.request(self.method, self.model.base + self.path, body=payload, headers=headers)
        response = connection.getresponse()
        raw = response.read(MAX_REPLY_BYTES + 1)
        if response.status != 200:
            raise ModelFailure(f"the server answered HTTP {response.status} {response.reason}".rstrip())
        if len(raw) > MAX_REPLY_BYTES:
            raise ModelFailure("the reply was larger than any this program asks for")
        try:
            return json.loads(raw)
        except ValueError:
            raise ModelFailure("the server's answer was not JSON") from None

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
            connection = self._connection
        if connection is not None and connection.sock is not None:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)  # wakes a read blocked in the worker
            except OSError:
                pass

    def _close(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()


def _within(budget_s: float, call: _Call, stop: threading.Event | None = None) -> dict:
    threading.Thread(target=call.run, daemon=True, name="local-model").start()
    deadline = time.monotonic() + budget_s
    while not call.done.wait(max(0.0, min(0.05 if stop is not None else budget_s, deadline - time.monotonic()))):
        if stop is not None and stop.is_set():
            call.cancel()
            raise ModelFailure("cancelled")
        if time.monotonic() >= deadline:
            call.cancel()
            raise ModelFailure(f"no answer within {budget_s:g} s")
    if call.failure is not None:
        raise call.failure
    return call.result


def _network_reason(exc: Exception, model: LocalModel) -> str:
    if isinstance(exc, ConnectionRefusedError):
        return f"nothing is listening at {model.url}"
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "the server did not answer in time"
    return f"the server could not be reached ({type(exc).__name__}: {exc})"[:160]
