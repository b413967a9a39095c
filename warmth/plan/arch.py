"""Architecture numbers a memory plan needs, without downloading a model.

Sources, first found wins: an ``arch:`` block in the model preset, the table
below (the study's hub models, from their published configs), or the HF
``config.json`` of a built-in model, a local folder or the HF cache (offline).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from omegaconf import DictConfig, OmegaConf

from warmth.errors import ConfigError


@dataclass(frozen=True)
class Arch:
    hidden_size: int
    num_layers: int
    intermediate_size: int
    num_heads: int
    num_kv_heads: int
    vocab_size: int
    head_dim: int = 0           # 0: hidden_size // num_heads
    tie_embeddings: bool = False
    params: int = 0             # 0: computed from the numbers above

    @property
    def q_dim(self) -> int:
        return self.num_heads * (self.head_dim or self.hidden_size // self.num_heads)

    @property
    def kv_dim(self) -> int:
        return self.num_kv_heads * (self.head_dim or self.hidden_size // self.num_heads)

    def layer_params(self) -> int:
        h, i = self.hidden_size, self.intermediate_size
        return 2 * h * self.q_dim + 2 * h * self.kv_dim + 3 * h * i + 2 * h

    def total_params(self) -> int:
        if self.params:
            return self.params
        embeddings = self.vocab_size * self.hidden_size * (1 if self.tie_embeddings else 2)
        return embeddings + self.num_layers * self.layer_params() + self.hidden_size

    def linear_shapes(self) -> dict[str, tuple[int, int]]:
        """(in, out) features of the usual per-layer linear modules, by name."""
        h, i = self.hidden_size, self.intermediate_size
        return {"q_proj": (h, self.q_dim), "k_proj": (h, self.kv_dim), "v_proj": (h, self.kv_dim),
                "o_proj": (self.q_dim, h), "gate_proj": (h, i), "up_proj": (h, i), "down_proj": (i, h)}


# Published configs of the study's open models (params: the exact count).
KNOWN: dict[str, Arch] = {
    "meta-llama/Llama-3.1-8B-Instruct": Arch(4096, 32, 14336, 32, 8, 128256, 128, False, 8_030_261_248),
    "meta-llama/Llama-3.1-70B-Instruct": Arch(8192, 80, 28672, 64, 8, 128256, 128, False, 70_553_706_496),
    "mistralai/Mistral-Small-Instruct-2409": Arch(6144, 56, 16384, 48, 8, 32768, 128, False, 22_247_282_688),
    "Qwen/Qwen2.5-32B-Instruct": Arch(5120, 64, 27648, 40, 8, 152064, 128, False, 32_763_876_352),
}


def _from_hf_config(config: Any) -> Arch:
    heads = int(config.num_attention_heads)
    return Arch(
        hidden_size=int(config.hidden_size), num_layers=int(config.num_hidden_layers),
        intermediate_size=int(config.intermediate_size), num_heads=heads,
        num_kv_heads=int(getattr(config, "num_key_value_heads", None) or heads),
        vocab_size=int(config.vocab_size), head_dim=int(getattr(config, "head_dim", 0) or 0),
        tie_embeddings=bool(getattr(config, "tie_word_embeddings", False)),
    )


# HF config names accepted in a preset's ``arch:`` block, mapped to ours.
ALIASES = {"num_parameters": "params", "num_hidden_layers": "num_layers", "num_attention_heads": "num_heads",
           "num_key_value_heads": "num_kv_heads", "tie_word_embeddings": "tie_embeddings"}


def _from_block(name: str, raw: dict) -> Arch:
    known = {f.name for f in fields(Arch)}
    values = {ALIASES.get(k, k): v for k, v in raw.items()}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ConfigError(f"model.arch of '{name}': unknown key(s) {', '.join(unknown)}")
    try:
        return Arch(**values)
    except TypeError as exc:
        raise ConfigError(f"model.arch of '{name}': {exc}") from None


def model_arch(model_cfg: DictConfig) -> Arch:
    """The architecture of ``cfg.model``; ConfigError naming ``model.arch`` when unknown."""
    block = model_cfg.get("arch")
    if block:
        raw = OmegaConf.to_container(block, resolve=True) if isinstance(block, DictConfig) else dict(block)
        return _from_block(str(model_cfg.get("name")), raw)
    pretrained = str(model_cfg.get("pretrained", ""))
    for hub_id, arch in KNOWN.items():
        if pretrained.lower() == hub_id.lower():
            return arch
    try:
        from transformers import AutoConfig

        from warmth.models import resolve_pretrained  # builds a built-in model's folder if needed

        config = AutoConfig.from_pretrained(resolve_pretrained(model_cfg), revision=model_cfg.get("revision"),
                                            local_files_only=True)
        return _from_hf_config(config)
    except Exception:  # noqa: BLE001 - any failure means: not available offline
        raise ConfigError(
            f"memory plan: no architecture for model '{model_cfg.get('name')}' ({pretrained}); add an "
            "'arch:' block (hidden_size, num_layers, intermediate_size, num_heads, num_kv_heads, "
            "vocab_size) to its conf/model preset or download its config"
        ) from None
