"""Token-weighted loss: an accumulated step has the gradient of its tokens in one batch, under every strategy.

Four packed rows of 413, 357, 336 and 154 trained tokens (``model=tiny``,
full fine-tuning, fp32, no dropout) make one optimizer step, run for real
through ``python -m tests.warmth.strategies.grad_probe`` (``warmth.train``
plus a gradient recorder):

- reference: one process, one micro-batch of all four rows;
- ``auto``: one process, 4 accumulated micro-batches of one row;
- ``ddp`` and ``deepspeed_zero2``: two CPU processes (gloo), 2 accumulated
  micro-batches each (rank 0 gets rows 1 and 3, rank 1 rows 2 and 4, so the
  ranks' token counts differ too).

ZeRO-3 and FSDP (2 processes) run in the slow tier. Each step's full
gradient must equal the reference's within 1e-6 relative (L2 over all
parameters); what is left is float summation order (1.2e-7 seen).
The gradient norm the strategy clips with (DeepSpeed: the engine's own
pre-clip norm) must equal the reference's the same way, so clipping acts at
the same point. How we checked these can fail: with ``training_step``
returning the per-micro-batch mean again, ``auto`` and DDP were off by
2.0e-1; with the DeepSpeed strategy's ``backward`` rescaling again
(``scale_wrt_gas`` left on), the ZeRO-2 gradient was off by 5.0e-1 (half
the reference's at accumulation 2, so its clip norm was half too).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.conftest import run_module

BASE = [
    "model=tiny", "eval=none", "logger=none", "peft=none", "trainer.accelerator=cpu",
    "trainer.precision=32-true", "trainer.max_steps=1", "trainer.gradient_checkpointing=false",
    "trainer.enable_progress_bar=false", "trainer.checkpoint_epochs=[]", "trainer.warmup_ratio=0",
    "trainer.scheduler=constant", "trainer.effective_batch_size=4",
    "data.limit=7", "data.max_length=512", "data.shuffle=false", "data.packing=true",
]
TOKENS = 413 + 357 + 336 + 154
TOLERANCE = 1e-6


def probe(run: Path, *overrides: str) -> dict:
    proc = run_module("tests.warmth.strategies.grad_probe", *BASE, *overrides, f"hydra.run.dir={run}",
                      timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return torch.load(run / "grad_probe.pt")


def flat(result: dict) -> torch.Tensor:
    return torch.cat([result["grads"][k].flatten() for k in sorted(result["grads"])])


@pytest.fixture(scope="module")
def one_batch(tmp_path_factory) -> dict:
    result = probe(tmp_path_factory.mktemp("one") / "run", "trainer.devices=1", "trainer.micro_batch_size=4")
    assert result["tokens"] == TOKENS
    return result


@pytest.mark.parametrize("strategy, devices", [
    ("auto", 1), ("ddp", 2), ("deepspeed_zero2", 2),
    pytest.param("deepspeed_zero3", 2, marks=pytest.mark.slow), pytest.param("fsdp", 2, marks=pytest.mark.slow),
])
def test_accumulated_step_has_the_one_batch_gradient(tmp_path: Path, one_batch: dict, strategy: str,
                                                     devices: int) -> None:
    result = probe(tmp_path / "run", f"strategy={strategy}", f"trainer.devices={devices}",
                   "trainer.micro_batch_size=1")
    assert result["tokens"] == TOKENS  # the logged trained tokens of the step, all ranks
    assert result["loss"] == pytest.approx(one_batch["loss"], rel=TOLERANCE)
    ours, ref = flat(result), flat(one_batch)
    assert ref.norm() > 0
    relative = float((ours - ref).norm() / ref.norm())
    assert relative < TOLERANCE, f"gradient differs by {relative:.2e} (relative L2)"
    assert result["clip_norm"] == pytest.approx(one_batch["norm"], rel=TOLERANCE)
