"""Runs every ``benchmarks/bench_*.py`` module's ``main(argv)`` in turn and prints its table.

    python -m benchmarks                  # all benchmarks, default settings
    python -m benchmarks batched_scoring  # only bench_batched_scoring.py
    python -m benchmarks batched_scoring --models tiny --repeats 5
    python -m benchmarks --markdown BENCHMARKS.md train_vs_trl --conversations 24 --repeats 1

``--markdown FILE`` (what ``make bench`` passes) also writes each benchmark's
output into FILE as its own section, replacing that benchmark's previous
section and keeping the others, so one benchmark can be rerun alone. A module
that prints Markdown says so with ``MARKDOWN = True``; other output is fenced.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import pkgutil
import re
import sys
from pathlib import Path

HEADER = ("# Benchmarks\n\nWritten by `make bench` (`python -m benchmarks --markdown BENCHMARKS.md`); "
          "each section says when, on what machine and under what load it was measured.\n")


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


class _Tee(io.TextIOBase):
    def __init__(self, *streams):
        self.streams = streams

    def write(self, s: str) -> int:
        for st in self.streams:
            st.write(s)
        return len(s)

    def flush(self) -> None:
        for st in self.streams:
            st.flush()


def write_section(path: Path, name: str, body: str, markdown: bool, command: str) -> None:
    """Replace (or append) benchmark ``name``'s section of the Markdown file ``path``."""
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    content = body.strip() if markdown else f"```\n{body.strip()}\n```"
    section = f"{start}\n## {name}\n\n`{command}`\n\n{content}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    path.write_text(text.rstrip() + "\n", encoding="utf-8")


def main(argv: list[str]) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    markdown = None
    if argv[:1] == ["--markdown"]:
        markdown, argv = Path(argv[1]), argv[2:]
    names = discover()
    chosen, rest = names, argv
    if argv and not argv[0].startswith("-"):
        if argv[0] not in names:
            print(f"error: unknown benchmark {argv[0]!r}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        chosen, rest = [argv[0]], argv[1:]
    for name in chosen:
        print(f"== {name} ==", flush=True)
        module = importlib.import_module(f"benchmarks.bench_{name}")
        captured = io.StringIO()
        with contextlib.redirect_stdout(_Tee(sys.stdout, captured)):
            module.main(rest)
        if markdown is not None:
            command = " ".join(["python -m benchmarks", name, *rest])
            write_section(markdown, name, captured.getvalue(), getattr(module, "MARKDOWN", False), command)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
