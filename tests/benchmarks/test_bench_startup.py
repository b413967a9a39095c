"""Start-up benchmark: runs each command and finds the costliest imports (no speed asserts)."""

from __future__ import annotations

from benchmarks.bench_startup import COMMANDS, main, top_imports


def test_startup_benchmark_times_every_command(capsys) -> None:
    rows = main(["--repeats", "1"])
    assert set(rows) == set(COMMANDS) and all(w > 0 and c > 0 for w, c in rows.values())
    assert "Goal `--cfg job` under 3 s" in capsys.readouterr().out


def test_top_imports_lists_top_level_modules() -> None:
    names = [name for name, _ in top_imports(["-c", "import json, hydra"])]
    assert "hydra" in names and all("." not in n for n in names)
