"""The end-of-run summary: where things are and the key metrics, perf/* included whatever its names."""

from __future__ import annotations

from pathlib import Path

from warmth.run_summary import RunFacts, summary_lines, trajectory


def test_summary_lists_locations_trajectory_and_perf(tmp_path: Path):
    (tmp_path / "checkpoints" / "epoch=1").mkdir(parents=True)
    (tmp_path / "checkpoints" / "last").mkdir()
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "warmth.jsonl").write_text("")
    (tmp_path / "metrics.json").write_text("{}")
    metrics = {"train/loss": 1.5, "eval/epoch=0/warmth/markers/mean": 3.0, "eval/epoch=0/warmth/markers/sem": 0.5,
               "eval/epoch=2/warmth/markers/mean": 9.0, "eval/epoch=2/warmth/markers/sem": 1.0,
               "eval/epoch=1/warmth/markers/mean": 6.0, "eval/epoch=1/warmth/mean": None,
               "perf/trained_tokens_per_s": 1234.5, "perf/mfu": 0.31, "eval/error_rate": 0.25}
    facts = RunFacts(tmp_path, "smollm2_135m", "builtin:smollm2_135m", "LoRA r=8", "warm", "bundled", 120,
                     20, 2.0, 125.0, wandb="offline run X; upload with `wandb sync X`")
    text = "\n".join(summary_lines(facts, metrics))
    assert "2m05s" in text and "20 optimizer steps" in text and "120 conversations" in text
    assert "epoch=1, last" in text and "records/warmth.jsonl" in text and "metrics.json" in text
    assert "wandb sync X" in text
    assert "epoch 0: 3.00 ± 0.50 → epoch 1: 6.00 → epoch 2: 9.00 ± 1.00" in text
    assert "warmth SocioT" not in text  # no finite SocioT value: no line
    assert "perf/mfu" in text and "perf/trained_tokens_per_s" in text and "1234" in text
    assert [e for e, _, _ in trajectory(metrics, markers=True)] == [0.0, 1.0, 2.0]
