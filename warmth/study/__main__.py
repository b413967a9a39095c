"""``python -m warmth.study``: train each style, evaluate the base model, report, print the headline table.

Only wiring; see ``conf/study.yaml`` for what it runs and :mod:`warmth.study.table`
for what the table shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import hydra
from omegaconf import DictConfig

from warmth import cli


def study(cfg: DictConfig, choices: Mapping[str, str]) -> Path:
    """``choices``: the option picked in each of the study's groups (model, eval, logger)."""
    from warmth.report.build import build_report
    from warmth.study.steps import base_command, run_step, train_command
    from warmth.study.table import headline_rows, render_table

    out = Path(str(cfg.out))
    runs = {"base": out / "base"}
    run_step("base model", base_command(cfg, choices, runs["base"]), runs["base"])
    for style in cfg.styles:
        runs[str(style)] = out / str(style)
        run_step(f"train {style}", train_command(cfg, choices, str(style), runs[str(style)]), runs[str(style)])
    print("\n== study: report", flush=True)
    report = build_report([str(p) for p in runs.values()], out / "report", epoch=float(cfg.epochs), mixed=False,
                          condition=str(cfg.styles[0]))
    table = render_table(headline_rows(runs))
    (out / "headline.txt").write_text(table + "\n")
    print(f"\n{table}\n\nruns: {', '.join(f'{k}={v}' for k, v in runs.items())}")
    print(f"report: {report.out_dir / 'index.html'}\nheadline table: {out / 'headline.txt'}")
    return out


@hydra.main(version_base="1.3", config_path="../../conf", config_name="study")
def main(cfg: DictConfig) -> None:
    from hydra.core.hydra_config import HydraConfig

    study(cfg, dict(HydraConfig.get().runtime.choices))


if __name__ == "__main__":
    cli.run(main)
