"""Peak memory and step time of ``sft_kl`` against ``sft`` (LoRA), each in its own process.

The KL term's reference is the base model with the adapter switched off: one
extra forward pass without a graph, and its logits only at trained positions.
Each objective trains the same steps of the bundled warm sample in a fresh
``python -m warmth.train`` process; the process's peak resident set (from
``wait4``) is its own, so model loading counts alike on both sides. Runs
alternate (sft, sft_kl, sft, ...) so machine load hits both alike; we print
medians and the ratios. Target (issue): sft_kl at most 10% more peak memory.

    python -m benchmarks objective_memory                       # SmolLM2-135M, 4 steps, 3 repeats
    python -m benchmarks objective_memory --model tiny --steps 2 --repeats 1
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.child_process import run_measured

OBJECTIVES = {"sft": ["objective=sft"], "sft_kl": ["objective=sft_kl", "objective.beta=0.1"]}


def run_once(model: str, steps: int, max_length: int, extra: list[str]) -> tuple[float, float]:
    """(peak RSS in MiB, wall seconds) of one training process."""
    with tempfile.TemporaryDirectory() as tmp:
        args = [sys.executable, "-m", "warmth.train", f"model={model}", "eval=none", "logger=none",
                "trainer.enable_progress_bar=false", f"trainer.max_steps={steps}", "trainer.micro_batch_size=1",
                "trainer.effective_batch_size=1", f"data.max_length={max_length}", "data.limit=16",
                "trainer.checkpoint_epochs=[]", f"hydra.run.dir={Path(tmp) / 'run'}", *extra]
        return run_measured(args, f"training ({' '.join(extra)})")


def main(argv: list[str] | None = None) -> list[tuple[str, float, float]]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks objective_memory")
    ap.add_argument("--model", default="smollm2_135m")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--max-length", type=int, default=512)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    runs: dict[str, list[tuple[float, float]]] = {k: [] for k in OBJECTIVES}
    for _ in range(args.repeats):
        for name, extra in OBJECTIVES.items():
            runs[name].append(run_once(args.model, args.steps, args.max_length, extra))
    rows = [(name, statistics.median(r for r, _ in v), statistics.median(w for _, w in v)) for name, v in runs.items()]
    print(f"model {args.model}, LoRA, {args.steps} steps of 1 row x {args.max_length} tokens, "
          f"median of {args.repeats}")
    print(f"{'objective':<10} {'peak RSS MiB':>13} {'wall s':>8}")
    for name, rss, wall in rows:
        print(f"{name:<10} {rss:>13.0f} {wall:>8.1f}")
    (_, rss0, wall0), (_, rss1, wall1) = rows
    print(f"sft_kl / sft: peak memory {rss1 / rss0:.3f}x (target <= 1.10), wall {wall1 / wall0:.2f}x")
    return rows


if __name__ == "__main__":
    main()
