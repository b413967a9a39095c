"""The cross-entropy benchmark runs both sides on tiny and reports their medians (no speed asserted)."""

from __future__ import annotations

import subprocess
import sys

from benchmarks.bench_cross_entropy import DRIVER, main


def test_both_sides_run_on_tiny(capsys):
    """Both sides train and report a step time and a peak RSS."""
    med = main(["--model", "tiny", "--steps", "1", "--repeats", "1", "--max-length", "128"])
    assert set(med) == {"fused", "plain"}
    assert all(m["s_per_step"] > 0 and m["rss"] > 0 for m in med.values())
    assert "fused / plain" in capsys.readouterr().out


def test_the_plain_side_really_runs_f_cross_entropy():
    """The driver's patch reaches what the objectives call (a patch of the wrong name would leave both
    sides fused, and the benchmark would compare a thing with itself)."""
    probe = DRIVER.split("sys.argv[0]")[0] + (
        "import torch\n"
        "loss, _ = o.cross_entropy_sum(torch.randn(3, 5, requires_grad=True), torch.tensor([0, 1, 2]))\n"
        "print(type(loss.grad_fn).__name__)\n")
    names = {side: subprocess.run([sys.executable, "-c", probe, side], capture_output=True, text=True,
                                  check=True).stdout.strip() for side in ("plain", "fused")}
    assert "Nll" in names["plain"] and "Nll" not in names["fused"], names
