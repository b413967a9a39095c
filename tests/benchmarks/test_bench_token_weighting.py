"""The token-weighting benchmark runs both paths and reports them (no timing assertions)."""

from __future__ import annotations

from benchmarks.bench_token_weighting import main


def test_benchmark_runs_both_paths_on_tiny(capsys):
    rows = main(["--models", "tiny", "--steps", "2", "--repeats", "1"])
    assert [r[0] for r in rows] == ["tiny"]
    assert all(min(new + old) > 0 for _, new, old in rows)
    assert "per-micro-batch mean" in capsys.readouterr().out
