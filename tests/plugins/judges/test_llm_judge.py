"""The LLM judge against a real HTTP server on 127.0.0.1 speaking the OpenAI protocol."""

from __future__ import annotations

import pytest
from warmth_plugins.judges.llm import LLMJudge, parse

from tests.local_chat_server import ChatServer
from warmth.eval.chat_api import EndpointUnavailable
from warmth.eval.interfaces import Item, Prompt


def prompts(n):
    out = []
    for i in range(n):
        item = Item(id=str(i), question=f"Q{i}?", correct_answer=f"A{i}", incorrect_answer="W")
        out.append(Prompt(item=item, task="trivia", template="original", context="unmodified", statement_id=None,
                          messages=[], text=f"Q{i}?"))
    return out


def test_parse():
    assert parse("CORRECT") == "correct" and parse(" incorrect.\n") == "incorrect"
    assert parse("CORRECT or INCORRECT") is None and parse("") is None and parse("Probably correct") is None


def test_verdicts_raw_output_nonsense_and_cache(tmp_path):
    def reply(body):
        text = body["messages"][1]["content"]
        assert body["temperature"] == 0
        if "Reference answer: A0" in text:
            return 200, "CORRECT"
        if "Reference answer: A1" in text:
            return 200, "INCORRECT"
        return 200, "The reply seems fine to me!"

    with ChatServer(reply) as srv:
        judge = LLMJudge(base_url=srv.base_url, model="judge-model", cache_path=str(tmp_path / "c.jsonl"),
                         max_retries=0, api_key_env=None)
        v = judge.judge(prompts(3), ["a", "b", "c"])
        assert [x.verdict for x in v] == ["correct", "incorrect", "unscored"]
        assert v[2].raw == "The reply seems fine to me!" and v[2].reason == "judge output not parseable"
        assert len(srv.requests) == 3
        again = LLMJudge(base_url=srv.base_url, model="judge-model", cache_path=str(tmp_path / "c.jsonl"),
                         max_retries=0, api_key_env=None)
        assert [x.verdict for x in again.judge(prompts(3), ["a", "b", "c"])] == ["correct", "incorrect", "unscored"]
        assert len(srv.requests) == 3  # served from the on-disk cache


def test_failing_endpoint_is_unscored_not_incorrect(tmp_path):
    calls = []

    def reply(body):
        calls.append(1)
        return 500, '{"error": "boom"}'

    with ChatServer(reply) as srv:
        judge = LLMJudge(base_url=srv.base_url, model="m", cache=False, max_retries=1, api_key_env=None)
        judge.api.backoff = 0.01
        v = judge.judge(prompts(2), ["a", "b"])
    assert [x.verdict for x in v] == ["unscored", "unscored"]
    assert all("judge request failed" in x.reason and "500" in x.reason for x in v)
    assert len(calls) == 4  # one retry each


def test_unavailable_judge_stops_the_run_after_caching_what_it_answered(tmp_path):
    """A judge that starts refusing the key mid-batch: one line naming the endpoint and 401, and the
    verdicts already answered are in the cache, so a rerun asks only for the rest. (Fails if the judge
    raises before caching: the rerun then sends all three again.)"""
    key_ok = {"A0", "A1"}

    def reply(body):
        ref = body["messages"][1]["content"].split("Reference answer: ")[1].split("\n")[0]
        return (200, "CORRECT") if ref in key_ok else (401, '{"error": "key revoked"}')

    cache = str(tmp_path / "c.jsonl")
    with ChatServer(reply) as srv:
        judge = LLMJudge(base_url=srv.base_url, model="m", cache_path=cache, max_retries=2, api_key_env=None)
        with pytest.raises(EndpointUnavailable, match=f"judge endpoint {srv.base_url}/chat/completions: HTTP 401"):
            judge.judge(prompts(3), ["a", "b", "c"])
        assert len(srv.requests) == 3  # 401 is not retried
        key_ok.add("A2")
        again = LLMJudge(base_url=srv.base_url, model="m", cache_path=cache, max_retries=0, api_key_env=None)
        assert [v.verdict for v in again.judge(prompts(3), ["a", "b", "c"])] == ["correct"] * 3
        assert len(srv.requests) == 4


def test_unreachable_judge_is_one_clear_error():
    dead = LLMJudge(base_url="http://127.0.0.1:9/v1", model="m", cache=False, max_retries=0, api_key_env=None)
    with pytest.raises(EndpointUnavailable, match="judge endpoint http://127.0.0.1:9/v1/chat/completions: no answer"):
        dead.judge(prompts(1), ["a"])
