"""OpenAI-compatible backend against real HTTP servers on 127.0.0.1 (no mocked client)."""

import socket
import threading

import pytest
from warmth_plugins.rewriters import OpenAIChatRewriter

from tests.local_chat_server import ChatServer
from warmth.styledata.rewriter import Request, RewriterUnavailable


def _reqs(n):
    return [Request(f"c{i}", 1, f"k{i}", [{"role": "system", "content": "warm"},
                                         {"role": "user", "content": f"<reply>\nr{i}\n</reply>"}], f"r{i}")
            for i in range(n)]


def _rw(url, **kw):
    kw.setdefault("api_key_env", None)
    kw.setdefault("backoff_s", 0.01)
    return OpenAIChatRewriter(base_url=url, model="m", **kw)


def _all(rw, reqs):
    rw.check()
    return [res for group in rw.rewrite(reqs) for res in group]


def test_retries_429_and_5xx_then_succeeds():
    seen = {}

    def reply(body):
        key = body["messages"][1]["content"]
        seen[key] = seen.get(key, 0) + 1
        if seen[key] == 1:
            return 429, '{"error": "slow down"}'
        if seen[key] == 2:
            return 503, '{"error": "busy"}'
        return 200, "warm " + key[-12:]

    with ChatServer(reply) as srv:
        results = _all(_rw(srv.base_url, max_retries=3, concurrency=2), _reqs(3))
    assert sorted(r.request.id for r in results) == ["c0", "c1", "c2"]
    assert all(r.text.startswith("warm ") and r.retried == 2 and r.error is None for r in results)
    assert all(body["model"] == "m" and body["temperature"] == 0.0 for body in srv.requests)


def test_exhausted_retries_count_as_failure_not_crash():
    with ChatServer(lambda body: (500, "boom")) as srv:
        results = _all(_rw(srv.base_url, max_retries=1), _reqs(2))
    assert [r.error.split(":")[0] for r in results] == ["http_500", "http_500"]
    assert len(srv.requests) == 4  # 1 try + 1 retry each


def test_concurrency_limit_is_respected():
    """At most ``concurrency`` requests are in flight, and that many really run together.

    No clock: the first 3 requests wait at a barrier that opens only when 3 are at the
    server at once (its timeout is a hang guard, reached only when fewer can be in flight).
    Catches a pool that runs requests one by one (checked: concurrency=2 breaks the
    barrier and the test fails) or lets more than 3 through (max would exceed 3).
    """
    lock, state = threading.Lock(), {"now": 0, "max": 0, "seen": 0}
    together = threading.Barrier(3, timeout=60)

    def reply(body):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            state["seen"] += 1
            first = state["seen"] <= 3
        try:
            if first:
                together.wait()
        except threading.BrokenBarrierError:
            return 400, "fewer than 3 requests were in flight together"
        finally:
            with lock:
                state["now"] -= 1
        return 200, "ok"

    with ChatServer(reply) as srv:
        results = _all(_rw(srv.base_url, concurrency=3), _reqs(10))
    assert len(results) == 10 and all(r.error is None for r in results), [r.error for r in results]
    assert state["max"] == 3


def test_missing_key_and_rejected_key_stop_the_run(monkeypatch):
    monkeypatch.delenv("WARMTH_TEST_KEY", raising=False)
    with pytest.raises(RewriterUnavailable, match="WARMTH_TEST_KEY is not set"):
        _rw("http://127.0.0.1:9", api_key_env="WARMTH_TEST_KEY").check()
    monkeypatch.setenv("WARMTH_TEST_KEY", "sk-test")
    with ChatServer(lambda body: (401, '{"error": "bad key"}')) as srv:
        rw = _rw(srv.base_url, api_key_env="WARMTH_TEST_KEY")
        with pytest.raises(RewriterUnavailable, match="API key rejected"):
            _all(rw, _reqs(1))


def test_unreachable_base_url_is_one_clear_error():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(RewriterUnavailable, match=f"cannot reach rewriter.base_url http://127.0.0.1:{port}"):
        _rw(f"http://127.0.0.1:{port}/v1").check()


def test_retry_after_is_the_wait_the_rewriter_decides():
    """The rewriter's client is ChatAPI: a 429's Retry-After is its recorded wait (fails if the
    rewriter kept its own client or ignored the header: no wait or 0.01 s recorded)."""
    answers = iter([(429, "slow down", {"Retry-After": "4"}), (200, "warm r0")])
    with ChatServer(lambda body: next(answers)) as srv:
        rw = _rw(srv.base_url, max_retries=2)
        rw.check()
        waits: list[float] = []
        rw.api.sleep = waits.append
        (res,) = [r for group in rw.rewrite(_reqs(1)) for r in group]
    assert res.text == "warm r0" and res.retried == 1 and waits == [4.0]


def test_a_server_that_only_errors_stops_the_run():
    with ChatServer(lambda body: (500, "boom")) as srv:
        rw = _rw(srv.base_url, max_retries=0, concurrency=1, max_failures_in_a_row=3)
        with pytest.raises(RewriterUnavailable, match=r"rewriter endpoint .* 3 requests in a row failed"):
            _all(rw, _reqs(5))
    assert len(srv.requests) == 3
