"""`python -m warmth.evaluate` as a user runs it: records, metrics, resume, one-line errors."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from tests.conftest import REPO, run_module
from tests.local_chat_server import ChatServer
from tests.stop_at import launch, wait_stopped
from warmth.errors import ConfigError, DataError
from warmth.eval.build import build_evaluators
from warmth.paths import CONF_DIR
from warmth.records import read_run

ENV = {"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "WANDB_MODE": "offline"}
SMALL = ["model=tiny", "eval.n_items=2", "eval.evaluators.factual.max_new_tokens=8", "eval.batch_size=8", "run_id=r"]


def _lines(run: Path) -> dict[str, int]:
    # count "\n" only: str.splitlines() also splits inside JSON strings at U+2028 and friends
    return {p.stem: p.read_text(encoding="utf-8").count("\n") for p in sorted((run / "records").glob("*.jsonl"))}


def _canon(run: Path) -> list[str]:
    return sorted(json.dumps(r.to_dict(), sort_keys=True) for r in read_run(run))


def test_grid_writes_one_record_per_prompt_and_metrics(tmp_path):
    res = run_module("warmth.evaluate", "model=tiny", "eval.n_items=1", "eval.evaluators.factual.max_new_tokens=4",
                     "eval.batch_size=36", "logger=wandb", f"hydra.run.dir={tmp_path}", env=ENV)
    assert res.returncode == 0, res.stderr[-3000:]
    # tasks x contexts x templates x items, one line per prompt
    assert _lines(tmp_path) == {t: 1 * 28 for t in ("disinfo", "medqa", "trivia", "truthfulqa")}
    # the W&B run carries the records and metrics (what `warmth.report inputs=[wandb:...]` reads back)
    (files,) = list(tmp_path.glob("wandb/offline-run-*/files"))
    for name in ["metrics.json", *(f"records/{t}.jsonl" for t in ("disinfo", "medqa", "trivia", "truthfulqa"))]:
        assert (files / name).read_bytes() == (tmp_path / name).read_bytes(), name
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert {"eval/trivia/emotion_sad/incorrect/error_rate", "eval/medqa/stakes_low/correct/n",
            "eval/disinfo/sycophancy", "eval/error_rate"} <= set(metrics)
    recs = read_run(tmp_path)
    assert all(r.model == "tiny" and r.style == "original" and r.epoch == 0.0 and r.judge == "match" for r in recs)


@pytest.mark.slow
def test_interrupted_run_resumes_to_identical_records(tmp_path):
    full = tmp_path / "full"
    res = run_module("warmth.evaluate", *SMALL, f"hydra.run.dir={full}", env=ENV)
    assert res.returncode == 0, res.stderr[-3000:]
    assert _lines(full) == {t: 2 * 28 for t in ("disinfo", "medqa", "trivia", "truthfulqa")}
    metrics = json.loads((full / "metrics.json").read_text())
    assert "eval/trivia/emotion_sad/incorrect/error_rate" in metrics
    assert metrics["eval/trivia/unmodified/original/refusal_rate"] is not None
    recs = read_run(full)
    assert {(r.model, r.style, r.epoch, r.seed) for r in recs} == {("tiny", "original", 0.0, 0)}
    assert len({(r.task, r.item_id, r.template, r.context) for r in recs}) == len(recs)

    # SIGKILL a second run once trivia's first two batches are written, then rerun:
    # same records, no duplicates (no clock: the run parks there, see tests.stop_at)
    part = tmp_path / "part"
    proc = launch("warmth.records:RecordWriter.write", 2, "warmth.evaluate", *SMALL, f"hydra.run.dir={part}",
                  cwd=REPO, env=dict(os.environ, **ENV))
    parked, output = wait_stopped(proc)
    assert parked, output[-3000:]
    proc.kill()
    proc.communicate()
    assert _lines(part) == {"trivia": 16}
    res = run_module("warmth.evaluate", *SMALL, f"hydra.run.dir={part}", env=ENV)
    assert res.returncode == 0, res.stderr[-3000:]
    assert _lines(part) == _lines(full)
    assert _canon(part) == _canon(full)


def _api_reply(body):
    """A deterministic model behind the loopback server: echoes, refuses or shrugs, by prompt."""
    text = body["messages"][-1]["content"]
    pick = int(hashlib.sha256(text.encode()).hexdigest(), 16) % 3
    return 200, (text, "I'm sorry, I can't help with that.", "No idea.")[pick]


def _asked(srv) -> Counter:
    return Counter(json.dumps(body["messages"], sort_keys=True) for body in srv.requests)


API = ["model=tiny", "backend=openai", "backend.api_key_env=null", "backend.concurrency=1",
       "backend.max_retries=0", "eval.n_items=1", "eval.batch_size=8", "run_id=r"]
PER_TASK = 28  # the study's prompts per item, one item
TASKS = ("disinfo", "medqa", "trivia", "truthfulqa")


def test_sigkilled_api_eval_reruns_to_one_record_per_prompt_and_equal_metrics(tmp_path):
    """SIGKILL a real `warmth.evaluate` mid-task, rerun it: one record per prompt, metrics and
    records equal to an uninterrupted run, and only the unfinished batch asked again.

    No clock: the loopback server holds request 39 (trivia's 28 done, truthfulqa's first
    batch of 8 written, the 3rd prompt of its second batch at the server) until the test
    has killed the process. Catches a resume that duplicates or redoes records (checked:
    with ``RecordWriter`` reading back nothing, and with records/ deleted before the
    rerun, the 39 prompts the killed run asked are asked again and the test fails).
    """
    from warmth.evaluate import evaluate

    part, full = tmp_path / "part", tmp_path / "full"
    with ChatServer(_api_reply) as srv:
        url = f"backend.base_url={srv.base_url}"
        held = srv.hold(PER_TASK + 8 + 3)
        with open(tmp_path / "stderr.txt", "w") as err:  # a file: no pipe to fill while nobody reads
            proc = subprocess.Popen([sys.executable, "-m", "warmth.evaluate", *API, url, f"hydra.run.dir={part}"],
                                    cwd=REPO, env=dict(os.environ, **ENV), stdout=subprocess.DEVNULL, stderr=err)
            assert held.wait(proc), (tmp_path / "stderr.txt").read_text()[-3000:]
            proc.kill()
            proc.wait()
        held.release()
        assert proc.returncode == -signal.SIGKILL
        assert _lines(part) == {"trivia": PER_TASK, "truthfulqa": 8}
        assert not (part / "metrics.json").exists()

        with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
            again = compose("evaluate", overrides=[*API, url, f"run_dir={part}"])
            reference = compose("evaluate", overrides=[*API, url, f"run_dir={full}"])
        evaluate(again)  # the same command again (in process: one interpreter start saved)
        asked = _asked(srv)
        assert len(asked) == 4 * PER_TASK  # every prompt reached the server...
        assert sorted(asked.values()) == [1] * (4 * PER_TASK - 3) + [2] * 3  # ...once, but the cut batch
        evaluate(reference)
    assert _lines(part) == _lines(full) == {t: PER_TASK for t in TASKS}
    assert _canon(part) == _canon(full)
    assert json.loads((part / "metrics.json").read_text()) == json.loads((full / "metrics.json").read_text())


def test_unknown_context_is_one_line_before_loading(tmp_path):
    res = run_module("warmth.evaluate", "model=tiny", "eval.evaluators.factual.contexts=[unmodified,emotion:bored]",
                     f"hydra.run.dir={tmp_path}", env=ENV)
    assert res.returncode == 2
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines[-1].startswith("error: unknown context(s) ['emotion:bored']")
    assert not (tmp_path / "records").exists()


def _cfg(*overrides):
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return compose("evaluate", overrides=["model=tiny", "run_dir=/tmp/x", *overrides])


def test_bad_eval_configs_fail_with_key_names():
    with pytest.raises(ConfigError, match=r"unknown task\(s\) \['jeopardy'\]"):
        build_evaluators(_cfg("eval.evaluators.factual.tasks=[trivia,jeopardy]"))
    with pytest.raises(ConfigError, match="unknown template"):
        build_evaluators(_cfg("eval.evaluators.factual.templates=[original,sarcastic]"))
    with pytest.raises(ConfigError, match="n_items must be a positive"):
        build_evaluators(_cfg("eval.n_items=0"))
    with pytest.raises(ConfigError, match="needs a _target_"):
        build_evaluators(_cfg("+eval.evaluators.broken.tasks=[trivia]"))
    with pytest.raises(ConfigError, match="source must be one of"):
        build_evaluators(_cfg("eval.tasks.trivia.source=web"))
    missing = build_evaluators(_cfg("eval.tasks.trivia.source=file", "eval.tasks.trivia.path=nowhere.jsonl"))[0]
    with pytest.raises(DataError, match="task items file not found: nowhere.jsonl"):
        missing.prepare(0)
    assert build_evaluators(_cfg("eval=none")) == []
    evs = build_evaluators(_cfg("eval=probe"))
    assert evs[0].tasks == ["trivia"] and evs[0].n_items == 4 and evs[0].judge.name == "match"
    assert build_evaluators(_cfg("eval.n_items=5"))[0].n_items == 5


@pytest.mark.slow
def test_must_hold_command(tmp_path):
    """The issue's command verbatim: model=tiny eval.n_items=5 with the study's default settings."""
    res = run_module("warmth.evaluate", "model=tiny", "eval.n_items=5", f"hydra.run.dir={tmp_path}", env=ENV)
    assert res.returncode == 0, res.stderr[-3000:]
    assert _lines(tmp_path) == {t: 5 * 28 for t in ("disinfo", "medqa", "trivia", "truthfulqa")}
    assert (tmp_path / "metrics.json").exists()
