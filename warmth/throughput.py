"""Training throughput of every run: tokens per second, seconds per step and LoRA-MFU.

Logged once per optimizer step (``perf/*``, to the loggers; the main rates in
the progress bar), summed over ranks so rank 0 logs the global rate:

- ``perf/trained_tokens_per_s``: tokens with a loss (labels ``!= -100`` after
  the shift, the count :func:`warmth.module.masked_lm_loss` divides by);
- ``perf/token_slots_per_s``: every position of every row, padding included;
- ``perf/real_token_fraction``: non-padding positions / all positions;
- ``perf/s_per_step``: seconds of the step, from the start of its first
  micro-batch to the end of its last (data loading of the first micro-batch
  and other callbacks' end-of-step work, such as an evaluation at a
  fractional epoch, are not in it);
- ``perf/mfu``: model FLOPs / (peak FLOP/s x devices x step time), when a
  peak is known: ``trainer.peak_tflops`` (any device), else Lightning's table
  of GPU peaks by device name and precision.

Model FLOPs of one optimizer step (LoRA or full fine-tuning alike)::

    FLOPs = (2 N + 2 N + 2 N_trained) x real tokens
             forward  activation  weight gradients
                      gradients   (LoRA A/B only, with LoRA)

with ``N`` the parameters used in matrix products (all parameters, minus an
input embedding not tied to the output head) and ``N_trained`` those with
``requires_grad``. Attention's score and value products and the recomputation
of gradient checkpointing are not counted (so this is a lower bound of the
hardware's work); padding positions are not model work either.

Counts are accumulated on the device from the batch tensors and read once per
optimizer step, so counting adds no host-device sync per micro-batch.
"""

from __future__ import annotations

import time
from typing import Any

import torch
from lightning.pytorch.callbacks import Callback

IGNORE_INDEX = -100
PROG_BAR = ("perf/trained_tokens_per_s", "perf/s_per_step", "perf/mfu")


def batch_counts(batch: dict[str, torch.Tensor], pad_token_id: int | None) -> torch.Tensor:
    """``[trained, slots, real]`` token counts of one batch, as a tensor on the batch's device.

    Padded batches carry an ``attention_mask``. Packed ones do not: their padding is
    each row's trailing position run (``position_ids`` restart at 0 for it, see
    :func:`warmth.data.packing.collate_packed`) made only of ``pad_token_id``.
    """
    labels = batch["labels"]
    trained = (labels[:, 1:] != IGNORE_INDEX).sum()
    # torch.full, not torch.tensor: a fill kernel, no host-to-device copy (which would sync)
    slots = torch.full((), labels.numel(), dtype=torch.long, device=labels.device)
    if "attention_mask" in batch:
        real = batch["attention_mask"].sum()
    elif "position_ids" in batch and pad_token_id is not None:
        seq = (batch["position_ids"] == 0).cumsum(-1)
        in_last = seq == seq[:, -1:]
        last_is_pad = ((batch["input_ids"] == pad_token_id) | ~in_last).all(-1)
        real = slots - (in_last.sum(-1) * last_is_pad).sum()
    else:
        real = slots
    return torch.stack([trained, slots, real]).to(torch.float64)


def matmul_params(module: torch.nn.Module) -> tuple[int, int]:
    """(parameters used in matrix products, trained parameters) of a module.

    Counts ``ds_numel`` for DeepSpeed ZeRO-3's partitioned parameters.
    """
    def numel(p: torch.Tensor) -> int:
        return int(getattr(p, "ds_numel", p.numel()))

    total = sum(numel(p) for p in module.parameters())
    trained = sum(numel(p) for p in module.parameters() if p.requires_grad)
    inner = getattr(module, "model", module)
    try:
        emb, head = inner.get_input_embeddings(), inner.get_output_embeddings()
    except (AttributeError, NotImplementedError):
        emb = head = None
    if emb is not None and (head is None or head.weight is not emb.weight):
        total -= numel(emb.weight)  # a lookup, not a matrix product
    return total, trained


