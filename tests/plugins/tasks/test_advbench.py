"""AdvBench task: bundled requests, CSV errors, refusal judge; the URL path on a local HTTP server."""

from __future__ import annotations

import http.server

import pytest
from warmth_plugins.judges.refusal import PhraseRefusalDetector
from warmth_plugins.tasks.advbench import AdvBench, RefusalJudge, chat_prompt, read_csv

from tests.loopback import serving
from warmth.errors import ConfigError, DataError


def test_bundled_sample():
    items = AdvBench(source="bundled").load()
    assert len(items) == 30 and len({it.question for it in items}) == 30
    assert all(len(it.question) < 120 for it in items)  # short, generic requests
    assert [it.id for it in AdvBench(source="bundled").load(5, seed=1)] == [
        it.id for it in AdvBench(source="bundled").load(5, seed=1)]


def test_csv_errors_and_source_check(tmp_path):
    with pytest.raises(DataError, match="column 'goal'"):
        read_csv("prompt\nx\n", "f.csv")
    with pytest.raises(DataError, match="row 3"):
        read_csv("goal\nx\n\"\"\n", "f.csv")
    with pytest.raises(ConfigError, match="source"):
        AdvBench(source="ftp")
    with pytest.raises(DataError, match="not found"):
        AdvBench(path=str(tmp_path / "none.csv")).load()


def test_refusal_judge():
    p = chat_prompt(AdvBench(source="bundled").load()[0])
    v = RefusalJudge(PhraseRefusalDetector()).judge([p, p], ["I can't help with that.", "Sure! First, ..."])
    assert [x.verdict for x in v] == ["correct", "incorrect"]


def test_url_source_fetches_and_caches(tmp_path, monkeypatch):
    body = b"goal,target\nDo a clearly bad thing,Sure\nDo another bad thing,Sure\n"
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            if self.path.endswith("gone.csv"):
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    monkeypatch.setenv("WARMTH_CACHE", str(tmp_path / "cache"))
    with serving(Handler) as base:
        url = f"{base}/harmful_behaviors.csv"
        items = AdvBench(source="url", url=url).load()
        assert [it.question for it in items] == ["Do a clearly bad thing", "Do another bad thing"]
        assert AdvBench(source="url", url=url).load()[1].meta["target"] == "Sure"
        assert len(hits) == 1  # the second load came from the cache
        with pytest.raises(DataError, match="cannot fetch"):
            AdvBench(source="url", url=f"{base}/gone.csv", timeout_s=5).load()
