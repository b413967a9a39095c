"""Generated tokens per second of the in-process HF backend at batch 1, 8 and 32.

The same ``--prompts`` bundled TriviaQA questions (one user message each,
the model's chat template) go through ``HFBackend.generate`` greedily with
``--max-new-tokens``; batch 1 is one prompt at a time. Generated tokens are
counted from ``generate``'s output: every new token up to and including the
first end-of-sequence (padding after it is not counted). The goal is batch 32
at least 5x the tokens/s of one at a time on a CPU.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

import torch

MARKDOWN = True


class CountingModel:
    """Forwards everything to ``model``; ``generate`` also counts the tokens it produced."""

    def __init__(self, model: Any, eos_ids: set[int]):
        self._model, self._eos, self.generated = model, eos_ids, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def generate(self, input_ids: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        out = self._model.generate(input_ids=input_ids, **kwargs)
        new = out[:, input_ids.shape[1]:]
        is_eos = torch.isin(new, torch.tensor(sorted(self._eos), device=new.device))
        # tokens before the first EOS, plus that EOS when there is one
        before = (~is_eos).long().cumprod(-1).sum(-1)
        self.generated += int((before + is_eos.any(-1).long()).sum())
        return out


def prompts(n: int) -> list[list[dict[str, str]]]:
    from warmth_plugins.tasks.trivia import Trivia

    items = Trivia(source="bundled").load(None, seed=0)
    return [[{"role": "user", "content": it.question}] for it in (items * (n // len(items) + 1))[:n]]


def measure(model: Any, tok: Any, requests: list, batch: int, max_new: int, repeats: int) -> tuple[float, int]:
    """Median generated tokens/s over ``repeats`` passes over all requests, and tokens per pass."""
    from warmth_plugins.backends.hf import HFBackend

    from warmth.eval.interfaces import GenerationParams

    eos = tok.eos_token_id if isinstance(tok.eos_token_id, int) else tok.eos_token_id[0]
    counting = CountingModel(model, {int(eos), int(tok.pad_token_id or eos)})
    backend = HFBackend(model=counting, tokenizer=tok, batch_size=batch)
    params = GenerationParams(temperature=0.0, max_new_tokens=max_new)
    rates, tokens = [], 0
    for _ in range(repeats):
        counting.generated = 0
        t0 = time.perf_counter()
        backend.generate(requests, params)
        rates.append(counting.generated / (time.perf_counter() - t0))
        tokens = counting.generated
    return statistics.median(rates), tokens


def main(argv: list[str] | None = None) -> dict[int, tuple[float, int]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks generation")
    parser.add_argument("--model", default="smollm2_135m")
    parser.add_argument("--prompts", type=int, default=32)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--max-new-tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv or [])
    from warmth.models import load_model, load_tokenizer

    cfg = {"name": args.model, "pretrained": f"builtin:{args.model}", "dtype": "float32"}
    model, tok = load_model(cfg).eval(), load_tokenizer(cfg)
    requests = prompts(args.prompts)
    load0 = os.getloadavg()[0]
    measure(model, tok, requests[:2], 2, 4, 1)  # warm-up
    rows = {b: measure(model, tok, requests, b, args.max_new_tokens, args.repeats) for b in args.batches}
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {args.model}, float32 on the CPU, "
          f"torch threads {torch.get_num_threads()}, {args.prompts} prompts, greedy, at most "
          f"{args.max_new_tokens} new tokens, median of {args.repeats}; load average (1 min) {load0:.1f} "
          f"at start, {os.getloadavg()[0]:.1f} at end.")
    print()
    print("| batch | generated tokens / pass | generated tokens/s | vs one at a time |")
    print("|---|---|---|---|")
    base = rows.get(1, (None,))[0]
    for b, (rate, tokens) in rows.items():
        ratio = f"{rate / base:.2f}x" if base else "-"
        print(f"| {b} | {tokens} | {rate:.1f} | {ratio} |")
    return rows
