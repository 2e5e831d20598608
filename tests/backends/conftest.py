"""A scripted OpenAI-compatible chat server on 127.0.0.1 for the openai backend's tests."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest


class Script:
    """What the server answers, one entry per request: ("status", code) or ("stream", pieces, finish,
    usage) or ("die", pieces) (drops the connection after the pieces) or ("stall", seconds) (sends
    nothing for that long, then a one-word reply).

    `route(body)`: a reply for a request, or None to take one from `by_prompt` / `replies` (called
    before the request is counted; it may wait, e.g. for other requests).
    `by_prompt[text]`: the replies, in turn, for requests whose last message is `text` (taken before
    `replies`), for concurrent requests that arrive in any order.
    `gate = k`: the first k requests wait (up to 10 s) until k requests have arrived before they
    answer, so a client that sends k at once is seen with k in flight whatever the machine's load."""

    def __init__(self) -> None:
        self.replies: list[tuple[Any, ...]] = []
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.route: Callable[[dict[str, Any]], tuple[Any, ...] | None] | None = None
        self.by_prompt: dict[str, list[tuple[Any, ...]]] = {}
        self.gate = 0
        self.arrived = threading.Condition(self.lock)


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            routed = script.route(body) if script.route is not None else None
            with script.lock:
                script.requests.append(body)
                script.headers.append(dict(self.headers))
                mine = script.by_prompt.get(body["messages"][-1]["content"])
                if routed is not None:
                    reply = routed
                elif mine:
                    reply = mine.pop(0)
                else:
                    reply = script.replies.pop(0) if script.replies else ("stream", ["ok"], "stop", None)
                script.in_flight += 1
                script.max_in_flight = max(script.max_in_flight, script.in_flight)
                script.arrived.notify_all()
                if len(script.requests) <= script.gate:
                    script.arrived.wait_for(lambda: len(script.requests) >= script.gate, timeout=10)
            self.counted = True
            try:
                self._answer(reply)
            finally:
                self._done()

        def _done(self) -> None:
            # Called before the last bytes go out: once the client has them it may send its next
            # request, and counting this one as in flight until the handler returns would see
            # one more request at once than the client ever sent (a race on a loaded machine).
            if self.counted:
                self.counted = False
                with script.lock:
                    script.in_flight -= 1

        def _answer(self, reply: tuple[Any, ...]) -> None:
            if reply[0] == "stall":
                time.sleep(reply[1])
                reply = ("stream", ["late"], "stop", None)
            if reply[0] == "status":
                data = b'{"error": "busy"}'
                self.send_response(reply[1])
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self._done()
                self.wfile.write(data)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces = reply[1]
            for piece in pieces:
                chunk = {"choices": [{"delta": {"content": piece}, "finish_reason": None}]}
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
                time.sleep(0.01)
            if reply[0] == "die":
                self._done()
                self.connection.shutdown(2)
                return
            _, _, finish, usage = reply
            self._done()
            self.wfile.write(f"data: {json.dumps({'choices': [{'delta': {}, 'finish_reason': finish}]})}\n\n".encode())
            if usage is not None:
                self.wfile.write(f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

    return Handler


@pytest.fixture
def make_server() -> Iterator[Callable[[], tuple[str, Script]]]:
    """Start scripted servers on demand: `url, script = make_server()`; all stopped afterwards."""
    running: list[ThreadingHTTPServer] = []

    def start() -> tuple[str, Script]:
        script = Script()
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        running.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}/v1", script

    yield start
    for httpd in running:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def server(make_server: Callable[[], tuple[str, Script]]) -> tuple[str, Script]:
    """One scripted server: (its /v1 URL, its Script)."""
    return make_server()
