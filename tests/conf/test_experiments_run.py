"""Every experiment preset runs a few steps on the tiny model (Must hold of the foundation)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import DictConfig, OmegaConf, open_dict

from tests.conftest import REPO, compose
from tests.paper_judge import judge_server, paper_overrides

EXPERIMENTS = sorted(p.stem for p in (REPO / "conf" / "experiment").glob("*.yaml"))
# Presets of `warmth.evaluate` (no training); every other preset trains.
EVALUATION_ONLY = {"paper_sysprompt", "paper_eval"}


def _compose(app: str, name: str, extra: list[str], run_dir: Path, judge_url: str) -> DictConfig:
    """The preset; one that grades with the LLM judge gets the loopback judge and bundled items."""
    cfg = compose(app, [f"experiment={name}", *extra], run_dir=run_dir)
    if OmegaConf.select(cfg, "judge._target_", default="").endswith("LLMJudge"):
        cfg = compose(app, [f"experiment={name}", *extra, *paper_overrides(judge_url)], run_dir=run_dir)
    return cfg

TRAIN_SMALL = ["model=tiny", "logger=none", "trainer.max_steps=2", "trainer.micro_batch_size=2",
               "trainer.effective_batch_size=4", "trainer.accelerator=cpu", "trainer.precision=32-true",
               "trainer.enable_progress_bar=false", "data.limit=8", "data.max_length=256"]


def _shrink_evaluators(cfg: DictConfig) -> None:
    """Keep each configured evaluator but make it tiny: one item, a few tokens, tiny scorer."""
    with open_dict(cfg):
        for section in ("evaluators", "at_checkpoints"):
            group = OmegaConf.select(cfg, f"eval.{section}") or {}
            for name in list(group):
                node = group[name]
                if node is None or OmegaConf.is_interpolation(group, name):
                    continue
                for key, value in (("n_items", 1), ("max_new_tokens", 8)):
                    if key in node:
                        node[key] = value
                if node.get("scorer") is not None:  # null = no SocioT (eval=demo: markers only)
                    node.scorer.pretrained = "builtin:tiny"


def test_every_preset_is_run_here() -> None:
    assert EXPERIMENTS and set(EVALUATION_ONLY) <= set(EXPERIMENTS)


@pytest.mark.parametrize("name", [e for e in EXPERIMENTS if e not in EVALUATION_ONLY])
def test_training_preset_runs_a_few_steps(name: str, tmp_path: Path) -> None:
    from warmth.train import train

    with judge_server() as srv:
        cfg = _compose("train", name, TRAIN_SMALL, tmp_path, srv.base_url)
        _shrink_evaluators(cfg)
        evaluates = any(entry is not None for section in ("at_checkpoints", "evaluators")
                        for entry in (OmegaConf.select(cfg, f"eval.{section}") or {}).values())  # null = off
        train(cfg)
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["train/global_step"] == 2
    assert (tmp_path / "checkpoints" / "last" / "adapter_model.safetensors").exists()
    if evaluates:  # the preset's evaluators ran during training and wrote records
        assert list(tmp_path.rglob("records/*.jsonl"))


@pytest.mark.parametrize("name", sorted(EVALUATION_ONLY))
def test_evaluation_preset_runs(name: str, tmp_path: Path) -> None:
    from warmth.evaluate import evaluate

    with judge_server() as srv:
        cfg = _compose("evaluate", name, ["model=tiny", "eval.n_items=1"], tmp_path, srv.base_url)
        _shrink_evaluators(cfg)
        evaluate(cfg)
    records = list((tmp_path / "records").glob("*.jsonl"))
    assert records, "no records written"
    assert json.loads((tmp_path / "metrics.json").read_text())
