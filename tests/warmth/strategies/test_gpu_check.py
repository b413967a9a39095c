"""GPU check (`make gpu-check`): Llama-3.1-8B's shape, LoRA, bf16, ZeRO-3 on one GPU.

A randomly initialised model (no download) is created sharded through the
same path as training (ChatLM + build_strategy + build_trainer), trained a
few optimizer steps on the bundled warm data, then evaluated by the probe's
generation-based evaluator with all ranks in generate(). Prints tokens per
second and model FLOPs utilisation: 4N FLOPs per trained token (forward 2N,
backward 2N for activation gradients; frozen weights get no weight
gradient; recomputation is not counted). Under 8 minutes on one H100.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch
from lightning import Callback

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU"),
]

LLAMA31_8B = {"hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
              "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
              "max_position_embeddings": 8192, "rope_theta": 500000.0, "tie_word_embeddings": False}
PEAK_BF16 = {"H100": 989e12, "H200": 989e12, "A100": 312e12, "L40S": 362e12}  # dense TFLOP/s
# NeMo AutoModel's published Llama-3-8B LoRA figure on one H100, printed beside ours for comparison.
NEMO_TOKENS_PER_S, NEMO_MFU = 12_473, 0.406
STEPS, WARMUP = 6, 2


class Throughput(Callback):
    """Tokens per second over the optimizer steps after the warm-up ones."""

    def __init__(self) -> None:
        self.tokens, self.seconds, self.start = 0, 0.0, 0.0

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        torch.cuda.synchronize()
        self.start = time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        torch.cuda.synchronize()
        if trainer.global_step > WARMUP:
            self.seconds += time.perf_counter() - self.start
            self.tokens += int(batch["input_ids"].numel())


def test_llama8b_shape_lora_zero3_trains_and_generates(tmp_path: Path, monkeypatch) -> None:
    from transformers import AutoModelForCausalLM, LlamaConfig

    import warmth.module
    from tests.compose import compose_config
    from warmth.data.datamodule import ChatDataModule
    from warmth.eval.callbacks import build_eval_callbacks
    from warmth.models import load_tokenizer
    from warmth.module import ChatLM
    from warmth.runinfo import style_dataset
    from warmth.trainer_builder import build_trainer

    def random_llama8b(model_cfg, dtype=None):
        return AutoModelForCausalLM.from_config(LlamaConfig(**LLAMA31_8B), dtype=dtype or torch.bfloat16)

    monkeypatch.setattr(warmth.module, "load_model", random_llama8b)
    cfg = compose_config(
        "model=tiny", "strategy=deepspeed_zero3", "eval=probe", "eval.at_checkpoints=null", "logger=none",
        "trainer.accelerator=gpu", "trainer.devices=1", "trainer.precision=bf16-mixed",
        "trainer.micro_batch_size=4", "trainer.effective_batch_size=4", f"trainer.max_steps={STEPS}",
        "trainer.enable_progress_bar=false", "data.max_length=1024", "data.limit=200",
    )
    cfg.run_dir = str(tmp_path)
    tokenizer = load_tokenizer(cfg.model)
    data = ChatDataModule(tokenizer, cfg.data, style_dataset(cfg.style), batch_size=4)
    module = ChatLM(cfg.model, cfg.peft, cfg.trainer, tokenizer)
    meter = Throughput()
    trainer = build_trainer(cfg, [meter, *build_eval_callbacks(cfg, tmp_path)], False)

    started = time.perf_counter()
    trainer.fit(module, datamodule=data)
    total = time.perf_counter() - started

    assert trainer.global_step == STEPS
    n_params = sum(p.ds_numel if hasattr(p, "ds_numel") else p.numel() for p in module.model.parameters())
    assert 8.0e9 < n_params < 8.1e9, n_params  # base (8.03B) + LoRA
    tokens_per_s = meter.tokens / max(meter.seconds, 1e-9)
    name = torch.cuda.get_device_name(0)
    peak = next((v for k, v in PEAK_BF16.items() if k in name), None)
    mfu = f"{4 * n_params * tokens_per_s / peak:.1%}" if peak else "n/a (unknown GPU peak)"
    print(f"\nGPU check on {name}: {tokens_per_s:,.0f} tokens/s, LoRA MFU {mfu} (4N FLOPs per token), "
          f"peak memory {torch.cuda.max_memory_allocated() / 2**30:.1f} GiB, {total:.0f} s in all")
    print(f"NeMo AutoModel, Llama-3-8B LoRA on one H100 (published): {NEMO_TOKENS_PER_S:,} tokens/s, "
          f"MFU {NEMO_MFU:.1%}; ours / theirs: {tokens_per_s / NEMO_TOKENS_PER_S:.2f}x tokens/s")
    records = list(tmp_path.glob("records/*.jsonl"))
    assert records and any(r.stat().st_size > 0 for r in records), "the evaluator wrote no records"
