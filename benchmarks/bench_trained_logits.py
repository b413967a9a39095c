"""The LM head at trained positions only, against full logits: step time and peak memory.

``ChatLM`` asks the model for logits at the trained positions only
(``warmth.objectives.trained_logits``: transformers' ``logits_to_keep`` with a
boolean mask), so the head's matmul and its output shrink to the assistant
tokens. The ``full`` side is the fallback path for models without
``logits_to_keep`` (full ``[B, T, V]`` logits, then the selection), which is
what every model ran before. Each side trains the demo's setting (SmolLM2-135M,
LoRA r 8, 2 packed rows of <= 1024 tokens of the bundled warm sample per step)
in a fresh ``python -m warmth.train`` process, alternating sides; we report
medians of the run's own ``perf/s_per_step`` and of the process's peak RSS
(from ``wait4``), and the share of trained positions.

    python -m benchmarks trained_logits                       # 4 steps, 3 repeats
    python -m benchmarks trained_logits --model tiny --steps 2 --repeats 1
"""

from __future__ import annotations

import argparse
import statistics
import sys

from benchmarks.child_process import train_run

# Runs warmth.train with the full-logits fallback forced when its first argument is "full".
DRIVER = (
    "import runpy, sys\n"
    "import warmth.objectives as o\n"
    "if sys.argv.pop(1) == 'full':\n"
    "    o._keeps_positions = lambda forward_owner: False\n"
    "sys.argv[0] = 'warmth.train'\n"
    "runpy.run_module('warmth.train', run_name='__main__', alter_sys=True)\n"
)
SIDES = ("trained", "full")


def run_once(side: str, model: str, steps: int, micro_batch: int, max_length: int) -> dict[str, float]:
    """Peak RSS (MiB), seconds per step and trained share of one training process."""
    return train_run([sys.executable, "-c", DRIVER, side],
                     [f"model={model}", f"trainer.max_steps={steps}", f"trainer.micro_batch_size={micro_batch}",
                      f"trainer.effective_batch_size={micro_batch}", f"data.max_length={max_length}"],
                     f"training ({side})")


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks trained_logits")
    ap.add_argument("--model", default="smollm2_135m")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--micro-batch", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=1024)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    runs: dict[str, list[dict[str, float]]] = {s: [] for s in SIDES}
    for _ in range(args.repeats):
        for side in SIDES:
            runs[side].append(run_once(side, args.model, args.steps, args.micro_batch, args.max_length))
    med = {s: {k: statistics.median(r[k] for r in v) for k in v[0]} for s, v in runs.items()}
    print(f"model {args.model}, LoRA, {args.steps} steps of {args.micro_batch} packed rows x <= {args.max_length} "
          f"tokens (bundled warm sample), median of {args.repeats}; trained positions "
          f"{med['trained']['trained']:.0%} of all")
    print(f"{'LM head on':<18} {'s / step':>9} {'peak RSS MiB':>13}")
    for side, label in (("trained", "trained positions"), ("full", "all positions")):
        print(f"{label:<18} {med[side]['s_per_step']:>9.2f} {med[side]['rss']:>13.0f}")
    t, f = med["trained"], med["full"]
    print(f"trained / full: step time {t['s_per_step'] / f['s_per_step']:.3f}x, peak memory {t['rss'] / f['rss']:.3f}x")
    return med


if __name__ == "__main__":
    main()
