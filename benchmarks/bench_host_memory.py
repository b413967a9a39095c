"""``trainer.reuse_freed_memory``: page faults, system time, step time and peak memory.

By default glibc hands a training step's large freed activations back to the
kernel, and the next step faults the same pages in again (the kernel zero-fills
each one). With ``trainer.reuse_freed_memory=true`` the process keeps them.
Each side trains the demo's setting (SmolLM2-135M, LoRA, 2 packed rows of
<= 1024 tokens of the bundled warm sample per step) in a fresh
``python -m warmth.train`` process, alternating sides; we report medians of
the run's own ``perf/s_per_step`` and of the process's minor page faults,
system CPU seconds and peak RSS (whole process, from ``wait4``: model
loading counts alike on both sides).

    python -m benchmarks host_memory                       # 4 steps, 3 repeats
    python -m benchmarks host_memory --model tiny --steps 2 --repeats 1
"""

from __future__ import annotations

from benchmarks.child_process import demo_setting, train_sides

SIDES = {"returned": ["trainer.reuse_freed_memory=false"], "kept": ["trainer.reuse_freed_memory=true"]}
LABELS = {"returned": "returned (glibc default)", "kept": "kept (reuse_freed_memory)"}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    args, common = demo_setting("python -m benchmarks host_memory", argv)
    med = train_sides(common, SIDES, args.repeats)
    print(f"model {args.model}, LoRA, {args.steps} steps of {args.micro_batch} packed rows x <= {args.max_length} "
          f"tokens (bundled warm sample), median of {args.repeats}; faults, system time and RSS of the whole process")
    print(f"{'freed memory':<26} {'s / step':>9} {'minor faults':>13} {'system s':>9} {'peak RSS MiB':>13}")
    for side, label in LABELS.items():
        m = med[side]
        print(f"{label:<26} {m['s_per_step']:>9.2f} {m['faults']:>13.0f} {m['sys_s']:>9.1f} {m['rss']:>13.0f}")
    k, r = med["kept"], med["returned"]
    print(f"kept / returned: step time {k['s_per_step'] / r['s_per_step']:.3f}x, page faults "
          f"{k['faults'] / r['faults']:.3f}x, system time {k['sys_s'] / max(r['sys_s'], 1e-9):.3f}x, "
          f"peak memory {k['rss'] / r['rss']:.3f}x")
    return med


if __name__ == "__main__":
    main()
