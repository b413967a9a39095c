"""``python -m warmth.rewrite``: build a style dataset from source conversations.

Selects a labelled, balanced subset of a source (``warmth.styledata.select``) and
rewrites each assistant turn in ``style`` through a rewriter backend
(``warmth.styledata.engine``), writing ``<out>/conversations.jsonl`` and
``<out>/manifest.json``. Rerunning the same command resumes and, once finished,
makes no model calls and rewrites the same bytes.
"""

from __future__ import annotations

import inspect
import logging
import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.utils import get_object, instantiate
from omegaconf import DictConfig, OmegaConf

import warmth.resolvers  # noqa: F401  (registers ${bundled:...} before Hydra composes)
from warmth.cli import run
from warmth.errors import ConfigError, DataError, WarmthError, warmth_cause
from warmth.paths import CONF_DIR, cache_dir
from warmth.styledata import engine
from warmth.styledata.cache import DiskCache
from warmth.styledata.filters import ContentFilter
from warmth.styledata.manifest import write_conversations, write_manifest
from warmth.styledata.prompt import instruction_hash
from warmth.styledata.select import select

log = logging.getLogger("warmth.rewrite")


def _takes_name(target: str) -> bool:
    try:
        return "name" in inspect.signature(get_object(target)).parameters
    except Exception:  # noqa: BLE001 - an unimportable target fails in instantiate, with its message
        return False


def _build(node: DictConfig, **kwargs: Any) -> Any:
    """Instantiate a plugin node; its ``name`` key is a label, unless the target takes a ``name``
    (``source=hf_datasets``: the dataset id)."""
    cfg = OmegaConf.to_container(node, resolve=True)
    if not _takes_name(str(cfg.get("_target_", ""))):
        cfg.pop("name", None)
    try:
        return instantiate(cfg, _convert_="partial", **kwargs)
    except Exception as exc:  # Hydra wraps the plugin's own error: show that one alone
        if (cause := warmth_cause(exc)) is None:
            raise
    raise cause


def style_instruction(style: DictConfig) -> tuple[str | None, str]:
    """The rewrite instruction and where it came from (``instruction_file`` wins)."""
    path = style.get("instruction_file")
    if path:
        file = Path(str(path)).expanduser()
        if not file.is_file():
            raise ConfigError(f"style.instruction_file {file}: file not found")
        text = file.read_text(encoding="utf-8").strip()
        if not text:
            raise ConfigError(f"style.instruction_file {file}: file is empty")
        return text, f"file:{file.name}"
    text = style.get("instruction")
    return (text.strip() if text else None), "config"


def rewrite(cfg: DictConfig) -> Path:
    out = Path(str(cfg.out)).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    instruction, instruction_source = style_instruction(cfg.style)
    source = _build(cfg.source)
    chosen = select(source, ContentFilter(**cfg.filter), cfg.sample.size, int(cfg.sample.seed),
                    int(cfg.max_turns), bool(cfg.sample.balanced))
    manifest: dict[str, Any] = {
        "style": cfg.style.name,
        "instruction_sha256": instruction_hash(instruction) if instruction else None,
        "instruction_source": instruction_source if instruction else None,
        "source": chosen.source, "load": chosen.load, "stages": chosen.stages,
        "seed": int(cfg.sample.seed),
    }
    if instruction is None:  # style=original: the selection itself
        convs = list(chosen.conversations)
        for c in convs:
            c.meta["style"] = cfg.style.name
        counts = {"assistant_turns": sum(len(c.assistant_indices()) for c in convs),
                  "model_calls": 0, "cache_hits": 0, "resumed": 0, "failed": 0,
                  "conversations_written": len(convs), "incomplete_conversations": 0}
        manifest.update(rewriter=None, counts=counts)
    else:
        rewriter = _build(cfg.rewriter)  # rewriter=hf takes the model group via ${model}
        cache = None
        if cfg.cache.enabled:
            cache = DiskCache(cfg.cache.dir or cache_dir("rewrite"))
        try:
            result = engine.rewrite(chosen.conversations, instruction, rewriter, out, cache,
                                    cfg.style.name, int(cfg.context_chars),
                                    float(cfg.checks.min_length_ratio),
                                    float(cfg.checks.max_length_ratio), bool(cfg.progress))
        except KeyboardInterrupt:
            raise WarmthError(f"interrupted; finished turns are kept in {out / 'turns.jsonl'}, "
                              "run the same command to resume") from None
        convs = result.conversations
        counts = {"conversations_selected": len(chosen.conversations), **dict(result.counts)}
        for k in ("model_calls", "cache_hits", "resumed", "failed"):
            counts.setdefault(k, 0)
        manifest.update(
            rewriter={"target": cfg.rewriter._target_, "name": cfg.rewriter.name,
                      "model": rewriter.model_id, "temperature": rewriter.temperature,
                      "settings": rewriter.settings()},
            counts=counts, failures=result.failures, incomplete=result.incomplete,
            flags=result.flags)
    manifest["conversations_sha256"] = write_conversations(out, convs)
    path = write_manifest(out, manifest)
    c = manifest["counts"]
    log.info("wrote %d conversations to %s (model calls %d, cache hits %d, resumed %d, failed %d)",
             len(convs), out, c["model_calls"], c["cache_hits"], c["resumed"], c["failed"])
    print(f"style dataset: {out} ({len(convs)} conversations; model calls {c['model_calls']}, "
          f"cache hits {c['cache_hits']}, resumed {c['resumed']}, failed {c['failed']})")
    if not convs and c["assistant_turns"]:
        raise DataError(f"no conversation was fully rewritten ({c['failed']} failed turns; "
                        f"see {path} 'failures'); finished turns are kept in {out / 'turns.jsonl'}")
    return out


@hydra.main(version_base="1.3", config_path=str(CONF_DIR), config_name="rewrite")
def _app(cfg: DictConfig) -> None:
    rewrite(cfg)


def expand_source_shorthand(argv: list[str]) -> list[str]:
    """``source=FILE`` -> ``source=<format> source.path=FILE`` (format from the extension)."""
    out = []
    for arg in argv:
        key, _, value = arg.partition("=")
        if key == "source" and ("/" in value or value.endswith((".json", ".jsonl"))):
            fmt = "jsonl" if value.endswith(".jsonl") else "sharegpt"
            out += [f"source={fmt}", f"source.path={Path(value).expanduser().resolve()}"]
        else:
            out.append(arg)
    return out


def main() -> None:
    sys.argv[1:] = expand_source_shorthand(sys.argv[1:])
    run(_app)


if __name__ == "__main__":
    main()
