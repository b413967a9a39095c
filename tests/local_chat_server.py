"""A real OpenAI-compatible HTTP server on 127.0.0.1 with scripted replies, for API tests.

Speaks ``POST /v1/chat/completions`` over a socket like any server would;
``reply(body) -> (status, content)`` decides each answer. Requests are kept
for assertions. (Tests against a real model server are marked slow.)
"""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler

from typing_extensions import Self

from tests.loopback import serving


class ChatServer:
    def __init__(self, reply: Callable[[dict], tuple[int, str]]):
        self.reply = reply
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                status, content = outer.reply(body)
                if status == 200:
                    n = int(body.get("n", 1))
                    payload = {"id": "x", "object": "chat.completion", "model": body.get("model"),
                               "choices": [{"index": i, "message": {"role": "assistant", "content": content},
                                            "finish_reason": "stop"} for i in range(n)]}
                    data = json.dumps(payload).encode()
                else:
                    data = content.encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.handler, self.base_url = Handler, ""
        self._stack = ExitStack()

    def __enter__(self) -> Self:
        self.base_url = self._stack.enter_context(serving(self.handler, "chat-server")) + "/v1"
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()
