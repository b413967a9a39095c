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

import sys
from functools import partial

from benchmarks.child_process import alternating_medians, demo_setting, train_run

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


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    args, common = demo_setting("python -m benchmarks trained_logits", argv)
    med = alternating_medians({side: partial(train_run, [sys.executable, "-c", DRIVER, side], common,
                                             f"training ({side})") for side in SIDES}, args.repeats)
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
