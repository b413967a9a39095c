"""Local ranks started by Lightning re-run this Hydra job, in this job's directory."""

from __future__ import annotations

import sys

from hydra.core.hydra_config import HydraConfig
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import open_dict

from tests.compose import compose_config
from warmth.strategies.launcher import hydra_job_command


def test_child_command_is_this_job_with_its_directory_pinned(tmp_path) -> None:
    job_dir = tmp_path / "sweep" / "1_style=cold,trainer.devices=2"
    cfg = compose_config("style=cold", "trainer.devices=2", hydra=True)
    with open_dict(cfg):
        cfg.hydra.runtime.output_dir = str(job_dir)
        cfg.hydra.runtime.cwd = str(tmp_path)
        cfg.hydra.job.name = "train"
    HydraConfig.instance().set_config(cfg)
    try:
        command, cwd = hydra_job_command(1)
    finally:
        HydraConfig.instance().cfg = None
    assert command[0] == sys.executable and cwd == str(tmp_path)
    args = command[command.index("--config-name=train") + 1:]
    assert "-m" not in args and "--multirun" not in args
    assert args[:2] == ["style=cold", "trainer.devices=2"]
    parsed = {o.key_or_group: o.value() for o in OverridesParser.create().parse_overrides(args)}
    assert parsed["hydra.run.dir"] == str(job_dir)  # '=' and ',' survive Hydra's parser
    assert parsed["hydra.output_subdir"] is None and parsed["hydra.job.name"] == "train_rank1"
