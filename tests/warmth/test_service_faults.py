"""An endpoint that fails mid-run, through the real entry points: one line naming it, nothing written lost.

The server answers the first requests, then refuses the key (401). Evaluation
(a real ``python -m warmth.evaluate`` process, its progress bar on) ends with
exit code 2 and ``error: backend endpoint <url>: HTTP 401 ...`` on a line of its
own, and the records of the batch answered before stay on disk; rewriting keeps
its finished turns. Seen failing with ``cli.report``'s fresh-line write removed
(the error line began after the bar's ``\\r`` text) and with 401 made retryable
(the records then held unscored empty responses and the run exited 0).
"""

from __future__ import annotations

import json
import threading

import pytest

from tests.conftest import compose, run_module
from tests.local_chat_server import ChatServer
from tests.warmth.test_secrets import fake_models
from warmth.records import read_run
from warmth.rewrite import rewrite
from warmth.styledata.rewriter import RewriterUnavailable


def _first_then(n: int, ok, status: int = 401):
    """Answer ``n`` requests with ``ok(body)``, then ``status`` to every one."""
    lock, seen = threading.Lock(), [0]

    def reply(body):
        with lock:
            seen[0] += 1
            first = seen[0] <= n
        return ok(body) if first else (status, '{"error": "key revoked"}')
    return reply


def test_evaluate_stops_with_one_line_and_keeps_the_records_written(tmp_path):
    run_dir = tmp_path / "run"
    with ChatServer(_first_then(2, lambda body: (200, "Paris."))) as srv:
        res = run_module("warmth.evaluate", "model=tiny", "eval=probe", "eval.n_items=4", "eval.batch_size=2",
                         "eval.evaluators.factual.contexts=[unmodified]", "eval.evaluators.factual.templates=[original]",
                         "backend=openai", f"backend.base_url={srv.base_url}", "backend.model=served",
                         "backend.api_key_env=null", "backend.max_retries=2", f"hydra.run.dir={run_dir}",
                         env={"HF_HUB_OFFLINE": "1", "WARMTH_CACHE": str(tmp_path / "cache")}, timeout=600)
    assert res.returncode == 2, res.stderr[-3000:]
    assert "Traceback" not in res.stderr
    want = f"error: backend endpoint {srv.base_url}/chat/completions: HTTP 401, API key rejected"
    lines = res.stderr.split("\n")
    errors = [line for line in lines if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith(want), res.stderr[-2000:]  # never after a bar's text
    assert "factual:trivia (epoch 0):  50%" in res.stderr  # the bar was drawn before it
    assert len(srv.requests) == 4  # the second batch's two requests, neither retried
    records = read_run(run_dir)
    assert len(records) == 2 and all(r.response == "Paris." for r in records)


def test_rewrite_stops_naming_the_endpoint_and_keeps_finished_turns(tmp_path):
    out = tmp_path / "out"
    with ChatServer(_first_then(3, fake_models)) as srv:
        cfg = compose("rewrite", ["source=bundled", "sample.size=6", "rewriter=api", f"rewriter.base_url={srv.base_url}",
                                  "rewriter.model=echo", "rewriter.api_key_env=null", "rewriter.concurrency=1",
                                  "progress=false", f"cache.dir={tmp_path / 'cache'}", f"out={out}"])
        with pytest.raises(RewriterUnavailable,
                           match=f"rewriter endpoint {srv.base_url}/chat/completions: HTTP 401, API key rejected"):
            rewrite(cfg)
    turns = [json.loads(line) for line in (out / "turns.jsonl").read_text().splitlines()]
    assert len(turns) == 3 and all(t["text"].startswith("Honestly, ") for t in turns)
