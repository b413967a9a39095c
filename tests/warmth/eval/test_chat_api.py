"""The one OpenAI-compatible client (backend, judge, rewriter) against real servers on 127.0.0.1.

Each fault a service can show: refused connections, 401, 429 with
Retry-After, 500, a server that never answers in time. Waits are checked as
the client's recorded decisions (``sleep`` injected), never by the clock.
Each test was seen to fail with its guarantee patched out: Retry-After ignored
in ``ChatAPI.delay`` (waits became [0.5]), 401 made retryable (3 requests,
``RequestFailed``), transport errors returned in the slot instead of raised,
the in-a-row counter never reset or never checked, the key file ignored.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from tests.local_chat_server import ChatServer
from tests.loopback import serving
from warmth.errors import ConfigError
from warmth.eval.chat_api import ChatAPI, EndpointUnavailable, RequestFailed

MSG = [{"role": "user", "content": "hi"}]


def _api(url, **kw):
    waits: list[float] = []
    kw.setdefault("api_key_env", None)
    kw.setdefault("backoff", 0.5)
    api = ChatAPI(url, "m", sleep=waits.append, **kw)
    return api, waits


def closed_port() -> int:
    with socket.socket() as s:  # bound, never listening, then released: connections are refused
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_429_waits_as_long_as_retry_after_says():
    answers = iter([(429, "slow down", {"Retry-After": "7"}), (200, "fine")])
    with ChatServer(lambda body: next(answers)) as srv:
        api, waits = _api(srv.base_url, max_retries=3)
        reply = api.request(MSG)
    assert reply.texts == ["fine"] and reply.retried == 1
    assert waits == [7.0] == api.waits  # the server's delay, not our 0.5 s backoff


def test_retry_after_is_capped_and_backoff_doubles_without_it():
    answers = iter([(503, "busy", {"Retry-After": "3600"}), (500, "boom"), (500, "boom")])
    with ChatServer(lambda body: next(answers)) as srv:
        api, waits = _api(srv.base_url, max_retries=2, max_backoff=30)
        with pytest.raises(RequestFailed, match="HTTP 500: boom") as err:
            api.request(MSG)
    assert waits == [30.0, 1.0]  # Retry-After capped at max_backoff; then 0.5 * 2**1
    assert err.value.status == 500 and err.value.retried == 2 and len(srv.requests) == 3


def test_401_stops_at_once_naming_the_endpoint():
    with ChatServer(lambda body: (401, '{"error": "bad key"}')) as srv:
        api, waits = _api(srv.base_url, max_retries=3)
        with pytest.raises(EndpointUnavailable) as err:
            api.complete_many([MSG, MSG, MSG], {})
    line = str(err.value)
    assert f"endpoint {srv.base_url}/chat/completions" in line and "HTTP 401, API key rejected" in line
    assert "\n" not in line and waits == []  # never retried
    assert len(srv.requests) == 3  # the ones already in flight, none of them again


def test_refused_connection_is_bounded_then_one_line():
    url = f"http://127.0.0.1:{closed_port()}/v1"
    api, waits = _api(url, max_retries=2, owner="judge")
    with pytest.raises(EndpointUnavailable, match=rf"judge endpoint {url}/chat/completions: no answer after 3 tries "
                                                  r"\(ConnectError"):
        api.complete_many([MSG], {})
    assert waits == [0.5, 1.0]


def test_a_server_that_never_answers_in_time():
    release = threading.Event()

    class Held(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            release.wait()  # until the client has given up: no race on how long that takes

    with serving(Held) as url:
        api, waits = _api(url + "/v1", max_retries=1, timeout=0.2)
        try:
            with pytest.raises(EndpointUnavailable, match=r"no answer after 2 tries \(ReadTimeout"):
                api.request(MSG)
        finally:
            release.set()
    assert waits == [0.5]


def test_server_errors_fail_requests_alone_until_too_many_in_a_row():
    def reply(body):
        return (200, "ok") if body["messages"][0]["content"] == "good" else (500, "boom")

    good, bad = [{"role": "user", "content": "good"}], [{"role": "user", "content": "bad"}]
    with ChatServer(reply) as srv:
        api, _ = _api(srv.base_url, max_retries=0, max_failures_in_a_row=3, concurrency=1)
        out = api.complete_many([bad, bad, good, bad, bad], {})  # a success resets the count
        assert [type(o).__name__ if isinstance(o, Exception) else o for o in out] == \
            ["RequestFailed", "RequestFailed", ["ok"], "RequestFailed", "RequestFailed"]
        with pytest.raises(EndpointUnavailable, match="3 requests in a row failed, the last with HTTP 500: boom"):
            api.complete_many([bad], {})


def test_key_from_a_named_file_or_variable_and_missing_keys(tmp_path, monkeypatch):
    key_file = tmp_path / "key.txt"
    key_file.write_text("sk-from-file\n")
    monkeypatch.setenv("WARMTH_TEST_KEY", "sk-from-env")
    with ChatServer(lambda body: (200, "ok")) as srv:
        _api(srv.base_url, api_key_env="WARMTH_TEST_KEY", api_key_file=str(key_file))[0].request(MSG)
        _api(srv.base_url, api_key_env="WARMTH_TEST_KEY")[0].request(MSG)
        _api(srv.base_url)[0].request(MSG)
    assert [h.get("Authorization") for h in srv.headers] == ["Bearer sk-from-file", "Bearer sk-from-env", None]
    monkeypatch.delenv("WARMTH_TEST_KEY")
    with pytest.raises(ConfigError, match="missing API key: environment variable WARMTH_TEST_KEY is not set"):
        _api("http://127.0.0.1:9/v1", api_key_env="WARMTH_TEST_KEY", require_key=True)  # the rewriter's choice
    assert "Authorization" not in _api("http://127.0.0.1:9/v1", api_key_env="WARMTH_TEST_KEY")[0].headers
    with pytest.raises(ConfigError, match="api_key_file .*nope.txt is not a file"):
        _api("http://127.0.0.1:9/v1", api_key_file=str(tmp_path / "nope.txt"))
