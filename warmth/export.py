"""``python -m warmth.export CHECKPOINT``: a consolidated adapter and a merged model.

Reads a training checkpoint as ``warmth.train`` writes it (a
``checkpoints/<name>/`` folder, its ``trainer.ckpt``, or a run directory for
``checkpoints/last``). Under DeepSpeed ``trainer.ckpt`` is a ZeRO folder of
per-rank shards; they are consolidated on CPU (no GPU, no process group).
Writes ``<out>/adapter`` (peft format: ``adapter_model.safetensors`` +
``adapter_config.json``) and ``<out>/merged`` (base model with the adapter
folded in, plus tokenizer) unless ``--no-merged``. Full fine-tuning
checkpoints give only ``merged``. The model and LoRA settings come from the
checkpoint's own hyperparameters.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import torch
from omegaconf import OmegaConf

from warmth.checkpoint_store import META_FILE, TRAINER_FILE, is_complete, newest
from warmth.errors import WarmthError
from warmth.models.loading import DTYPES

PREFIXES = ("_forward_module.", "model.")


def _is_trainer_ckpt(path: Path) -> bool:
    return path.is_file() or (path.is_dir() and (path / "latest").exists())


def find_checkpoint(path: Path) -> Path:
    """The Lightning checkpoint (file or ZeRO folder) that ``path`` names.

    A checkpoint folder counts only with its completion marker; a run
    directory gives its newest complete checkpoint (normally ``last``).
    """
    if _is_trainer_ckpt(path):
        return path
    if _is_trainer_ckpt(path / TRAINER_FILE):
        if not is_complete(path):
            raise WarmthError(f"{path} has no completion marker ({META_FILE}): its save was interrupted")
        return path / TRAINER_FILE
    found = newest(path / "checkpoints")
    if found is not None:
        return found / TRAINER_FILE
    raise WarmthError(f"no training checkpoint at {path} (expected {TRAINER_FILE}, a ZeRO folder, or a run dir)")


def _strip(key: str) -> str:
    for prefix in PREFIXES:
        key = key.removeprefix(prefix)
    return key


def load_trained_state(ckpt: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(trained weights keyed like ``ChatLM.model``'s parameters, the run's hyperparameters)."""
    if ckpt.is_dir():
        from deepspeed.utils.zero_to_fp32 import (
            get_fp32_state_dict_from_zero_checkpoint,
            get_model_state_file,
            get_optim_files,
        )

        tag = (ckpt / "latest").read_text().strip()
        state = get_fp32_state_dict_from_zero_checkpoint(str(ckpt), tag=tag, exclude_frozen_parameters=True)
        stage = torch.load(get_optim_files(str(ckpt / tag))[0], map_location="cpu",
                           weights_only=False)["optimizer_state_dict"]["zero_stage"]
        client = torch.load(get_model_state_file(str(ckpt / tag), stage), map_location="cpu", weights_only=False)
        hparams = client.get("hyper_parameters") or {}
    else:
        client = torch.load(ckpt, map_location="cpu", weights_only=True)  # ours hold tensors and plain data
        state, hparams = client.get("state_dict", {}), client.get("hyper_parameters") or {}
    if "model" not in hparams:
        raise WarmthError(f"{ckpt} holds no warmth hyperparameters (model, peft); was it written by warmth.train?")
    return {_strip(k): v for k, v in state.items()}, hparams


def adapter_state(state: dict[str, torch.Tensor], dtype: torch.dtype, name: str = "default") -> dict:
    """LoRA tensors under peft's file names (adapter name dropped)."""
    out = {k.replace(f".{name}.", "."): v.to(dtype).contiguous() for k, v in state.items() if "lora_" in k}
    if not out:
        raise WarmthError("the checkpoint holds no LoRA weights")
    return out


def write_adapter(state: dict, hparams: dict, out: Path, dtype: torch.dtype) -> Path:
    from peft import LoraConfig
    from safetensors.torch import save_file

    model, peft = hparams["model"], hparams["peft"]
    out.mkdir(parents=True, exist_ok=True)
    save_file(adapter_state(state, dtype), str(out / "adapter_model.safetensors"), metadata={"format": "pt"})
    LoraConfig(r=int(peft["r"]), lora_alpha=int(peft["alpha"]), lora_dropout=float(peft["dropout"]),
               target_modules=list(peft["target_modules"]), task_type="CAUSAL_LM",
               base_model_name_or_path=str(model["pretrained"]), revision=model.get("revision")
               ).save_pretrained(str(out))
    return out


def write_merged(state: dict, hparams: dict, adapter: Path | None, out: Path, dtype: torch.dtype) -> Path:
    from warmth.models import load_model, load_tokenizer

    model_cfg = OmegaConf.create(hparams["model"])
    model = load_model(model_cfg, dtype=dtype)
    if adapter is not None:
        from warmth.models import load_adapter

        model = load_adapter(model, adapter).merge_and_unload()
    else:
        _, unexpected = model.load_state_dict(state, strict=False)
        if unexpected:
            raise WarmthError(f"checkpoint weights do not match model '{model_cfg.name}': {unexpected[:3]}")
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out), safe_serialization=True)
    load_tokenizer(model_cfg).save_pretrained(str(out))
    return out


def export(checkpoint: Path, out: Path | None = None, merged: bool = True, dtype: str = "float32") -> dict:
    """Write the adapter and/or merged model; returns {"adapter": dir, "merged": dir}."""
    ckpt = find_checkpoint(checkpoint)
    out = out or (ckpt.parent / "export")
    state, hparams = load_trained_state(ckpt)
    torch_dtype = DTYPES[dtype]
    written: dict[str, Path] = {}
    if str(hparams.get("peft", {}).get("method")) == "lora":
        written["adapter"] = write_adapter(state, hparams, out / "adapter", torch_dtype)
    if merged:
        written["merged"] = write_merged(state, hparams, written.get("adapter"), out / "merged", torch_dtype)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m warmth.export", description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", type=Path, help="checkpoints/<name>/, its trainer.ckpt, or a run directory")
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: <checkpoint>/export)")
    parser.add_argument("--no-merged", dest="merged", action="store_false", help="write the adapter only")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32", help="dtype of the written weights")
    args = parser.parse_args(argv)
    try:
        written = export(args.checkpoint, args.out, args.merged, args.dtype)
    except WarmthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    for kind, path in written.items():
        print(f"{kind}: {path}")


if __name__ == "__main__":
    main()
