"""The demo benchmark runs the real entry point and reports wall time, CPU time and steps (no speed asserted)."""

from __future__ import annotations

from benchmarks.bench_demo import main


def test_demo_benchmark_reports_steps_on_tiny(capsys):
    (row,) = main(["--set", "model=tiny", "eval=none", "trainer.max_steps=2", "trainer.micro_batch_size=2",
                   "data.limit=8", "data.max_length=128", "trainer.checkpoint_epochs=[1]"])
    assert row["steps"] == 2 and row["wall_s"] > 0 and row["cpu_s"] > 0
    assert "wall s/step" in capsys.readouterr().out
