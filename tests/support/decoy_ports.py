"""The ports of `make run` (every `*_PORT` of dev.env: 8000-8006, and the internal ones of metrics and
probes, 9100-9126), held by decoys for the whole test run.

A test that reaches a default port by accident would pass or fail depending on whether `make run` is
running in another terminal. The decoys answer every request the way a running stack might not expect:
200 with a JSON body naming the mistake, so such a test fails every time instead. A port that is
already taken (by `make run` itself) is left alone: it is just as busy.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devtools.envfile import read_dev_env

MAKE_RUN_PORTS = tuple(sorted({int(v) for k, v in read_dev_env().items() if k.endswith("_PORT")}))
ANSWER = json.dumps({"decoy": "a test reached a default port of `make run`; give it its own"}).encode()


class _Decoy(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(ANSWER)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(ANSWER)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _answer  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        return None


@contextmanager
def decoys(ports: Iterable[int] = MAKE_RUN_PORTS) -> Iterator[list[int]]:
    """Hold every free port of `ports` with a decoy; yield the ports held."""
    servers: list[ThreadingHTTPServer] = []
    for port in ports:
        try:
            server = ThreadingHTTPServer(("127.0.0.1", port), _Decoy)
        except OSError:
            continue  # busy already
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, name=f"decoy-{port}", daemon=True).start()
        servers.append(server)
    try:
        yield [server.server_address[1] for server in servers]
    finally:
        # All at once: shutdown() waits for the serving loop's next look (0.5 s), and one after the other
        # some thirty decoys took seconds at the end of every run and nested run.
        stopping = [threading.Thread(target=server.shutdown) for server in servers]
        for thread in stopping:
            thread.start()
        for thread in stopping:
            thread.join()
        for server in servers:
            server.server_close()
