"""Builds evaluators, the judge and the backend from a composed config."""

from __future__ import annotations

from typing import Any

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from warmth.errors import ConfigError, warmth_cause
from warmth.eval.evaluator import Evaluator
from warmth.instantiate import build_plugin
from warmth.paths import CONF_DIR

SECTIONS = ("evaluators", "at_checkpoints")


def build_judge(cfg: DictConfig) -> Any:
    """The top-level ``judge`` group when composed, else ``conf/judge/<eval.judge>.yaml``.

    A judge with a ``check()`` (the LLM judge) is checked here, at start: an
    unreachable endpoint stops the run before any model loads, and never
    falls back to another judge.
    """
    node = cfg.get("judge")
    if node is None or not isinstance(node, DictConfig):
        name = str(OmegaConf.select(cfg, "eval.judge", default="match") or "match")
        path = CONF_DIR / "judge" / f"{name}.yaml"
        if not path.exists():
            known = sorted(p.stem for p in (CONF_DIR / "judge").glob("*.yaml"))
            raise ConfigError(f"unknown judge {name!r} (eval.judge); known: {known}")
        node = OmegaConf.load(path)
    judge = build_plugin(node, "judge")
    if callable(getattr(judge, "check", None)):
        judge.check()
    return judge


def build_evaluators(cfg: DictConfig, section: str = "evaluators") -> list[Evaluator]:
    """Evaluators listed under ``cfg.eval.<section>``; checks them before any model loads."""
    if section not in SECTIONS:
        raise ValueError(section)
    node = OmegaConf.select(cfg, f"eval.{section}")
    if not node:
        return []
    judge = None
    out: list[Evaluator] = []
    for name, entry in node.items():
        if entry is None:
            continue  # `eval.evaluators.x=null` switches one off
        if "_target_" not in entry:
            raise ConfigError(f"eval.{section}.{name} needs a _target_ (an Evaluator class)")
        ev = build_plugin(entry, f"eval.{section}.{name}")
        if not isinstance(ev, Evaluator):
            raise ConfigError(f"eval.{section}.{name}: {entry._target_} is not a warmth.eval.evaluator.Evaluator")
        if getattr(ev, "judge", "absent") is None:
            judge = judge or build_judge(cfg)
            ev.judge = judge
        out.append(ev)
    return out


def build_backend(cfg: DictConfig, **live: Any) -> Any:
    """The generation backend of ``cfg.backend``, given the model config and checkpoint."""
    node = cfg.get("backend")
    if node is None or "_target_" not in node:
        raise ConfigError("no generation backend configured (backend=hf | openai | vllm | canned)")
    kwargs: dict[str, Any] = dict(live)
    target = str(node._target_)
    if target.endswith(("HFBackend", "VLLMBackend")):
        kwargs.setdefault("model_cfg", cfg.model)
        kwargs.setdefault("checkpoint", cfg.get("checkpoint"))
    try:
        return instantiate(node, _convert_="all", **kwargs)
    except Exception as exc:
        if (cause := warmth_cause(exc)) is not None:
            raise cause from None
        raise
