"""Every experiment preset, launcher and search config composes and says what it promises."""

from __future__ import annotations

import pytest
from omegaconf import OmegaConf, open_dict

from tests.compose import compose_config
from tests.conftest import REPO, run_module

EXPERIMENTS = sorted(p.stem for p in (REPO / "conf" / "experiment").glob("*.yaml"))
LAUNCHERS = sorted(p.stem for p in (REPO / "conf" / "hydra" / "launcher").glob("*.yaml"))
EVALUATE_ONLY = {"paper_sysprompt", "paper_eval"}  # presets for `warmth.evaluate`


@pytest.mark.parametrize("name", EXPERIMENTS)
def test_experiment_composes_and_resolves(name, tmp_path) -> None:
    if name in EVALUATE_ONLY:
        cfg = compose_config(f"experiment={name}", config="evaluate")
    else:
        cfg = compose_config(f"experiment={name}")
        assert cfg.trainer.effective_batch_size > 0
    assert cfg.model.name
    with open_dict(cfg):
        cfg.run_dir = str(tmp_path)  # ${hydra:runtime.output_dir} exists only inside a running job
    OmegaConf.resolve(cfg)  # every other interpolation resolves


@pytest.mark.parametrize("style", ["warm", "cold"])
def test_paper_presets_hold_the_study_settings(style) -> None:
    cfg = compose_config(f"experiment=paper_{style}")
    assert cfg.style.name == style
    assert (cfg.peft.r, cfg.peft.alpha, cfg.peft.dropout) == (8, 16, 0.1)
    assert cfg.trainer.lr == 1e-5 and cfg.trainer.effective_batch_size == 16 and cfg.trainer.max_epochs == 10
    assert list(cfg.trainer.checkpoint_epochs) == [0.5, 1, 1.5, 2, 4, 6, 8, 10]
    assert cfg.data.max_length == 1024 and cfg.data.packing is False  # a batch counts conversations
    assert "warmth" in cfg.eval.at_checkpoints and cfg.eval.at_fit_start is True
    assert cfg.judge._target_.endswith("LLMJudge")  # the study's judge (tests/conf/test_paper_presets.py)


def test_sysprompt_preset_is_evaluation_with_the_warm_persona() -> None:
    cfg = compose_config("experiment=paper_sysprompt", "model=llama8b", config="evaluate")
    assert cfg.prompt_style == "warm" and cfg.checkpoint is None


@pytest.mark.parametrize("name", LAUNCHERS)
def test_launcher_composes_with_train_and_evaluate(name) -> None:
    cfg = compose_config(f"hydra/launcher={name}", "trainer.devices=4", "trainer.num_nodes=2", hydra=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_
    if name.startswith("slurm"):
        assert launcher._target_.endswith("SlurmLauncher")
        assert (launcher.gpus_per_node, launcher.tasks_per_node, launcher.nodes) == (4, 4, 2)
        assert "export WARMTH_CKPT_PATH=auto" in launcher.setup
        assert launcher.max_num_timeout >= (0 if name == "slurm_debug" else 1)
        evaluate = compose_config(f"hydra/launcher={name}", config="evaluate", hydra=True)
        assert evaluate.hydra.launcher.gpus_per_node == 1


def test_launcher_cfg_job_from_the_command_line() -> None:
    proc = run_module("warmth.train", "hydra/launcher=slurm", "experiment=paper_cold", "model=llama70b",
                      "strategy=deepspeed_zero3", "trainer.devices=3", "--cfg", "job")
    assert proc.returncode == 0, proc.stderr[-2000:]
    job = OmegaConf.create(proc.stdout)
    assert job.style.name == "cold" and job.strategy.stage == 3 and job.trainer.devices == 3


def test_optuna_search_space_parses_into_distributions() -> None:
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra_plugins.hydra_optuna_sweeper._impl import create_optuna_distribution_from_override

    cfg = compose_config("hparams_search=optuna", hydra=True)
    sweeper = cfg.hydra.sweeper
    assert sweeper._target_.endswith("OptunaSweeper") and str(cfg.hydra.mode).endswith("MULTIRUN")
    assert cfg.optimized_metric == "eval/error_rate" and sweeper.direction == "minimize"
    parser = OverridesParser.create()
    overrides = parser.parse_overrides([f"{k}={v}" for k, v in sweeper.params.items()])
    dists = {o.key_or_group: create_optuna_distribution_from_override(o) for o in overrides}
    assert set(dists) == {"trainer.lr", "peft.r", "peft.alpha", "peft.dropout"}
    assert type(dists["trainer.lr"]).__name__ == "LogUniformDistribution" and dists["trainer.lr"].low == 1e-6
    for key in dists:  # every searched key exists in the train config
        assert OmegaConf.select(cfg, key) is not None
