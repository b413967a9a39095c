"""Benchmarked child processes (each its own peak memory and wall time), and the loop that alternates sides."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

OFFLINE = {"HF_HUB_OFFLINE": "1", "WANDB_MODE": "disabled"}


def run_measured(args: list[str], what: str) -> tuple[float, float]:
    """Run ``args`` offline; (peak RSS in MiB, wall seconds) of that process alone."""
    usage, wall = run_usage(args, what)
    return usage.ru_maxrss / 1024, wall  # ru_maxrss is KiB on Linux


def run_usage(args: list[str], what: str) -> tuple[Any, float]:
    """Run ``args`` offline; (its ``wait4`` resource usage, wall seconds).

    ``wait4`` gives the child's own figures (peak resident set, page faults,
    user and system time), so model loading counts alike for every setting.
    Its stderr goes to a file, not a pipe: a pipe that nobody reads while we
    wait would block a chatty child for good.
    """
    with tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=err, env=dict(os.environ, **OFFLINE))
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            raise SystemExit(f"{what} failed:\n{err.read()[-2000:]}")
    return usage, wall


def train_run(head: list[str], overrides: list[str], what: str) -> dict[str, float]:
    """One training process (``head``: the command up to its overrides) without eval, logger or checkpoints.

    Returns its peak RSS (MiB), minor page faults and system CPU seconds (whole process), and
    its own ``perf/`` figures from ``metrics.json``: seconds per step, trained tokens/s, token
    slots/s and the trained share of the slots.
    """
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        args = [*head, "eval=none", "logger=none", "trainer.enable_progress_bar=false",
                "trainer.checkpoint_epochs=[]", *overrides, f"hydra.run.dir={run}"]
        usage, _ = run_usage(args, what)
        m = json.loads((run / "metrics.json").read_text())
    return {"rss": usage.ru_maxrss / 1024, "faults": usage.ru_minflt, "sys_s": usage.ru_stime,
            "s_per_step": m["perf/s_per_step"], "trained_tok_s": m["perf/trained_tokens_per_s"],
            "slots_s": m["perf/token_slots_per_s"],
            "trained": m["perf/trained_tokens_per_s"] / m["perf/token_slots_per_s"]}


def demo_setting(prog: str, argv: list[str] | None) -> tuple[Any, list[str]]:
    """Parsed ``--model --steps --micro-batch --max-length --repeats`` (defaults: the demo's rows) and
    the ``warmth.train`` overrides they mean (one row batch per optimizer step)."""
    ap = argparse.ArgumentParser(prog=prog)
    ap.add_argument("--model", default="smollm2_135m")
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--micro-batch", type=int, default=2)
    ap.add_argument("--max-length", type=int, default=1024)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    return args, [f"model={args.model}", f"trainer.max_steps={args.steps}",
                  f"trainer.micro_batch_size={args.micro_batch}", f"trainer.effective_batch_size={args.micro_batch}",
                  f"data.max_length={args.max_length}"]


def alternating_medians(sides: dict[str, Callable[[], dict[str, float]]], repeats: int) -> dict[str, dict[str, float]]:
    """Run every side once per repeat, sides alternating (so load changes hit all alike); medians per figure."""
    runs: dict[str, list[dict[str, float]]] = {s: [] for s in sides}
    for _ in range(repeats):
        for side, run in sides.items():
            runs[side].append(run())
    return {s: {k: statistics.median(r[k] for r in v) for k in v[0]} for s, v in runs.items()}


def train_sides(common: list[str], sides: dict[str, list[str]], repeats: int) -> dict[str, dict[str, float]]:
    """``python -m warmth.train`` per side (``common`` + that side's overrides), alternating; medians."""
    head = [sys.executable, "-m", "warmth.train"]
    return alternating_medians({side: partial(train_run, head, [*common, *extra], f"training ({side})")
                                for side, extra in sides.items()}, repeats)


def patched_driver(side: str, patch: str, prelude: str = "") -> str:
    """``python -c`` source that runs ``warmth.train``, first running ``prelude`` (imports, and what
    both sides share) and then ``patch`` (one statement) when its first argument is ``side``; the
    argument is taken off before training parses the rest."""
    return ("import runpy, sys\n" + prelude + f"if sys.argv.pop(1) == {side!r}:\n    {patch}\n"
            "sys.argv[0] = 'warmth.train'\n"
            "runpy.run_module('warmth.train', run_name='__main__', alter_sys=True)\n")


def patched_sides_main(prog: str, argv: list[str] | None, driver: str, column: str,
                       labels: dict[str, str]) -> dict[str, dict[str, float]]:
    """A two-sided benchmark of the demo setting: each side (``labels``' keys, the unpatched one first)
    a ``python -c driver <side>`` training process, alternating; medians, printed as a table of
    s/step and peak RSS per side and the first side over the second."""
    args, common = demo_setting(prog, argv)
    med = alternating_medians({side: partial(train_run, [sys.executable, "-c", driver, side], common,
                                             f"training ({side})") for side in labels}, args.repeats)
    first, second = labels
    print(f"model {args.model}, LoRA, {args.steps} steps of {args.micro_batch} packed rows x <= {args.max_length} "
          f"tokens (bundled warm sample), median of {args.repeats}; trained positions "
          f"{med[first]['trained']:.0%} of all")
    width = max(len(column), *map(len, labels.values()))
    print(f"{column:<{width}} {'s / step':>9} {'peak RSS MiB':>13}")
    for side, label in labels.items():
        print(f"{label:<{width}} {med[side]['s_per_step']:>9.2f} {med[side]['rss']:>13.0f}")
    a, b = med[first], med[second]
    print(f"{first} / {second}: step time {a['s_per_step'] / b['s_per_step']:.3f}x, "
          f"peak memory {a['rss'] / b['rss']:.3f}x")
    return med
