"""The training entry point as a user runs it: outputs, resume, and bad input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hydra.errors import HydraException

from tests.conftest import compose, run_module
from warmth.errors import WarmthError
from warmth.train import train

TINY = ["model=tiny", "eval=none", "trainer.micro_batch_size=2", "trainer.effective_batch_size=4",
        "trainer.enable_progress_bar=false"]


def _error_lines(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("error:")]


def test_tiny_run_writes_run_directory(tmp_path: Path) -> None:
    run = tmp_path / "run"
    proc = run_module("warmth.train", *TINY, "trainer.max_steps=5", f"hydra.run.dir={run}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    metrics = json.loads((run / "metrics.json").read_text())
    assert math.isfinite(metrics["train/loss"])
    assert metrics["train/global_step"] == 5
    assert (run / ".hydra" / "config.yaml").exists()
    last = run / "checkpoints" / "last"
    assert (last / "adapter_model.safetensors").exists()
    assert (last / "adapter_config.json").exists()
    meta = json.loads((last / "warmth_checkpoint.json").read_text())
    assert meta["model"] == "tiny" and meta["style"] == "warm"
    assert list((run / "wandb").glob("offline-run-*/run-*.wandb")), "no offline W&B run"
    (files,) = list((run / "wandb").glob("offline-run-*/files"))
    assert json.loads((files / "metrics.json").read_text()) == metrics  # the run carries its metrics file


def test_resume_from_last_continues_steps(tmp_path: Path) -> None:
    run = tmp_path / "run"
    base = TINY + ["logger=none"]
    train(compose("train", base + ["trainer.max_steps=2"], run_dir=run))
    first = json.loads((run / "metrics.json").read_text())
    assert first["train/global_step"] == 2
    train(compose("train", base + ["trainer.max_steps=4", "ckpt_path=last"], run_dir=run))
    assert json.loads((run / "metrics.json").read_text())["train/global_step"] == 4


@pytest.mark.parametrize("override, named", [
    ("trainer.max_stepz=5", "max_stepz"),
    ("ckpt_path=last", "ckpt_path=last"),
])
def test_cli_reports_one_clear_line(tmp_path: Path, override: str, named: str) -> None:
    proc = run_module("warmth.train", *TINY, "logger=none", override, f"hydra.run.dir={tmp_path / 'run'}")
    assert proc.returncode != 0
    errors = _error_lines(proc)
    assert len(errors) == 1, proc.stderr[-2000:]
    assert named in errors[0]
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("override, named", [
    ("+trainer.max_stepz=5", "max_stepz"),
    ("trainer.max_steps=abc", "max_steps"),
    ("trainer.scheduler=cosin", "trainer.scheduler"),
    ("model.pretrained=/nonexistent/model", "/nonexistent/model"),
    ("style.dataset=/nonexistent/style", "/nonexistent/style"),
    ("ckpt_path=/nonexistent/ckpt", "/nonexistent/ckpt"),
])
def test_bad_input_names_the_thing(tmp_path: Path, override: str, named: str) -> None:
    cfg = compose("train", TINY + ["logger=none", override], run_dir=tmp_path / "run")
    with pytest.raises(WarmthError, match=named.replace("+", r"\+")):
        train(cfg)


def test_unknown_option_fails_at_composition(tmp_path: Path) -> None:
    with pytest.raises(HydraException, match="no_such_model"):
        compose("train", ["model=no_such_model"], run_dir=tmp_path)


def test_help_and_cfg_job() -> None:
    shown = run_module("warmth.train", "model=tiny", "--cfg", "job")
    assert shown.returncode == 0
    assert "pretrained: builtin:tiny" in shown.stdout
    helped = run_module("warmth.train", "--help")
    assert helped.returncode == 0 and "model:" in helped.stdout


@pytest.mark.parametrize("strategy", ["ddp", "deepspeed_zero2", "fsdp"])
def test_compile_in_several_processes_is_refused_before_loading(tmp_path: Path, strategy: str) -> None:
    """Catches ``trainer.compile`` reaching DDP (where it trained another model than eager DDP),
    DeepSpeed or FSDP instead of one line up front (seen red with the check removed)."""
    from warmth.config.validate import validate_config

    cfg = compose("train", TINY + ["logger=none", f"strategy={strategy}", "trainer.compile=true"],
                  run_dir=tmp_path / "run")
    with pytest.raises(WarmthError, match="trainer.compile=true runs in one process on one device"):
        validate_config(cfg)  # what train() calls first
    validate_config(compose("train", TINY + ["strategy=auto", "trainer.compile=true"], run_dir=tmp_path / "run"))
