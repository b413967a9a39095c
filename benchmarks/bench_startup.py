"""Start-up time: ``python -m warmth.train --cfg job`` (compose and print the config) and ``import warmth``.

Each command runs ``--repeats`` times in a fresh interpreter; we print the
median wall time and the median CPU time of the child (user + system). On a
shared machine the wall time mostly measures waiting for a core; CPU time is
what the start-up itself costs. The goal is ``--cfg job`` under 3 s. We also
list the costliest top-level imports of the ``--cfg job`` path
(``python -X importtime``), which is where to look when it grows.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

MARKDOWN = True
REPO = Path(__file__).resolve().parents[1]
GOAL_S = 3.0
COMMANDS = {
    "python -m warmth.train --cfg job": ["-m", "warmth.train", "--cfg", "job"],
    "python -c 'import warmth'": ["-c", "import warmth"],
    "python -c 'pass' (the interpreter alone)": ["-c", "pass"],
}


def _env() -> dict[str, str]:
    return dict(os.environ, HF_HUB_OFFLINE="1", WANDB_MODE="offline")


def time_command(args: list[str], repeats: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``python args`` in a fresh process."""
    walls, cpus = [], []
    for _ in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], cwd=str(REPO), env=_env(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def top_imports(args: list[str], n: int = 6) -> list[tuple[str, float]]:
    """The ``n`` top-level packages of ``python args`` with the largest cumulative import time (s)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=str(REPO), env=_env(),
                          capture_output=True, text=True, check=True)
    return costliest_packages(proc.stderr, n)


def costliest_packages(importtime: str, n: int) -> list[tuple[str, float]]:
    """``-X importtime`` output -> the ``n`` top-level packages by summed cumulative time (s).

    An unindented line is an import made at top level; a submodule of an
    already-imported package (``encodings.utf_8`` at start-up) is one too, so
    its time counts towards its package rather than ranking on its own.
    """
    totals: dict[str, float] = {}
    for line in importtime.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\s*)(\S+)$", line)
        if m and not m.group(2):  # nested imports are indented
            package = m.group(3).split(".")[0]
            totals[package] = totals.get(package, 0.0) + int(m.group(1)) / 1e6
    return sorted(totals.items(), key=lambda kv: -kv[1])[:n]


def main(argv: list[str] | None = None) -> dict[str, tuple[float, float]]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks startup")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv or [])
    load0 = os.getloadavg()[0]
    rows = {name: time_command(cmd, args.repeats) for name, cmd in COMMANDS.items()}
    imports = top_imports(COMMANDS["python -m warmth.train --cfg job"])
    load1 = os.getloadavg()[0]
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} logical CPUs, "
          f"load average (1 min) {load0:.1f} at start and {load1:.1f} at end; median of {args.repeats}.")
    print()
    print("| command | wall s | CPU s (user + system) |")
    print("|---|---|---|")
    for name, (wall, cpu) in rows.items():
        print(f"| `{name}` | {wall:.2f} | {cpu:.2f} |")
    wall, cpu = rows["python -m warmth.train --cfg job"]
    verdict = "met" if wall < GOAL_S else ("met in CPU time, not in wall time under this load"
                                           if cpu < GOAL_S else "not met")
    print(f"\nGoal `--cfg job` under {GOAL_S:.0f} s: {verdict}.")
    print("Costliest top-level imports of `--cfg job` (cumulative s, one run): "
          + ", ".join(f"{name} {s:.2f}" for name, s in imports) + ".")
    return rows
