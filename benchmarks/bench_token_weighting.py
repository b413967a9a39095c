"""Optimizer-step time with the token-weighted loss vs the old per-micro-batch mean, on CPU.

Both paths run real ``Trainer.fit`` calls on the same model and data (the
bundled warm style, packed rows, 4 accumulated micro-batches per step),
interleaved (A, B, A, B, ...) so machine load hits them alike:

- token-weighted: what ``warmth.train`` runs: the loader stamps every
  micro-batch with its window's trained tokens (holding one window of
  batches), the step sums them over ranks once and scales the summed loss;
- per-micro-batch mean: the loss before, ``masked_lm_loss`` of each micro-batch,
  from a plain resumable loader.

We print the median seconds per optimizer step by wall clock and by the
process's CPU time (on a shared machine wall clock mostly measures the wait;
run with ``--threads 1`` there) and the ratio. The first step of each fit
(model set-up, first batches) is left out. One process only: under DDP the
token-weighted step adds one scalar all-reduce per optimizer step.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

CONF = Path(__file__).resolve().parents[1] / "conf"
OVERRIDES = ["eval=none", "logger=none", "trainer.accelerator=cpu", "trainer.devices=1",
             "trainer.precision=32-true", "trainer.micro_batch_size=1", "trainer.effective_batch_size=4",
             "trainer.enable_progress_bar=false", "trainer.checkpoint_epochs=[]", "trainer.warmup_ratio=0",
             "trainer.gradient_checkpointing=false", "data.max_length=512", "data.shuffle=true"]


class StepTimes:
    """Lightning callback: wall and CPU seconds between consecutive optimizer steps."""

    def __init__(self) -> None:
        self.times: list[tuple[float, float]] = []
        self._last: tuple[float, float] | None = None
        self._step = 0

    def hooks(self):
        from lightning.pytorch.callbacks import Callback

        outer = self

        class _Hook(Callback):
            def on_train_batch_end(self, trainer: Any, *args: Any) -> None:
                if trainer.global_step == outer._step:
                    return  # still accumulating
                outer._step = trainer.global_step
                now = (time.perf_counter(), time.process_time())
                if outer._last is not None:
                    outer.times.append((now[0] - outer._last[0], now[1] - outer._last[1]))
                outer._last = now

        return _Hook()


def _compose(model: str, steps: int, run_dir: str):
    """The train config; enough conversations for the steps (4 micro-batches each), not the whole set."""
    from hydra import compose, initialize_config_dir

    import warmth.resolvers  # noqa: F401

    with initialize_config_dir(config_dir=str(CONF), version_base="1.3"):
        return compose("train", [f"model={model}", f"trainer.max_steps={steps}", f"run_dir={run_dir}",
                                 f"data.limit={12 * steps + 12}", *OVERRIDES])


def _old_classes():
    """The module and data module as they were: per-micro-batch mean, unstamped batches."""
    from warmth.data.datamodule import ChatDataModule
    from warmth.data.resumable import ResumableLoader
    from warmth.module import ChatLM, masked_lm_loss

    class MeanLossChatLM(ChatLM):
        def training_step(self, batch: dict[str, torch.Tensor], batch_idx: int) -> torch.Tensor:
            logits = self.model(**self.model_inputs(batch), use_cache=False).logits  # full [B, T, V], as then
            loss, count = masked_lm_loss(logits, batch["labels"])
            self.log("train/loss", loss, prog_bar=True, on_step=True, on_epoch=False, sync_dist=False)
            self.log("train/trained_tokens", count.float(), on_step=True, on_epoch=False, reduce_fx="sum")
            return loss

    class PlainChatDataModule(ChatDataModule):
        def train_dataloader(self) -> ResumableLoader:
            new = super().train_dataloader()
            return ResumableLoader(new.dataset, batch_size=new.batch_size, sampler=new.sampler,
                                   collate_fn=new.collate_fn, num_workers=new.num_workers,
                                   position=self._position)

    return MeanLossChatLM, PlainChatDataModule


def fit_once(cfg: Any, tokenizer: Any, data: Any, old: bool) -> list[tuple[float, float]]:
    from warmth.module import ChatLM
    from warmth.trainer_builder import build_trainer

    module_cls = _old_classes()[0] if old else ChatLM
    timer = StepTimes()
    trainer = build_trainer(cfg, [timer.hooks()], False)
    trainer.fit(module_cls(cfg.model, cfg.peft, cfg.trainer, tokenizer), datamodule=data)
    return timer.times


def bench_model(model: str, steps: int, repeats: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) seconds per step: (token-weighted, per-micro-batch mean)."""
    from lightning.pytorch import seed_everything

    from warmth.data.datamodule import ChatDataModule
    from warmth.models import load_tokenizer
    from warmth.runinfo import style_dataset

    times: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp:
        cfg = _compose(model, steps + 1, tmp)
        tokenizer = load_tokenizer(cfg.model)
        data = {old: cls(tokenizer, cfg.data, style_dataset(cfg.style), batch_size=1)
                for old, cls in ((False, ChatDataModule), (True, _old_classes()[1]))}
        for _ in range(repeats):
            for old in (False, True):
                seed_everything(0)
                times[old] += fit_once(cfg, tokenizer, data[old], old)
    median = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    return median[False], median[True]


def main(argv: list[str] | None = None) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    import logging

    parser = argparse.ArgumentParser(prog="python -m benchmarks token_weighting")
    parser.add_argument("--models", nargs="+", default=["tiny", "smollm2_135m"])
    parser.add_argument("--steps", type=int, default=8, help="optimizer steps timed per fit")
    parser.add_argument("--repeats", type=int, default=3, help="fits per path (interleaved)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    args = parser.parse_args(argv or [])
    if args.threads:
        torch.set_num_threads(args.threads)
    logging.getLogger("lightning").setLevel(logging.ERROR)
    rows = [(name, *bench_model(name, args.steps, args.repeats)) for name in args.models]
    print(f"CPU, torch threads {torch.get_num_threads()}, 4 micro-batches of 1 packed row (<= 512 tokens) "
          f"per step, median of {args.repeats} x {args.steps} steps; seconds per step by wall clock | CPU time")
    print(f"{'model':<14} {'token-weighted':>19} {'per-micro-batch mean':>21} {'ratio':>15}")
    for model, new, old in rows:
        print(f"{model:<14} {new[0]:>9.4f}|{new[1]:<9.4f} {old[0]:>10.4f}|{old[1]:<10.4f} "
              f"{new[0] / old[0]:>7.3f}|{new[1] / old[1]:.3f}")
    return rows
