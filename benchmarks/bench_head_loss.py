"""The LM head fused into the cross-entropy, against the trained logits then the loss: step time and memory.

Plain objectives (``sft``, ``data_mix``) on a plain head run the head and the
loss in one pass over vocabulary chunks (``warmth/head_cross_entropy.py``):
no ``[N, V]`` logits or softmax exist. The ``logits`` side turns that off
(``fusable_head`` answers None), which is the path every run took before:
the head at the trained positions, then the cross-entropy with its gradient
made in the forward. Each side trains in a fresh ``python -m warmth.train``
process, alternating sides; we report medians of the run's own
``perf/s_per_step`` and of the process's peak RSS (from ``wait4``).

    python -m benchmarks head_loss                                  # the demo's rows: 4 steps, 3 repeats
    python -m benchmarks head_loss --micro-batch 4 --max-length 512  # train_vs_trl's micro-batch shape
    python -m benchmarks head_loss --model tiny --steps 2 --repeats 1
"""

from __future__ import annotations

from benchmarks.child_process import patched_driver, patched_sides_main

# Runs warmth.train with the head left unfused on the "logits" side.
DRIVER = patched_driver("logits", "o.fusable_head = lambda model: None", prelude="import warmth.objectives as o\n")
LABELS = {"fused": "head fused into the loss", "logits": "trained logits, then the loss"}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    return patched_sides_main("python -m benchmarks head_loss", argv, DRIVER, "LM head and loss", LABELS)


if __name__ == "__main__":
    main()