def flops_per_token(n_params: int, n_trained: int) -> int:
    """Model FLOPs per real token of one training step (see the module docstring)."""
    return 4 * n_params + 2 * n_trained


def peak_flops(trainer: Any, override_tflops: float | None) -> float | None:
    """Peak FLOP/s of one device: the override, else Lightning's GPU table (None if unknown)."""
    if override_tflops:
        return float(override_tflops) * 1e12
    root = trainer.strategy.root_device
    if root.type != "cuda":
        return None
    from lightning.fabric.utilities.throughput import get_available_flops

    precision = str(trainer.precision)
    dtype = (torch.bfloat16 if precision.startswith("bf16")
             else torch.float16 if precision.startswith("16") else torch.float32)
    return get_available_flops(root, dtype)


class Throughput(Callback):
    """Logs ``perf/*`` each optimizer step; ``totals`` holds the whole run's sums.

    Put it first among the callbacks, so its end-of-batch hook closes the step's
    clock before other callbacks' work. At the end of fitting, the trainer's
    ``callback_metrics`` hold the whole run's rates (all steps' tokens over all
    steps' time) under the same keys, for ``metrics.json`` and the run summary.
    """

    def __init__(self, pad_token_id: int | None = None, peak_tflops: float | None = None):
        self.pad_token_id = pad_token_id
        self.peak_tflops = peak_tflops
        self.totals = {"trained": 0.0, "slots": 0.0, "real": 0.0, "seconds": 0.0, "steps": 0}
        self._counts: torch.Tensor | None = None
        self._started: float | None = None
        self._step = 0
        self._flops_per_token = 0
        self._peak: float | None = None

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        if self.pad_token_id is None:
            self.pad_token_id = getattr(trainer.datamodule, "pad_token_id", None) if trainer.datamodule else None
        self._flops_per_token = flops_per_token(*matmul_params(pl_module))
        self._peak = peak_flops(trainer, self.peak_tflops)
        self._step = trainer.global_step

    def on_train_batch_start(self, trainer: Any, pl_module: Any, batch: Any, batch_idx: int) -> None:
        if self._started is None:
            self._started = time.perf_counter()
        counts = batch_counts(batch, self.pad_token_id)
        self._counts = counts if self._counts is None else self._counts + counts

    def on_train_batch_end(self, trainer: Any, pl_module: Any, outputs: Any, batch: Any, batch_idx: int) -> None:
        if trainer.global_step == self._step or self._counts is None:
            return  # inside an accumulation window
        counts = trainer.strategy.reduce(self._counts, reduce_op="sum")
        trained, slots, real = counts.tolist()  # the one sync of the step
        seconds = time.perf_counter() - self._started
        self._step, self._counts, self._started = trainer.global_step, None, None
        for key, value in (("trained", trained), ("slots", slots), ("real", real), ("seconds", seconds)):
            self.totals[key] += value
        self.totals["steps"] += 1
        for key, value in self.rates(trained, slots, real, seconds, trainer.world_size).items():
            pl_module.log(key, value, on_step=True, on_epoch=False, prog_bar=key in PROG_BAR,
                          batch_size=1, sync_dist=False)

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        t = self.totals
        if t["steps"]:
            rates = self.rates(t["trained"], t["slots"], t["real"], t["seconds"],
                               trainer.world_size, steps=t["steps"])
            trainer.callback_metrics.update({k: torch.tensor(v) for k, v in rates.items()})

    def rates(self, trained: float, slots: float, real: float, seconds: float, world: int,
              steps: int = 1) -> dict[str, float]:
        seconds = max(seconds, 1e-9)
        out = {
            "perf/trained_tokens_per_s": trained / seconds,
            "perf/token_slots_per_s": slots / seconds,
            "perf/real_token_fraction": real / max(slots, 1.0),
            "perf/s_per_step": seconds / steps,
        }
        if self._peak:
            out["perf/mfu"] = self._flops_per_token * real / seconds / (self._peak * world)
        return out
