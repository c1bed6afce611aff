"""`interview-sim serve`: start the browser app on this machine and print its address."""

from __future__ import annotations

import os
import sys
import threading

from simulator.errors import EnvironmentProblem, UserError


def serve(args) -> int:
    from simulator import config
    from simulator.app.sessions import check_model, open_store, recordings_root, recover, transcriber_loader
    from simulator.web.auth import Hosts, bracketed, is_loopback, new_token, reachable_addresses

    host = args.host
    if not is_loopback(host) and not args.allow_remote:
        raise UserError(f"not serving on {host}: anyone who can reach it could use your microphone page",
                        hint="use the default 127.0.0.1, or add --allow-remote if you really mean it")
    settings = config.resolve(args)
    root = recordings_root(settings)
    check_model(settings)
    store = open_store(settings)
    try:
        store.ensure_writable()
        # A server killed mid-answer left audio behind: analysed and stored now, as `practice` does.
        load = recover(store, transcriber_loader(settings), lambda line: print(f"interview-sim: {line}",
                                                                                 file=sys.stderr))
    finally:
        store.close()
    # The model loads while the person reads the start page.
    threading.Thread(target=load, name="model", daemon=True).start()

    import socket

    import uvicorn

    from simulator.web.app import State, create_app

    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, args.port))
        sock.listen(128)  # the address printed below answers at once (uvicorn accepts from here)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot listen on {host}:{args.port}: {exc.strerror}",
                                 hint="choose another port with --port (0 picks a free one)") from None
    port = sock.getsockname()[1]
    token = args.token or new_token()
    state = State(settings=settings, load_transcriber=load, token=token)
    app = create_app(state, Hosts(host, port))
    urls = [f"http://{bracketed(address)}:{port}/?token={token}" for address in reachable_addresses(host)]
    url = urls[0]
    print("interview-sim is serving on this machine. Open this address in your browser (the token in it "
          "keeps other sites and users out):", flush=True)
    for each in urls:
        print(f"    {each}", flush=True)
    print(f"Sessions are stored in {root}. Ctrl-C stops the server.", flush=True)
    if args.open:
        import webbrowser

        if not webbrowser.open(url):
            print("interview-sim: could not start a web browser; open the address above yourself", file=sys.stderr)
    config = uvicorn.Config(app, log_level="warning", ws="websockets-sansio", lifespan="on", ws_max_size=4 << 20)
    server = _server_class()(config)
    server.run(sockets=[sock])
    return 0


def _server_class():
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's, but a second signal ends the process at once.

        uvicorn takes SIGINT and SIGTERM over while it serves. On the first, it shuts down and waits
        for the answer being taken to be analysed and stored (app.SHUTDOWN_WAIT_S); on a second it
        only raised a flag, so the process went on for as long as that analysis took. Here it ends
        now: what is stored stays, and the answer left unanalysed is recovered on the next start."""

        def handle_exit(self, sig, frame) -> None:
            if self.should_exit:
                first = self._captured_signals[0] if self._captured_signals else sig
                os.write(2, b"interview-sim: stopped at once by a second signal; the answer being analysed "
                            b"is kept on disk and recovered on the next start\n")
                os._exit(128 + first)
            super().handle_exit(sig, frame)

    return Server
