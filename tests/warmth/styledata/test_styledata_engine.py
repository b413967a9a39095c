"""The rewrite engine: resume from the turn log, cache hits, empty outputs counted, same bytes."""

import re

import pytest

from warmth.conversation import read_jsonl
from warmth.paths import resource
from warmth.styledata import engine
from warmth.styledata.cache import DiskCache
from warmth.styledata.manifest import write_conversations
from warmth.styledata.rewriter import Result, RewriterUnavailable
from warmth.styledata.turnlog import TurnLog


class ScriptedRewriter:
    """A deterministic in-process backend: prefixes the reply; '' for ids in `empty`."""

    model_id = "scripted:v1"
    temperature = 0.0

    def __init__(self, empty=(), fail_after=None, batch=3):
        self.calls = 0
        self.empty, self.fail_after, self.batch = set(empty), fail_after, batch

    def settings(self):
        return {"batch": self.batch}

    def check(self):
        pass

    def rewrite(self, requests):
        for i in range(0, len(requests), self.batch):
            if self.fail_after is not None and self.calls >= self.fail_after:
                raise RewriterUnavailable("server went away")
            group = []
            for r in requests[i:i + self.batch]:
                self.calls += 1
                reply = re.search(r"<reply>\n(.*)\n</reply>", r.messages[1]["content"], re.DOTALL).group(1)
                text = "" if r.id in self.empty else f"Honestly, {reply}"
                group.append(Result(r, text=text))
            yield group

    def close(self):
        pass


@pytest.fixture
def convs():
    return list(read_jsonl(resource("styles", "original", "conversations.jsonl")))[:10]


def _run(convs, out, cache, rw):
    return engine.rewrite(convs, "Be warmer.", rw, out, cache, "warm", progress=False)


def test_resume_cache_and_identical_bytes(tmp_path, convs):
    cache = DiskCache(tmp_path / "cache")
    rw = ScriptedRewriter()
    first = _run(convs, tmp_path / "a", cache, rw)
    turns = sum(len(c.assistant_indices()) for c in convs)
    assert first.counts["model_calls"] == turns == rw.calls
    assert all(m.content.startswith("Honestly, ") for c in first.conversations for m in c.messages
               if m.role == "assistant")
    assert [m.content for m in first.conversations[0].messages if m.role == "user"] == \
        [m.content for m in convs[0].messages if m.role == "user"]
    sha_a = write_conversations(tmp_path / "a", first.conversations)

    again = _run(convs, tmp_path / "a", cache, ScriptedRewriter())  # same folder: resumed
    assert again.counts["model_calls"] == 0 and again.counts["resumed"] == turns
    assert write_conversations(tmp_path / "a", again.conversations) == sha_a

    other = _run(convs, tmp_path / "b", cache, ScriptedRewriter())  # new folder: cache
    assert other.counts["model_calls"] == 0 and other.counts["cache_hits"] == turns
    assert write_conversations(tmp_path / "b", other.conversations) == sha_a


def test_crash_midway_loses_nothing_and_resumes_to_same_output(tmp_path, convs):
    ref = _run(convs, tmp_path / "ref", None, ScriptedRewriter())
    with pytest.raises(RewriterUnavailable):
        _run(convs, tmp_path / "x", None, ScriptedRewriter(fail_after=6))
    assert len(TurnLog(tmp_path / "x" / "turns.jsonl").entries) == 6
    with open(tmp_path / "x" / "turns.jsonl", "a") as fh:
        fh.write('{"id": "torn')  # a write cut by the crash
    rw = ScriptedRewriter()
    done = _run(convs, tmp_path / "x", None, rw)
    assert done.counts["resumed"] == 6 and rw.calls == done.counts["model_calls"]
    assert [c.to_dict() for c in done.conversations] == [c.to_dict() for c in ref.conversations]


def test_empty_output_counted_and_conversation_held_back(tmp_path, convs):
    victim = convs[2].id
    res = _run(convs, tmp_path / "e", DiskCache(tmp_path / "c"), ScriptedRewriter(empty={victim}))
    assert res.counts["failed"] == len(convs[2].assistant_indices())
    assert res.failures["by_reason"] == {"empty_output": res.counts["failed"]}
    assert res.failures["locations"][0].startswith(f"{victim} turn ")
    assert victim not in {c.id for c in res.conversations}
    assert res.incomplete == [{"id": victim, "missing_turns": convs[2].assistant_indices()}]
    fixed = _run(convs, tmp_path / "e", DiskCache(tmp_path / "c"), ScriptedRewriter())
    assert fixed.counts["model_calls"] == len(convs[2].assistant_indices())  # only the failed ones
    assert len(fixed.conversations) == len(convs)


def test_changed_instruction_is_not_resumed(tmp_path, convs):
    _run(convs, tmp_path / "s", None, ScriptedRewriter())
    res = engine.rewrite(convs, "Be colder.", ScriptedRewriter(), tmp_path / "s", None, "cold",
                         progress=False)
    assert res.counts["resumed"] == 0 and res.counts["model_calls"] > 0


def test_echoed_prompt_tags_are_stripped():
    assert engine.strip_wrapper("  <reply>\nWarm words.\n</reply> ") == "Warm words."
    assert engine.strip_wrapper("<reply> only an opening") == "<reply> only an opening"
