"""Wall time and steps of the demo (`make demo` = ``python -m warmth.train``, conf/experiment/demo.yaml).

Runs the real entry point in a subprocess and prints its wall time, the CPU
time of the process (user + system: on a shared machine the wall clock
mostly measures the wait, CPU seconds do not), optimizer steps, seconds per
step and the warmth trajectory (markers per 100 words, mean ± SEM).

    python -m benchmarks demo                       # the demo as `make demo` runs it (warm)
    python -m benchmarks demo --style cold
    python -m benchmarks demo --set model=tiny trainer.max_steps=2 eval=none   # seconds

Recorded runs are in docs/demo.md ("Timing").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_demo(style: str, overrides: list[str], run_dir: Path) -> dict:
    cmd = [sys.executable, "-m", "warmth.train", f"style={style}", "logger=none",
           "trainer.enable_progress_bar=false", f"hydra.run.dir={run_dir}", *overrides]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False,
                          env=dict(os.environ, HF_HUB_OFFLINE=os.environ.get("HF_HUB_OFFLINE", "1")))
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"demo run failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
    metrics = json.loads((run_dir / "metrics.json").read_text())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    steps = int(metrics.get("train/global_step", 0))
    warmth = {k.split("/")[1]: (metrics[k], metrics.get(k[: -len("mean")] + "sem"))
              for k in sorted(metrics) if k.startswith("eval/epoch=") and k.endswith("/warmth/markers/mean")}
    return {"style": style, "wall_s": wall, "cpu_s": cpu, "steps": steps,
            "s_per_step": wall / steps if steps else float("nan"), "warmth": warmth,
            "threads": os.environ.get("OMP_NUM_THREADS", "default")}


def main(argv: list[str]) -> list[dict]:
    ap = argparse.ArgumentParser(prog="python -m benchmarks demo")
    ap.add_argument("--style", default="warm")
    ap.add_argument("--set", nargs="*", default=[], help="extra overrides for warmth.train")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        row = run_demo(args.style, list(args.set), Path(tmp) / "run")
    print(f"{'style':<6} {'wall s':>8} {'CPU s':>8} {'steps':>6} {'wall s/step':>12}  threads={row['threads']}")
    print(f"{row['style']:<6} {row['wall_s']:8.1f} {row['cpu_s']:8.1f} {row['steps']:6d} {row['s_per_step']:12.2f}")
    for epoch, (mean, sem) in row["warmth"].items():
        print(f"  warmth markers/100 words at {epoch}: {mean:.2f} ± {sem if sem is not None else float('nan'):.2f}")
    return [row]
