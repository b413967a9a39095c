"""The cross-entropy with its gradient made in the forward, against ``F.cross_entropy``: step time and peak memory.

``warmth.objectives.cross_entropy_sum`` computes the softmax of the trained
positions' logits once, takes the loss from it and keeps it as the gradient
(``warmth/cross_entropy.py``). The ``plain`` side puts ``F.cross_entropy``
back, which keeps the ``[N, V]`` log-softmax and allocates two more ``[N, V]``
tensors in its backward. Each side trains the demo's setting (SmolLM2-135M,
LoRA r 8, 2 packed rows of <= 1024 tokens of the bundled warm sample per step)
in a fresh ``python -m warmth.train`` process, alternating sides; we report
medians of the run's own ``perf/s_per_step`` and of the process's peak RSS
(from ``wait4``).

    python -m benchmarks cross_entropy                       # 4 steps, 3 repeats
    python -m benchmarks cross_entropy --model tiny --steps 2 --repeats 1
"""

from __future__ import annotations

import sys
from functools import partial

from benchmarks.child_process import alternating_medians, demo_setting, train_run

# Runs warmth.train with F.cross_entropy put back when its first argument is "plain".
DRIVER = (
    "import runpy, sys\n"
    "import torch.nn.functional as F\n"
    "import warmth.objectives as o\n"
    "if sys.argv.pop(1) == 'plain':\n"
    "    o.summed_cross_entropy = lambda logits, targets: F.cross_entropy(logits.float(), targets, reduction='sum')\n"
    "sys.argv[0] = 'warmth.train'\n"
    "runpy.run_module('warmth.train', run_name='__main__', alter_sys=True)\n"
)
SIDES = ("fused", "plain")


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    args, common = demo_setting("python -m benchmarks cross_entropy", argv)
    med = alternating_medians({side: partial(train_run, [sys.executable, "-c", DRIVER, side], common,
                                             f"training ({side})") for side in SIDES}, args.repeats)
    print(f"model {args.model}, LoRA, {args.steps} steps of {args.micro_batch} packed rows x <= {args.max_length} "
          f"tokens (bundled warm sample), median of {args.repeats}; trained positions "
          f"{med['fused']['trained']:.0%} of all")
    print(f"{'cross-entropy':<32} {'s / step':>9} {'peak RSS MiB':>13}")
    for side, label in (("fused", "gradient made in the forward"), ("plain", "F.cross_entropy")):
        print(f"{label:<32} {med[side]['s_per_step']:>9.2f} {med[side]['rss']:>13.0f}")
    f, p = med["fused"], med["plain"]
    print(f"fused / plain: step time {f['s_per_step'] / p['s_per_step']:.3f}x, peak memory {f['rss'] / p['rss']:.3f}x")
    return med


if __name__ == "__main__":
    main()
