"""A real OpenAI-compatible HTTP server on 127.0.0.1 with scripted replies, for API tests.

Speaks ``POST /v1/chat/completions`` over a socket like any server would;
``reply(body) -> (status, content)`` decides each answer. Requests are kept
for assertions. (Tests against a real model server are marked slow.)
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from typing_extensions import Self


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

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
