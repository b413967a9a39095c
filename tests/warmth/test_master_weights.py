"""bf16-mixed keeps fp32 trained weights (their own master copy) and computes in bf16.

One optimizer step at lr 1e-4 on ``model=tiny`` on CPU (Lightning's
``bf16-mixed`` autocasts on CPU as on GPUs). Adam's first step moves every
weight whose gradient is not zero by about lr; a bf16 weight of magnitude
above ~0.03 cannot move by 1e-4 (its rounding step is larger). How we checked
the test can fail: with ``ChatLM._param_dtype`` returning bf16 for full
fine-tuning again (the old behaviour), the weights are bf16 and 12% of those
with a gradient did not change; with autocast turned off around the step's
loss, the bf16-mixed runs' linear layers computed in fp32 and both failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from lightning.pytorch.callbacks import Callback

from tests.conftest import compose

BASE = ["model=tiny", "eval=none", "logger=none", "trainer.accelerator=cpu", "trainer.devices=1",
        "trainer.lr=1e-4", "trainer.warmup_ratio=0", "trainer.scheduler=constant", "trainer.max_steps=1",
        "trainer.micro_batch_size=1", "trainer.effective_batch_size=1", "trainer.gradient_clip_val=null",
        "trainer.enable_progress_bar=false", "data.limit=2", "data.max_length=128"]


class StepRecorder(Callback):
    """Trained weights before and after the step, their gradients, and the dtypes the linear layers
    computed in (every ``nn.Linear`` call's output: the LM head's too where the model makes logits;
    LoRA runs apply the head inside the fused loss, whose dtype ``test_head_cross_entropy`` checks)."""

    def on_train_start(self, trainer: Any, pl_module: Any) -> None:
        self.before = {n: p.detach().clone() for n, p in pl_module.model.named_parameters() if p.requires_grad}
        self.dtypes = {n: p.dtype for n, p in pl_module.model.named_parameters()}
        self.compute_dtypes: set[torch.dtype] = set()

        def hook(module: Any, args: Any, output: Any) -> None:
            self.compute_dtypes.add(output.dtype)

        for module in pl_module.model.modules():
            if type(module) is torch.nn.Linear:
                module.register_forward_hook(hook)

    def on_before_optimizer_step(self, trainer: Any, pl_module: Any, optimizer: Any) -> None:
        self.grads = {n: p.grad.detach().clone() for n, p in pl_module.model.named_parameters() if p.requires_grad}

    def on_train_end(self, trainer: Any, pl_module: Any) -> None:
        self.after = {n: p.detach().clone() for n, p in pl_module.model.named_parameters() if p.requires_grad}


def one_step(tmp_path: Path, *overrides: str) -> StepRecorder:
    from warmth.data.datamodule import ChatDataModule
    from warmth.models import load_tokenizer
    from warmth.module import ChatLM
    from warmth.runinfo import style_dataset
    from warmth.trainer_builder import build_trainer

    cfg = compose("train", [*BASE, *overrides], run_dir=tmp_path)
    tokenizer = load_tokenizer(cfg.model)
    data = ChatDataModule(tokenizer, cfg.data, style_dataset(cfg.style), batch_size=1)
    recorder = StepRecorder()
    trainer = build_trainer(cfg, [recorder], False)
    trainer.fit(ChatLM(cfg.model, cfg.peft, cfg.trainer, tokenizer), datamodule=data)
    return recorder


def test_full_fine_tuning_in_bf16_mixed_updates_fp32_weights(tmp_path: Path) -> None:
    step = one_step(tmp_path, "peft=none", "trainer.precision=bf16-mixed")
    moved = stuck = 0
    for name, before in step.before.items():
        has_grad = step.grads[name] != 0
        changed = step.after[name] != before
        moved += int((has_grad & changed).sum())
        stuck += int((has_grad & ~changed).sum())
    assert moved > 0 and stuck == 0, f"{stuck} of {moved + stuck} weights with a gradient did not change"
    assert set(step.dtypes.values()) == {torch.float32}, "weights are not fp32"
    assert step.compute_dtypes == {torch.bfloat16}, f"compute is not bf16: {step.compute_dtypes}"


@pytest.mark.parametrize("precision, base, adapter", [("bf16-mixed", torch.bfloat16, torch.float32),
                                                     ("bf16-true", torch.bfloat16, torch.bfloat16)])
def test_lora_dtypes_say_which_precision_trains(tmp_path: Path, precision: str, base: torch.dtype,
                                                adapter: torch.dtype) -> None:
    """bf16-mixed: 16-bit frozen base, fp32 adapters; bf16-true: everything bf16, as the plan counts."""
    step = one_step(tmp_path, "peft=lora", f"trainer.precision={precision}")
    lora = {d for n, d in step.dtypes.items() if "lora_" in n}
    frozen = {d for n, d in step.dtypes.items() if "lora_" not in n}
    assert lora == {adapter} and frozen == {base}
    assert step.compute_dtypes == {torch.bfloat16}, f"compute is not bf16: {step.compute_dtypes}"
