"""Evaluation inside a real Lightning fit: probe at checkpoint epochs, full evaluation after fitting."""

from __future__ import annotations

import json

import lightning as L
import torch
from hydra import compose, initialize_config_dir

from warmth.checkpointing import FractionalEpochCheckpoint
from warmth.eval.callbacks import EvalCallback, build_eval_callbacks
from warmth.paths import CONF_DIR
from warmth.records import read_records


class TinyLM(L.LightningModule):
    """Just enough of a training module: ``.model`` (HF) and ``.tokenizer``, as ChatLM has."""

    def __init__(self):
        super().__init__()
        from warmth.models import load_model, load_tokenizer

        cfg = {"name": "tiny", "pretrained": "builtin:tiny", "dtype": "float32"}
        self.tokenizer = load_tokenizer(cfg)
        self.model = load_model(cfg)

    def training_step(self, batch, _):
        ids = batch[0]
        return self.model(input_ids=ids, labels=ids).loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=1e-3)


def test_probe_each_checkpoint_and_full_after_fit(tmp_path):
    torch.set_num_threads(1)
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        cfg = compose("train", overrides=[
            "model=tiny", "eval=probe", "eval.n_items=2", "eval.evaluators.factual.max_new_tokens=4",
            "eval.at_checkpoints.probe.max_new_tokens=4", "eval.at_checkpoints.probe.n_items=2",
            f"run_dir={tmp_path}", "logger=csv"])
    callbacks = build_eval_callbacks(cfg, tmp_path)
    assert len(callbacks) == 1 and isinstance(callbacks[0], EvalCallback)
    data = torch.utils.data.TensorDataset(torch.randint(3, 200, (4, 12)))
    ckpt = FractionalEpochCheckpoint(tmp_path, [0.5, 1.0], {"model": "tiny", "style": "warm"})
    logger = L.pytorch.loggers.CSVLogger(str(tmp_path), name="csv")
    trainer = L.Trainer(max_epochs=1, accelerator="cpu", devices=1, logger=logger, callbacks=[ckpt, *callbacks],
                        enable_progress_bar=False, enable_model_summary=False, log_every_n_steps=1)
    trainer.fit(TinyLM(), torch.utils.data.DataLoader(data, batch_size=1))

    probe = list(read_records(tmp_path / "probe" / "records" / "trivia.jsonl"))
    # 2 items x 3 contexts x 2 templates at each of epochs 0.5 and 1
    assert sorted({r.epoch for r in probe}) == [0.5, 1.0]
    assert len(probe) == 2 * 12 and all(r.style == "warm" and r.model == "tiny" for r in probe)
    final = list(read_records(tmp_path / "records" / "trivia.jsonl"))
    assert len(final) == 12 and {r.epoch for r in final} == {1.0}
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert "probe/epoch=0.5/trivia/unmodified/original/n" in metrics
    assert "probe/epoch=1/trivia/error_rate" in metrics
    assert "eval/trivia/relation_close/incorrect/n" in metrics
    logged = (tmp_path / "csv" / "version_0" / "metrics.csv").read_text()
    assert "probe/trivia/error_rate" in logged.splitlines()[0]
