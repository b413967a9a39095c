"""Entry point: ``python -m warmth.report inputs=[...] out=DIR``."""

from __future__ import annotations

import hydra
from omegaconf import DictConfig, OmegaConf

from warmth.cli import run
from warmth.errors import ConfigError


def publish(report, cfg: DictConfig) -> None:
    """Log to a W&B run and write (online: also save) the W&B Report."""
    from warmth.loggers import wandb_mode
    from warmth.report.wandb_log import log_report
    from warmth.report.wandb_report import push, spec_for, write_spec

    w = cfg.wandb
    mode = wandb_mode(str(w.mode))
    if mode == "disabled":
        return
    run_dir = log_report(report, project=w.project, entity=w.entity, name=w.name, mode=mode)
    path = write_spec(spec_for(report, w), report.out_dir)
    if mode == "online":
        try:
            print(f"W&B report: {push(path)}")
        except Exception as exc:  # noqa: BLE001 - the report is built; saving it online may fail on its own
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            print(f"W&B report not saved ({type(exc).__name__}: {first}); the report itself is in "
                  f"{report.out_dir}; retry with `python -m warmth.report.push {path}`")
    else:
        print(f"W&B (offline): run in {run_dir}; upload with `wandb sync {run_dir}`, then create the "
              f"Report with `python -m warmth.report.push {path}`")


@hydra.main(version_base="1.3", config_path="../../conf", config_name="report")
def main(cfg: DictConfig) -> None:
    raw = cfg.inputs
    if raw is None:
        inputs = []
    elif OmegaConf.is_list(raw):
        inputs = [str(x) for x in OmegaConf.to_container(raw, resolve=True)]
    elif isinstance(raw, str):
        inputs = [raw]
    else:
        inputs = raw
    if not isinstance(inputs, list):
        raise ConfigError(f"inputs must be a list of paths, got {inputs!r}")
    if not inputs:
        raise ConfigError("no report inputs given: set inputs=[<run dir | csv | folder | "
                          "wandb:entity/project>, ...]")
    from warmth.report.build import build_report

    report = build_report(inputs, cfg.out, epoch=float(cfg.epoch), mixed=bool(cfg.mixed),
                          condition=str(cfg.condition),
                          wandb_filters=OmegaConf.to_container(cfg.wandb.filters, resolve=True) if cfg.wandb.filters else None)
    print(f"report: {report.out_dir / 'index.html'} ({len(report.figures)} figures, "
          f"{len(report.notes)} warnings)")
    if cfg.wandb.enabled:
        publish(report, cfg)


if __name__ == "__main__":
    run(main)
