"""The benchmark runs and reports both paths (no timing assertions: speed is not a test)."""

from __future__ import annotations

from benchmarks import __main__ as bench_main
from benchmarks.bench_batched_scoring import main


def test_benchmark_runs_on_tiny(capsys):
    rows = main(["--models", "tiny", "--n", "2", "--repeats", "1"])
    assert [r[1] for r in rows] == ["SocioT", "MMLU loglik (per request, multi-token letters)",
                                   "MMLU loglik (per question, multi-token letters)"]  # tiny splits " B"
    assert all(min(fast + slow) > 0 for _, _, fast, slow in rows)
    assert "ratio" in capsys.readouterr().out


def test_runner_lists_benchmarks_and_rejects_unknown(capsys):
    assert "batched_scoring" in bench_main.discover()
    assert bench_main.main(["nope"]) == 2
    assert "unknown benchmark" in capsys.readouterr().err
