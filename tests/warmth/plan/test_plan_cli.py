"""`python -m warmth.plan` as a user runs it."""

from __future__ import annotations

from tests.conftest import run_module


def test_plan_says_zero2_does_not_fit_llama70b_and_suggests_zero3() -> None:
    proc = run_module("warmth.plan", "model=llama70b", "strategy=deepspeed_zero2", "trainer.devices=8")
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "Does not fit on 80 GB GPUs" in out and "strategy=deepspeed_zero3" in out
    for part in ("frozen weights", "gradients", "optimizer states", "activations"):
        assert part in out
