"""Generation throughput benchmark: exact token counting and a small run (no speed asserts)."""

from __future__ import annotations

import torch

from benchmarks.bench_generation import CountingModel, main


class Canned:
    """``generate`` appends fixed rows; EOS is 2, and 2 also pads finished rows."""

    def generate(self, input_ids, **kwargs):
        new = torch.tensor([[5, 2, 2, 2], [5, 6, 7, 8], [2, 2, 2, 2]])
        return torch.cat([input_ids, new], dim=1)


def test_counts_tokens_through_the_first_eos() -> None:
    """Catches counting padding after EOS, or leaving EOS out (checked by editing the count)."""
    model = CountingModel(Canned(), {2})
    model.generate(torch.zeros(3, 2, dtype=torch.long))
    assert model.generated == 2 + 4 + 1


def test_benchmark_runs_on_tiny(capsys) -> None:
    rows = main(["--model", "tiny", "--prompts", "3", "--batches", "1", "3", "--max-new-tokens", "3",
                 "--repeats", "1"])
    assert set(rows) == {1, 3} and all(rate > 0 and n > 0 for rate, n in rows.values())
    assert "vs one at a time" in capsys.readouterr().out
