"""A real OpenAI-compatible HTTP server on 127.0.0.1 with scripted replies, for API tests.

Speaks ``POST /v1/chat/completions`` over a socket like any server would;
``reply(body) -> (status, content)`` or ``(status, content, headers)``
decides each answer. Requests (and their headers, in ``headers``) are kept
for assertions. ``hold(k)`` makes the server keep its k-th request waiting
until the test releases it, so a test can interrupt a client at an exact
point without a clock. (Tests against a real model server are marked slow.)
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Callable
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler

from typing_extensions import Self

from tests.loopback import serving


class Hold:
    """The server's k-th POST (1-based, counted over the server's life), kept unanswered.

    The handler thread blocks in :meth:`_enter` until :meth:`release`; the
    test blocks in :meth:`wait` until the request has arrived (or the client
    it watches has exited first, which the test then reports).
    """

    def __init__(self, k: int):
        self.k = k
        self.arrived = False
        self._wake = threading.Event()
        self._released = threading.Event()

    def _enter(self) -> None:
        self.arrived = True
        self._wake.set()
        self._released.wait()

    def wait(self, proc: subprocess.Popen | None = None, timeout: float = 600) -> bool:
        """Block until request k is held, or ``proc`` exits; True when it is held.

        ``timeout`` is only a hang guard (a client stuck for ever fails the test);
        no passing run waits on it.
        """
        if proc is not None:
            threading.Thread(target=lambda: (proc.wait(), self._wake.set()), daemon=True).start()
        self._wake.wait(timeout)
        return self.arrived

    def release(self) -> None:
        self._released.set()


class ChatServer:
    def __init__(self, reply: Callable[[dict], tuple[int, str]]):
        self.reply = reply
        self.requests: list[dict] = []
        self.headers: list[dict[str, str]] = []
        self._holds: dict[int, Hold] = {}
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with outer._lock:
                    outer.requests.append(body)
                    outer.headers.append(dict(self.headers))
                    hold = outer._holds.get(len(outer.requests))
                if hold is not None:
                    hold._enter()
                status, content, *extra = outer.reply(body)
                if status == 200:
                    n = int(body.get("n", 1))
                    payload = {"id": "x", "object": "chat.completion", "model": body.get("model"),
                               "choices": [{"index": i, "message": {"role": "assistant", "content": content},
                                            "finish_reason": "stop"} for i in range(n)]}
                    data = json.dumps(payload).encode()
                else:
                    data = content.encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    for name, value in (extra[0] if extra else {}).items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client was killed while its request was held
                    self.close_connection = True

        self.handler, self.base_url = Handler, ""
        self._stack = ExitStack()

    def hold(self, k: int) -> Hold:
        """Keep the k-th request (counted from the server's start) until ``release()``."""
        with self._lock:
            assert k > len(self.requests), f"request {k} has already been answered"
            self._holds[k] = Hold(k)
            return self._holds[k]

    def __enter__(self) -> Self:
        self.base_url = self._stack.enter_context(serving(self.handler, "chat-server")) + "/v1"
        return self

    def __exit__(self, *exc) -> None:
        for hold in self._holds.values():  # never leave a handler thread blocked
            hold.release()
        self._stack.close()
