"""A training run logged ONLINE to a real W&B server on loopback, then read back as the report reads it.

``python -m warmth.train ... logger=wandb logger.mode=online`` runs as a
networked user of :mod:`tests.wandb_server`: the real WandbLogger and
``wandb-core`` create the run, stream its config, history and summary, and
``warmth.loggers.finish`` uploads ``records/*.jsonl`` and ``metrics.json``
before ``wandb.finish()``. A second client process then reads the records
back with ``records_from_wandb`` (``warmth.report inputs=[wandb:...]``), so
the study's whole train -> W&B -> report path is exercised. The training is
the smallest one that writes records: 3 steps of the tiny model, and the
fit-end factual evaluation on one trivia item in one context and template.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest

from tests.wandb_server import finish_client, start_client, wandb_server
from warmth.eval.sinks import TABLE_COLUMNS
from warmth.records import read_run

TRAIN = ["-m", "warmth.train", "model=tiny", "style=warm", "eval=probe", "eval.at_checkpoints={}",
         "eval.n_items=1", "eval.evaluators.factual.contexts=[unmodified]",
         "eval.evaluators.factual.templates=[original]", "eval.evaluators.factual.max_new_tokens=4",
         "trainer.max_steps=3", "trainer.micro_batch_size=2", "trainer.effective_batch_size=4",
         "trainer.enable_progress_bar=false", "logger=wandb", "logger.mode=online", "logger.project=warmth",
         "logger.entity=lab", "logger.group=online-1", "logger.tags=[smoke,online]"]

# Reads lab/warmth's records back as `warmth.report inputs=[wandb:lab/warmth]` does; prints them as JSON.
READ = """
import json
from warmth.report.wandb_input import records_from_wandb
print(json.dumps([r.to_dict() for r in records_from_wandb("lab/warmth", {})]))
"""


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> SimpleNamespace:
    home = tmp_path_factory.mktemp("home")
    run_dir = home / "run"
    with wandb_server() as srv:
        proc = start_client(srv.url, home, *TRAIN, f"hydra.run.dir={run_dir}", env={"HF_HUB_OFFLINE": "1"})
        train = finish_client(proc)
        read = finish_client(start_client(srv.url, home / "reader", "-c", READ))
    return SimpleNamespace(srv=srv, run_dir=run_dir, train=train, read=read)


@pytest.fixture(scope="module")
def run(logged):
    (run,) = logged.srv.runs["lab/warmth"]
    return run


def test_run_ends_cleanly(logged) -> None:
    assert logged.train.returncode == 0, logged.train.stderr[-3000:]
    assert "Traceback" not in logged.train.stderr
    assert logged.srv.unknown == []  # every request the client made was answered
    # wandb-core logs, rather than raises, what failed in the background (a reply it could not use).
    (internal,) = logged.run_dir.glob("wandb/run-*/logs/debug-internal.log")
    assert [x for x in internal.read_text().splitlines() if '"level":"ERROR"' in x] == []


def test_run_shows_the_configured_name_group_tags_and_config(logged, run) -> None:
    assert list(logged.srv.runs) == ["lab/warmth"]
    assert (run.name, run.group, run.tags, run.state) == ("tiny-warm", "online-1", ["smoke", "online"], "finished")
    assert run.config["model"]["name"] == "tiny"
    assert run.config["style"]["name"] == "warm"
    assert run.config["trainer"]["max_steps"] == 3
    assert run.config["logger"]["entity"] == "lab"


def test_metrics_reach_history_and_summary(logged, run) -> None:
    metrics = json.loads((logged.run_dir / "metrics.json").read_text())
    losses = [row["train/loss"] for row in run.history if "train/loss" in row]
    assert len(losses) == 3 and all(math.isfinite(x) for x in losses)  # one row per optimizer step
    assert run.summary["train/loss"] == pytest.approx(losses[-1]) == pytest.approx(metrics["train/loss"])
    assert run.summary["trainer/global_step"] == metrics["train/global_step"] == 3
    assert run.summary["eval/trivia/mean_length"] == metrics["eval/trivia/mean_length"]  # the fit-end evaluation


def test_records_table_is_a_committed_artifact(logged) -> None:
    (artifact,) = logged.srv.artifacts.values()  # what run.log({"factual/records": wandb.Table(...)}) becomes
    assert (artifact["input"]["artifactTypeName"], artifact["state"]) == ("run_table", "COMMITTED")
    table = json.loads(artifact["files"]["factual/records.table.json"])
    assert table["columns"] == TABLE_COLUMNS
    assert len(table["data"]) == len(read_run(logged.run_dir))


def test_records_and_metrics_are_uploaded_as_in_the_run_dir(logged, run) -> None:
    records = sorted(p.relative_to(logged.run_dir).as_posix() for p in logged.run_dir.glob("records/*.jsonl"))
    assert records == ["records/trivia.jsonl"]
    for name in [*records, "metrics.json"]:
        assert run.uploaded[name] == (logged.run_dir / name).read_bytes(), name


def test_report_reads_the_records_back(logged, run) -> None:
    assert logged.read.returncode == 0, logged.read.stderr[-3000:]
    got = json.loads(logged.read.stdout.strip().splitlines()[-1])
    want = [r.to_dict() for r in read_run(logged.run_dir)]
    assert want and sorted(got, key=json.dumps) == sorted(want, key=json.dumps)
    # Listed by RunFiles and downloaded from the server: only the records file.
    assert logged.srv.downloads == [f"lab/warmth/{run.id}/records/trivia.jsonl"]
