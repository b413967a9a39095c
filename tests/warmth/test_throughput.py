"""Throughput logging: exact token counts per optimizer step, summed the way the loss counts them.

Speed itself is never asserted: a rate times its logged step time must give
back the exact token count of the step's batches, counted here independently
from the datamodule's rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import compose
from warmth.data.masking import IGNORE_INDEX, Example
from warmth.data.packing import collate_packed, collate_padded
from warmth.throughput import batch_counts, flops_per_token, matmul_params

PAD = 0


def _examples() -> list[Example]:
    return [Example("a", [5, 6, 7, 8], [IGNORE_INDEX, IGNORE_INDEX, 7, 8]),
            Example("b", [5, 9, 3], [IGNORE_INDEX, 9, 3]),
            Example("c", [4, PAD], [IGNORE_INDEX, PAD])]  # a real token equal to the pad id


def test_counts_of_a_padded_batch() -> None:
    """Catches counting padding as real (checked: ``real = slots`` turns it red)."""
    a, b, c = _examples()
    batch = collate_padded([a, b, c], PAD)  # width 4: 4 + 3 + 2 real of 12 slots
    assert batch_counts(batch, PAD).tolist() == [2 + 2 + 1, 12, 9]


def test_counts_of_a_packed_batch() -> None:
    """Catches the trailing pad run counted as real, or a real last conversation (even one ending
    in the pad id) taken for padding (checked: dropping the ``all(-1)`` pad test turns it red)."""
    a, b, c = _examples()
    batch = collate_packed([[a, b], [c], [b, c]], PAD)  # width 7; rows hold 7, 2, 5 real tokens
    assert "attention_mask" not in batch
    trained = 4 + 1 + 3  # row 0: a's 7, 8 and b's 9, 3; row 1: c's PAD; row 2: b's 9, 3 and c's PAD
    assert batch_counts(batch, PAD).tolist() == [trained, 21, 7 + 2 + 5]


def test_lora_flops_count_frozen_forward_backward_and_trained_weights(tiny_lora) -> None:
    """Catches a formula that drops the LoRA weight gradients or counts an untied embedding
    lookup as a product (checked by changing either term)."""
    n, trained = matmul_params(tiny_lora)
    params = list(tiny_lora.parameters())
    assert trained == sum(p.numel() for p in params if p.requires_grad) > 0
    emb = tiny_lora.get_input_embeddings().weight
    tied = tiny_lora.get_output_embeddings().weight is emb
    assert n == sum(p.numel() for p in params) - (0 if tied else emb.numel())
    assert flops_per_token(n, trained) == 4 * n + 2 * trained


@pytest.fixture(scope="module")
def tiny_lora():
    from omegaconf import OmegaConf
    from peft import LoraConfig, get_peft_model

    from warmth.models import load_model

    model = load_model(OmegaConf.load(Path(__file__).resolve().parents[2] / "conf/model/tiny.yaml"),
                       dtype="float32")
    return get_peft_model(model, LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))


def _expected_per_step(rows: list[list[Example]], batch: int, accum: int, steps: int) -> list[dict]:
    """Trained / slot / real tokens of each optimizer step, from the rows in loader order."""
    out = []
    for s in range(steps):
        tr = sl = re = 0
        for m in range(accum):
            chunk = rows[(s * accum + m) * batch:(s * accum + m + 1) * batch]
            width = max(sum(len(ex) for ex in row) for row in chunk)
            sl += width * len(chunk)
            re += sum(len(ex) for row in chunk for ex in row)
            # every conversation's first label is never a target (shift, or packing's mask)
            tr += sum(sum(x != IGNORE_INDEX for x in ex.labels[1:]) for row in chunk for ex in row)
        out.append({"trained": tr, "slots": sl, "real": re})
    return out


@pytest.mark.parametrize("packing", [True, False])
def test_train_logs_exact_counts_each_step(tmp_path: Path, packing: bool) -> None:
    """``warmth.train`` logs perf/* once per optimizer step, with rates x step time = the step's
    exact counts, and leaves the whole run's rates in metrics.json.

    Catches per-micro-batch logging, a window that drops or double-counts a micro-batch,
    padding counted as real, and MFU from the wrong FLOPs (checked: resetting the counts at
    every micro-batch, and counting slots as real, each turn it red).
    """
    import json

    from warmth.data.datamodule import ChatDataModule
    from warmth.models import load_tokenizer
    from warmth.train import train

    run = tmp_path / "run"
    steps, batch, accum = 2, 2, 2
    cfg = compose("train", ["model=tiny", "eval=none", "logger=csv", f"data.packing={packing}",
                            "data.shuffle=false", "data.limit=16", "data.max_length=128",
                            f"trainer.micro_batch_size={batch}", f"trainer.effective_batch_size={batch * accum}",
                            f"trainer.max_steps={steps}", "trainer.enable_progress_bar=false",
                            "trainer.peak_tflops=0.5"], run_dir=run)
    train(cfg)

    dm = ChatDataModule(load_tokenizer(cfg.model), cfg.data, cfg.style.dataset, batch_size=batch)
    dm.setup()
    expected = _expected_per_step(dm.rows, batch, accum, steps)
    with open(next(run.glob("csv/version_*/metrics.csv"))) as f:
        logged = [r for r in csv.DictReader(f) if r.get("perf/s_per_step")]
    assert len(logged) == steps
    from warmth.module import ChatLM

    lm = ChatLM(cfg.model, cfg.peft, cfg.trainer, None)
    lm.configure_model()
    fpt = flops_per_token(*matmul_params(lm))
    for row, want in zip(logged, expected):
        sec = float(row["perf/s_per_step"])
        assert sec > 0
        assert float(row["perf/trained_tokens_per_s"]) * sec == pytest.approx(want["trained"], rel=1e-5)
        assert float(row["perf/token_slots_per_s"]) * sec == pytest.approx(want["slots"], rel=1e-5)
        assert float(row["perf/real_token_fraction"]) == pytest.approx(want["real"] / want["slots"], rel=1e-5)
        assert float(row["perf/mfu"]) * 0.5e12 * sec == pytest.approx(fpt * want["real"], rel=1e-5)
    metrics = json.loads((run / "metrics.json").read_text())
    total_s = sum(float(r["perf/s_per_step"]) for r in logged)
    assert metrics["perf/s_per_step"] == pytest.approx(total_s / steps, rel=1e-5)
    assert metrics["perf/trained_tokens_per_s"] == pytest.approx(
        sum(w["trained"] for w in expected) / total_s, rel=1e-5)

