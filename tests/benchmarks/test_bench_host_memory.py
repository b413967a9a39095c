"""The host-memory benchmark runs both sides on tiny and reports their medians (no speed asserted)."""

from __future__ import annotations

import pytest

from benchmarks.bench_host_memory import main


@pytest.mark.slow  # two training processes; the knob itself is proven in tests/warmth/test_host_memory.py
def test_both_sides_run_on_tiny(capsys):
    med = main(["--model", "tiny", "--steps", "1", "--repeats", "1", "--max-length", "128"])
    assert set(med) == {"returned", "kept"}
    assert all(m["s_per_step"] > 0 and m["rss"] > 0 and m["faults"] > 0 for m in med.values())
    assert "kept / returned" in capsys.readouterr().out
