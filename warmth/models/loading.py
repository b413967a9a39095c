"""Load a causal LM and its tokenizer from a model config (``conf/model/*.yaml``).

``pretrained`` is one of: ``builtin:<name>`` (made offline, see ``BUILTINS``),
a local folder, or a hub id (``org/name``, with ``revision`` and
``trust_remote_code``). Every way of failing ends in one ``WarmthError`` line
that names the model.

Safe by default: weights and adapters load from safetensors only (a folder
with only pickled ``*.bin`` weights is refused, since unpickling runs code),
and a hub repository's own modelling code runs only with
``trust_remote_code: true`` in that model's ``conf/model`` file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import torch

from warmth.errors import WarmthError
from warmth.models.smollm2 import smollm2_dir
from warmth.models.tiny import tiny_dir

BUILTINS: dict[str, Callable[[], Path]] = {
    "tiny": tiny_dir,
    "smollm2_135m": smollm2_dir,
}
DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
_PATH_PREFIXES = ("/", "./", "../", "~", ".\\")


def _dtype_kwarg() -> str:
    """transformers renamed ``torch_dtype`` to ``dtype`` in 4.56."""
    import transformers
    from packaging.version import Version

    return "dtype" if Version(transformers.__version__) >= Version("4.56") else "torch_dtype"


def _get(cfg: Any, key: str, default: Any = None) -> Any:
    if isinstance(cfg, Mapping):
        return cfg.get(key, default)
    return getattr(cfg, key, default)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


def _is_hub_id(pretrained: str) -> bool:
    return not Path(pretrained).expanduser().exists() and not pretrained.startswith(_PATH_PREFIXES)


def resolve_pretrained(model_cfg: Any) -> str:
    """What to hand to ``from_pretrained``: a local folder (builtins are built here) or a hub id."""
    pretrained = _get(model_cfg, "pretrained")
    if not pretrained or not isinstance(pretrained, str):
        raise WarmthError(f"model {_get(model_cfg, 'name')!r}: model.pretrained is not set")
    if pretrained.startswith("builtin:"):
        name = pretrained.split(":", 1)[1]
        if name not in BUILTINS:
            raise WarmthError(
                f"unknown built-in model {pretrained!r}; known: "
                + ", ".join(f"builtin:{k}" for k in BUILTINS)
            )
        return str(BUILTINS[name]())
    local = Path(pretrained).expanduser()
    if local.exists():
        if not local.is_dir():
            raise WarmthError(f"model path {pretrained} is a file; expected a model folder")
        return str(local.resolve())
    if pretrained.startswith(_PATH_PREFIXES):
        raise WarmthError(f"model folder {pretrained} does not exist")
    if _offline() and not _in_hub_cache(pretrained, _get(model_cfg, "revision")):
        raise WarmthError(
            f"model {pretrained} is not in the local cache and HF_HUB_OFFLINE=1; "
            "download it once with network access (e.g. `hf download "
            f"{pretrained}`) or point model.pretrained at a local folder"
        )
    return pretrained


def _in_hub_cache(repo_id: str, revision: str | None) -> bool:
    from huggingface_hub import try_to_load_from_cache

    try:
        found = try_to_load_from_cache(repo_id, "config.json", revision=revision)
    except ValueError:  # a malformed id: let from_pretrained name the problem
        return False
    return isinstance(found, str)


def resolve_dtype(model_cfg: Any, dtype: torch.dtype | str | None = None) -> torch.dtype:
    """``auto`` = bfloat16 on a CUDA device that supports it, else float32."""
    if isinstance(dtype, torch.dtype):
        return dtype
    name = dtype or _get(model_cfg, "dtype") or "auto"
    if name == "auto":
        if torch.cuda.is_available() and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float32
    if name not in DTYPES:
        raise WarmthError(f"model.dtype {name!r} is not one of auto, {', '.join(DTYPES)}")
    return DTYPES[name]


def trust_remote_code(model_cfg: Any) -> bool:
    """The model's own ``trust_remote_code``: off unless its config says ``true``."""
    trust = _get(model_cfg, "trust_remote_code", False)
    if not isinstance(trust, bool):  # "false" from a hand-made dict must not turn it on
        raise WarmthError(f"model {_get(model_cfg, 'name')!r}: trust_remote_code must be true or false, "
                          f"not {trust!r}")
    return trust


def _hub_kwargs(model_cfg: Any, source: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"trust_remote_code": trust_remote_code(model_cfg)}
    if _is_hub_id(source) and _get(model_cfg, "revision"):
        kwargs["revision"] = _get(model_cfg, "revision")
    return kwargs


def load_published_tokenizer(model_cfg: Any):
    """The tokenizer as published, at the model's revision (no chat template needed: scorers)."""
    from transformers import AutoTokenizer

    source = resolve_pretrained(model_cfg)
    try:
        return AutoTokenizer.from_pretrained(source, **_hub_kwargs(model_cfg, source))
    except (OSError, ValueError) as exc:
        raise WarmthError(f"cannot load the tokenizer of model {source}: {_first_line(exc)}") from None


def load_tokenizer(model_cfg: Any):
    """Tokenizer with a pad token and a chat template; ``padding_side`` is ``right``.

    ``model_cfg.chat_template`` (a Jinja string) replaces the tokenizer's own.
    Generation callers should set ``padding_side = "left"`` on their copy.
    """
    source = resolve_pretrained(model_cfg)
    tok = load_published_tokenizer(model_cfg)
    override = _get(model_cfg, "chat_template")
    if override:
        tok.chat_template = str(override)
    if not tok.chat_template:
        raise WarmthError(
            f"model {source} has no chat template; set model.chat_template to a Jinja template"
        )
    if tok.pad_token is None:
        if tok.eos_token is None:
            raise WarmthError(f"tokenizer of model {source} has neither a pad nor an eos token")
        tok.pad_token = tok.eos_token
    tok.padding_side = "right"
    return tok


def load_model(model_cfg: Any, dtype: torch.dtype | str | None = None):
    """``AutoModelForCausalLM`` in ``dtype`` (default: ``model_cfg.dtype``, see ``resolve_dtype``)."""
    from transformers import AutoModelForCausalLM

    source = resolve_pretrained(model_cfg)
    torch_dtype = resolve_dtype(model_cfg, dtype)
    try:
        model = AutoModelForCausalLM.from_pretrained(
            source, **{_dtype_kwarg(): torch_dtype}, **_hub_kwargs(model_cfg, source), use_safetensors=True
        )
    except OSError as exc:
        raise WarmthError(f"cannot load model {source}: {_first_line(exc)}") from None
    return model


ADAPTER_WEIGHTS = "adapter_model.safetensors"


def load_adapter(base: Any, adapter_dir: str | Path):
    """A saved LoRA adapter on ``base``, from its safetensors file only (peft would fall back to a pickle)."""
    path = Path(adapter_dir)
    if not (path / ADAPTER_WEIGHTS).is_file():
        raise WarmthError(f"adapter {path}: no {ADAPTER_WEIGHTS}; warmth loads adapter weights from "
                          "safetensors only (re-save it with `save_pretrained(..., safe_serialization=True)`)")
    from peft import PeftModel

    try:
        return PeftModel.from_pretrained(base, str(path))
    except (RuntimeError, ValueError, KeyError) as exc:  # e.g. shapes of another model
        raise WarmthError(f"adapter {path} does not fit model {type(base).__name__}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
