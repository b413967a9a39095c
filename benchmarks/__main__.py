"""Runs every ``benchmarks/bench_*.py`` module's ``main(argv)`` in turn and prints its table.

    python -m benchmarks                  # all benchmarks, default settings
    python -m benchmarks batched_scoring  # only bench_batched_scoring.py
    python -m benchmarks batched_scoring --models tiny --repeats 5
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from pathlib import Path


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv: list[str]) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    names = discover()
    chosen, rest = names, argv
    if argv and not argv[0].startswith("-"):
        if argv[0] not in names:
            print(f"error: unknown benchmark {argv[0]!r}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        chosen, rest = [argv[0]], argv[1:]
    for name in chosen:
        print(f"== {name} ==", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").main(rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
