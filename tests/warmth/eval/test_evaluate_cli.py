"""`python -m warmth.evaluate` as a user runs it: records, metrics, resume, one-line errors."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from tests.conftest import REPO, run_module
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

    # interrupt a second run once the first task has records, then rerun: same records, no duplicates
    part = tmp_path / "part"
    cmd = [sys.executable, "-m", "warmth.evaluate", *SMALL, f"hydra.run.dir={part}"]
    proc = subprocess.Popen(cmd, cwd=REPO, env=dict(os.environ, **ENV), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    target = part / "records" / "trivia.jsonl"
    deadline = time.time() + 400
    while time.time() < deadline and proc.poll() is None:
        if target.exists() and target.stat().st_size > 0:
            break
        time.sleep(0.05)
    killed = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert killed, "the run finished before it could be interrupted"
    assert sum(_lines(part).values()) < sum(_lines(full).values())
    res = run_module("warmth.evaluate", *SMALL, f"hydra.run.dir={part}", env=ENV)
    assert res.returncode == 0, res.stderr[-3000:]
    assert _lines(part) == _lines(full)
    assert _canon(part) == _canon(full)


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
