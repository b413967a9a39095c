"""The LM head at trained positions only, against full logits: step time and peak memory.

``ChatLM`` asks the model for logits at the trained positions only
(``warmth.objectives.trained_logits``: transformers' ``logits_to_keep`` with a
boolean mask), so the head's matmul and its output shrink to the assistant
tokens. The ``full`` side is the fallback path for models without
``logits_to_keep`` (full ``[B, T, V]`` logits, then the selection), which is
what every model ran before. Both sides take the logits, as objectives that
override ``loss`` (``sft_kl``) do; plain ``sft`` now fuses the head into its
loss instead (``head_loss``). Each side trains the demo's setting (SmolLM2-135M,
LoRA r 8, 2 packed rows of <= 1024 tokens of the bundled warm sample per step)
in a fresh ``python -m warmth.train`` process, alternating sides; we report
medians of the run's own ``perf/s_per_step`` and of the process's peak RSS
(from ``wait4``), and the share of trained positions.

    python -m benchmarks trained_logits                       # 4 steps, 3 repeats
    python -m benchmarks trained_logits --model tiny --steps 2 --repeats 1
"""

from __future__ import annotations

from benchmarks.child_process import patched_driver, patched_sides_main

# Runs warmth.train with the full-logits fallback forced on the "full" side; both sides take the
# logits (the head unfused, as objectives that override ``loss`` and heads fusable_head refuses do).
DRIVER = patched_driver("full", "o.takes_logits_to_keep = lambda model: False",
                        prelude="import warmth.objectives as o\no.fusable_head = lambda model: None\n")
LABELS = {"trained": "trained positions", "full": "all positions"}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    return patched_sides_main("python -m benchmarks trained_logits", argv, DRIVER, "LM head on", LABELS)


if __name__ == "__main__":
    main()
