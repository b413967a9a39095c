"""The objective-memory benchmark runs both objectives and reports them (no speed or memory assertions)."""

from __future__ import annotations

import pytest

from benchmarks.bench_objective_memory import main


@pytest.mark.slow
def test_benchmark_runs_on_tiny(capsys):
    rows = main(["--model", "tiny", "--steps", "1", "--repeats", "1", "--max-length", "64"])
    assert [r[0] for r in rows] == ["sft", "sft_kl"]
    assert all(min(row[1:]) > 0 for row in rows)  # both measured (no bound on either: not a test of speed)
    assert "sft_kl / sft" in capsys.readouterr().out
