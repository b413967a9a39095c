"""``python -m warmth.evaluate``: evaluate a base model, a saved checkpoint or an API model.

Only wiring: build and check the evaluators (a typo fails before any model
loads), build the backend, run the evaluators into ``<run_dir>/records`` and
``metrics.json``, log to the configured logger.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf

import warmth.resolvers  # noqa: F401  (registers ${bundled:...})
from warmth import cli
from warmth.errors import ConfigError
from warmth.paths import CONF_DIR


def style_system_prompt(name: str | None) -> str | None:
    """``system_prompt`` of ``conf/style/<name>.yaml`` (the system-prompt experiment)."""
    if not name:
        return None
    path = CONF_DIR / "style" / f"{name}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in (CONF_DIR / "style").glob("*.yaml"))
        raise ConfigError(f"unknown prompt_style {name!r}; known: {known}")
    text = OmegaConf.load(path).get("system_prompt")
    if not text or not str(text).strip():
        raise ConfigError(f"prompt_style {name!r}: conf/style/{name}.yaml has no system_prompt")
    return str(text).strip()


def record_identity(cfg: DictConfig) -> tuple[str, float, str]:
    """(style, epoch, objective) stored in records: explicit config, else checkpoint metadata, else defaults."""
    from warmth_plugins.backends.hf import checkpoint_meta

    meta = checkpoint_meta(cfg.get("checkpoint"))
    style = cfg.get("style") or meta.get("style") or "original"
    if cfg.get("prompt_style") and not cfg.get("style"):
        style = f"{cfg.prompt_style}_sysprompt"
    epoch = cfg.get("epoch")
    if epoch is None:
        epoch = meta.get("epoch", 0.0) if cfg.get("checkpoint") else 0.0
    return str(style), float(epoch), str(meta.get("objective") or "sft")


def evaluate(cfg: DictConfig) -> dict[str, float]:
    # The evaluation stack (torch, torchmetrics) loads here, after Hydra has
    # composed the config: a mistyped override fails in about a second.
    from warmth.eval.build import build_backend, build_evaluators
    from warmth.eval.evaluator import EvalContext
    from warmth.eval.factual import describe
    from warmth.eval.runner import run_evaluators
    from warmth.quiet import quiet_third_party

    quiet_third_party()
    run_dir = Path(cfg.run_dir)
    evaluators = build_evaluators(cfg, "evaluators")
    if not evaluators:
        print("eval: no evaluators configured (eval=none); nothing to do")
        return {}
    for ev in evaluators:
        print(f"eval: {describe(ev)}")
        ev.prepare(int(cfg.seed))  # data problems fail here, before the model loads
    system_prompt = style_system_prompt(cfg.get("prompt_style"))
    style, epoch, objective = record_identity(cfg)
    backend = build_backend(cfg)
    logger = _logger(cfg, run_dir)
    ctx = EvalContext(backend=backend, run_dir=run_dir, model=str(cfg.model.name), style=style, epoch=epoch,
                      seed=int(cfg.seed), run_id=str(cfg.get("run_id") or run_dir.name), system_prompt=system_prompt,
                      objective=objective)
    metrics = run_evaluators(evaluators, ctx, loggers=[logger] if logger else [])
    if logger:
        from warmth.loggers import finish

        finish(logger, run_dir)
    for key in sorted(k for k in metrics if k.count("/") == 2 and k.endswith("/error_rate")):
        print(f"{key} = {metrics[key]:.3f}")
    return metrics


def _logger(cfg: DictConfig, run_dir: Path) -> Any:
    if cfg.get("logger") is None or str(cfg.logger.get("kind", "none")) == "none":
        return None
    from warmth.loggers import build_logger

    return build_logger(cfg, run_dir, None) or None


@hydra.main(version_base="1.3", config_path="../conf", config_name="evaluate")
def main(cfg: DictConfig) -> None:
    evaluate(cfg)


if __name__ == "__main__":
    cli.run(main)
