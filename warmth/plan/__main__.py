"""``python -m warmth.plan <train overrides>``: print the per-GPU memory plan.

Takes the same overrides as ``warmth.train`` (conf/plan.yaml includes
conf/train.yaml) plus ``plan.gpu_memory_gb``; loads no model and writes no files.
"""

from __future__ import annotations

import hydra
from omegaconf import DictConfig

import warmth.resolvers  # noqa: F401  (the train config's resolvers)
from warmth import cli
from warmth.plan import describe, judge


@hydra.main(version_base="1.3", config_path="../../conf", config_name="plan")
def main(cfg: DictConfig) -> bool:
    verdict = judge(cfg)
    print(describe(cfg, verdict))
    return verdict.fits


if __name__ == "__main__":
    cli.run(main)
