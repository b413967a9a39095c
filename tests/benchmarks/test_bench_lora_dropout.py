"""The LoRA dropout benchmark compares what it says it compares (no speed asserted)."""

from __future__ import annotations

import pytest

from benchmarks.bench_lora_dropout import lora_model, main

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]


def test_the_compiled_before_and_after_differ_only_in_the_dropout():
    """Catches a "before" that also runs counter dropout (or an "after" that does not): the ratio
    would then compare a lever with itself."""
    from warmth.models.compiled_layers import TrainingForward, decoder_layers
    from warmth.models.counter_dropout import CounterDropout

    def counted(model) -> int:
        return sum(isinstance(m, CounterDropout) for m in model.modules())

    after = lora_model("tiny", 0.1, TARGETS, compiled=True)
    before = lora_model("tiny", 0.1, TARGETS, compiled=True, counter=False)
    assert counted(after) == 4 * len(decoder_layers(after)) and counted(before) == 0
    for model in (after, before):
        assert all(isinstance(layer.forward, TrainingForward) for layer in decoder_layers(model))
    assert counted(lora_model("tiny", 0.1, TARGETS)) == 0  # the eager rows keep peft's dropout


@pytest.mark.slow
def test_every_row_runs_on_tiny(capsys):
    result = main(["--model", "tiny", "--batch", "1", "--length", "32", "--repeats", "1"])
    assert set(result) == {"share", "with", "without", "compiled_counter", "compiled_inductor", "compiled_none"}
    assert all(v > 0 for v in result.values())
    assert "counter dropout over Inductor's draws" in capsys.readouterr().out
