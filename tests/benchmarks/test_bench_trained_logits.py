"""The trained-logits benchmark runs both sides on tiny and reports their medians (no speed asserted)."""

from __future__ import annotations

from benchmarks.bench_trained_logits import main


def test_both_sides_run_on_tiny(capsys):
    """Both sides train and report; the data leave positions untrained, so the sides differ in work."""
    med = main(["--model", "tiny", "--steps", "1", "--repeats", "1", "--max-length", "128"])
    assert set(med) == {"trained", "full"}
    assert all(m["s_per_step"] > 0 and m["rss"] > 0 for m in med.values())
    assert 0 < med["trained"]["trained"] < 1
    assert "trained / full" in capsys.readouterr().out
