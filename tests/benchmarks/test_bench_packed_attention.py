"""The packed-attention benchmark trains all three sides on tiny and reports their medians (no speed asserted)."""

from __future__ import annotations

from benchmarks.bench_packed_attention import main


def test_all_sides_run_on_tiny(capsys):
    """Every side trains and reports; padding shows up as a lower trained share of the slots than packing."""
    med = main(["--model", "tiny", "--steps", "1", "--repeats", "1", "--max-length", "256"])
    assert set(med) == {"segments", "mask", "padded"}
    assert all(m["s_per_step"] > 0 and m["rss"] > 0 and m["trained_tok_s"] > 0 for m in med.values())
    assert med["padded"]["trained"] < med["segments"]["trained"]
    out = capsys.readouterr().out
    assert "segments / mask" in out and "packed (segments) / padded" in out
