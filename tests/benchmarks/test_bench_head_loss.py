"""The head-loss benchmark runs both sides on tiny; each one-patch driver takes the head path it says."""

from __future__ import annotations

import subprocess
import sys

import pytest

from benchmarks import bench_cross_entropy, bench_head_loss, bench_trained_logits

# After a driver's prelude and patch: whether the training objective would fuse a plain, frozen head.
PROBE = (
    "from transformers import AutoConfig, AutoModelForCausalLM\n"
    "c = AutoConfig.for_model('llama', vocab_size=50, hidden_size=16, intermediate_size=32, num_hidden_layers=1,"
    " num_attention_heads=2, num_key_value_heads=1)\n"
    "m = AutoModelForCausalLM.from_config(c).requires_grad_(False)\n"
    "import warmth.objectives\n"
    "print(warmth.objectives.fusable_head(m) is not None)\n")


def test_both_sides_run_on_tiny(capsys):
    """Both sides train and report a step time and a peak RSS."""
    med = bench_head_loss.main(["--model", "tiny", "--steps", "1", "--repeats", "1", "--max-length", "128"])
    assert set(med) == {"fused", "logits"}
    assert all(m["s_per_step"] > 0 and m["rss"] > 0 for m in med.values())
    assert "fused / logits" in capsys.readouterr().out


@pytest.mark.parametrize(("module", "fused_on"), [(bench_head_loss, {"fused"}), (bench_cross_entropy, set()),
                                                  (bench_trained_logits, set())],
                         ids=["head_loss", "cross_entropy", "trained_logits"])
def test_each_driver_fuses_the_head_only_where_it_says(module, fused_on):
    """``head_loss`` fuses on its fused side only; ``cross_entropy`` and ``trained_logits`` measure the
    logits path, so neither side of theirs may fuse (without their prelude both would fuse, and their
    patches would touch nothing that plain sft runs: seen red by dropping it)."""
    probe = module.DRIVER.split("sys.argv[0]")[0] + PROBE
    fuses = {side for side in module.LABELS
             if subprocess.run([sys.executable, "-c", probe, side], capture_output=True, text=True,
                               check=True).stdout.strip().splitlines()[-1] == "True"}
    assert fuses == fused_on
