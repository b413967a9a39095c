"""Start-up benchmark: runs each command and finds the costliest imports (no speed asserts)."""

from __future__ import annotations

import pytest

from benchmarks.bench_startup import COMMANDS, costliest_packages, main, top_imports

# `-X importtime` lines as Python writes them: self us | cumulative us | name (nested ones indented).
IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:      1559 |       3120 | encodings
import time:     90000 |      90000 | encodings.utf_8
import time:       400 |        400 |   json.decoder
import time:       688 |       6222 | json
import time:       733 |      50000 | hydra
"""


def test_startup_benchmark_times_every_command(capsys) -> None:
    rows = main(["--repeats", "1"])
    assert set(rows) == set(COMMANDS) and all(w > 0 and c > 0 for w, c in rows.values())
    assert "Goal `--cfg job` under 3 s" in capsys.readouterr().out


def test_top_imports_lists_top_level_modules() -> None:
    names = [name for name, _ in top_imports(["-c", "import json, hydra"])]
    assert "hydra" in names and all("." not in n for n in names)


def test_submodules_count_towards_their_package() -> None:
    """Catches a slow start-up submodule (``encodings.utf_8``, slow only when the machine is busy)
    ranking as a package of its own, and nested imports counted twice."""
    top = costliest_packages(IMPORTTIME, 5)
    assert [name for name, _ in top] == ["encodings", "hydra", "json"]
    assert [s for _, s in top] == pytest.approx([0.09312, 0.05, 0.006222])
