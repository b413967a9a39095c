"""The cross-entropy with its gradient made in the forward, against ``F.cross_entropy``: step time and peak memory.

``warmth.objectives.cross_entropy_sum`` computes the softmax of the trained
positions' logits once, takes the loss from it and keeps it as the gradient
(``warmth/cross_entropy.py``), on the path of objectives that take the logits
(``sft_kl``, custom ones; plain ``sft`` fuses the head into its loss instead,
``head_loss``): both sides run it. The ``plain`` side puts ``F.cross_entropy``
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

from benchmarks.child_process import patched_driver, patched_sides_main

# Runs warmth.train with F.cross_entropy put back on the "plain" side; both sides take the logits
# (the head unfused, as objectives that override ``loss`` and heads fusable_head refuses do).
DRIVER = patched_driver(
    "plain", "o.summed_cross_entropy = lambda logits, targets: F.cross_entropy(logits.float(), targets, reduction='sum')",
    prelude="import torch.nn.functional as F\nimport warmth.objectives as o\no.fusable_head = lambda model: None\n")
LABELS = {"fused": "gradient made in the forward", "plain": "F.cross_entropy"}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    return patched_sides_main("python -m benchmarks cross_entropy", argv, DRIVER, "cross-entropy", LABELS)


if __name__ == "__main__":
    main()
