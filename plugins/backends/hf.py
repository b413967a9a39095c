"""In-process Hugging Face generation, on a loaded model or a live training model.

Requests are rendered with the tokenizer's chat template, sorted by token
length and generated in batches with left padding and the KV cache.
Sampling (``temperature > 0``) is seeded from ``params.seed`` inside a forked
RNG state, so evaluation does not disturb training randomness. Under
DeepSpeed ZeRO-3 / FSDP pass ``synced_gpus=True``: every rank must take part
in each ``generate`` call (the runner guarantees equal call counts).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from warmth.errors import ConfigError
from warmth.eval.interfaces import GenerationParams


def load_checkpoint(model_cfg: Any, checkpoint: str | Path | None):
    """Base model from ``model_cfg``; with ``checkpoint``, a saved LoRA adapter (or full model) on top.

    Weights load from safetensors only; a checkpoint whose metadata names another model is refused.
    """
    from warmth.models import load_adapter, load_model

    if checkpoint:
        ckpt = Path(checkpoint).expanduser()
        if not ckpt.is_dir():
            raise ConfigError(f"checkpoint directory not found: {ckpt}")
        trained_on = checkpoint_meta(ckpt).get("pretrained")
        if trained_on and trained_on != model_cfg.get("pretrained"):
            raise ConfigError(f"checkpoint {ckpt} was trained on {trained_on}, not on model "
                              f"{model_cfg.get('name')!r} ({model_cfg.get('pretrained')}): pick its model= preset")
    base = load_model(model_cfg)
    if not checkpoint:
        return base
    if (ckpt / "adapter_config.json").exists():
        return load_adapter(base, ckpt)
    if (ckpt / "config.json").exists():
        from transformers import AutoModelForCausalLM

        try:
            return AutoModelForCausalLM.from_pretrained(str(ckpt), dtype=base.dtype, use_safetensors=True)
        except OSError as exc:
            raise ConfigError(f"checkpoint {ckpt}: {str(exc).strip().splitlines()[0]}") from None
    raise ConfigError(f"checkpoint {ckpt} has neither adapter_config.json (LoRA) nor config.json (full model)")


def checkpoint_meta(checkpoint: str | Path | None) -> dict[str, Any]:
    """The warmth metadata saved next to a checkpoint (epoch, style, model), or {}."""
    if not checkpoint:
        return {}
    from warmth.checkpoint_store import read_meta

    return read_meta(Path(checkpoint)) or {}


class HFBackend:
    name = "hf"

    def __init__(self, model: Any = None, tokenizer: Any = None, model_cfg: Any = None,
                 checkpoint: str | None = None, batch_size: int = 16, device: str | None = None,
                 synced_gpus: bool = False):
        if model is None:
            if model_cfg is None:
                raise ConfigError("hf backend needs a model config (model=...) or a live model")
            from warmth.models import load_tokenizer

            tokenizer = load_tokenizer(model_cfg)
            model = load_checkpoint(model_cfg, checkpoint)
            dev = device or ("cuda" if torch.cuda.is_available() else "cpu")
            model = model.to(dev)
        if tokenizer is None:
            raise ConfigError("hf backend needs the model's tokenizer")
        self.model, self.tokenizer = model, tokenizer
        self.batch_size = max(1, int(batch_size))
        self.synced_gpus = synced_gpus
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token

    def _render(self, messages: list[dict[str, str]]) -> str:
        return self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)

    @torch.no_grad()
    def generate(self, requests: Sequence[list[dict[str, str]]], params: GenerationParams) -> list[list[str]]:
        texts = [self._render(m) for m in requests]
        lengths = [len(self.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts]
        order = sorted(range(len(texts)), key=lambda i: (-lengths[i], i))
        out: list[list[str]] = [[] for _ in texts]
        device = next(self.model.parameters()).device
        was_training = self.model.training
        self.model.eval()
        side = self.tokenizer.padding_side
        self.tokenizer.padding_side = "left"
        sample = params.temperature > 0
        n = max(1, int(params.n_samples))
        cuda = [device.index or 0] if device.type == "cuda" else []
        try:
            with torch.random.fork_rng(devices=cuda):
                torch.manual_seed(int(params.seed))
                for start in range(0, len(order), self.batch_size):
                    idx = order[start : start + self.batch_size]
                    enc = self.tokenizer([texts[i] for i in idx], return_tensors="pt", padding=True,
                                         add_special_tokens=False).to(device)
                    kwargs: dict[str, Any] = {"max_new_tokens": int(params.max_new_tokens), "do_sample": sample,
                                                  "num_return_sequences": n, "use_cache": True,
                                                  "pad_token_id": self.tokenizer.pad_token_id}
                    if sample:
                        kwargs.update(temperature=float(params.temperature), top_p=float(params.top_p))
                    else:
                        kwargs.update(temperature=None, top_p=None, top_k=None)
                    if self.synced_gpus:
                        kwargs["synced_gpus"] = True
                    gen = self.model.generate(**enc, **kwargs)
                    new = gen[:, enc["input_ids"].shape[1] :]
                    decoded = self.tokenizer.batch_decode(new, skip_special_tokens=True)
                    for j, i in enumerate(idx):
                        out[i] = [d.strip() for d in decoded[j * n : (j + 1) * n]]
        finally:
            self.tokenizer.padding_side = side
            if was_training:
                self.model.train()
        return out
