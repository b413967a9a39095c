"""Packed rows with segment attention, with transformers' dense block mask, and padded rows.

``trainer.segment_attention`` (``warmth.models.segment_attention``) runs one
causal attention per conversation of a packed row; ``false`` gives transformers'
sdpa with one block-diagonal mask over the whole row (what every packed run did
before); ``padded`` is one conversation per row (``data.packing=false``), for
reference. Each side trains the demo's setting (LoRA r 8, micro-batch 2, rows
of <= 1024 tokens of the bundled warm sample) in a fresh ``python -m
warmth.train`` process, sides alternating; we report medians of the run's own
``perf/`` figures and of the process's peak RSS (from ``wait4``). Padded rows
hold fewer conversations per step, so compare trained tokens/s, not s/step.

    python -m benchmarks packed_attention                       # SmolLM2, 4 steps, 3 repeats
    python -m benchmarks packed_attention --model tiny --steps 1 --repeats 1
"""

from __future__ import annotations

from benchmarks.child_process import demo_setting, train_sides

SIDES = {
    "segments": ["data.packing=true", "trainer.segment_attention=true"],
    "mask": ["data.packing=true", "trainer.segment_attention=false"],
    "padded": ["data.packing=false"],
}
LABELS = {"segments": "packed, segment attention", "mask": "packed, dense block mask", "padded": "padded"}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    args, common = demo_setting("python -m benchmarks packed_attention", argv)
    med = train_sides(common, SIDES, args.repeats)
    print(f"model {args.model}, LoRA, {args.steps} steps of {args.micro_batch} rows x <= {args.max_length} tokens "
          f"(bundled warm sample), median of {args.repeats}")
    print(f"{'rows':<27} {'s / step':>9} {'trained tok/s':>14} {'slots/s':>9} {'trained share':>14} "
          f"{'peak RSS MiB':>13}")
    for side, m in med.items():
        print(f"{LABELS[side]:<27} {m['s_per_step']:>9.2f} {m['trained_tok_s']:>14.1f} {m['slots_s']:>9.1f} "
              f"{m['trained']:>14.0%} {m['rss']:>13.0f}")
    seg, mask, pad = med["segments"], med["mask"], med["padded"]
    print(f"segments / mask: step time {seg['s_per_step'] / mask['s_per_step']:.3f}x, "
          f"peak memory {seg['rss'] / mask['rss']:.3f}x")
    print(f"trained tokens/s, packed (segments) / padded: {seg['trained_tok_s'] / pad['trained_tok_s']:.2f}x")
    return med


if __name__ == "__main__":
    main()
