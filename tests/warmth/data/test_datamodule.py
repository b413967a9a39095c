"""ChatDataModule: reads a style dataset folder or a JSONL file and yields model-ready batches."""

from __future__ import annotations

import json

import pytest
import torch

from warmth.data import ChatDataModule
from warmth.data.masking import IGNORE_INDEX
from warmth.data.windows import WINDOW_KEYS, without_stamps
from warmth.errors import ConfigError, DataError


def write_dataset(folder, n: int = 12):
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "conversations.jsonl").open("w") as fh:
        for i in range(n):
            msgs = [{"role": "user", "content": f"Question number {i}: what is {i} plus {i}?"},
                    {"role": "assistant", "content": f"{i} plus {i} is {2 * i}. " * (1 + i % 3)}]
            fh.write(json.dumps({"id": f"q{i}", "messages": msgs}) + "\n")
    (folder / "manifest.json").write_text(json.dumps({"style": "test"}))
    return folder


def cfg(**over):
    base = {"max_length": 128, "packing": True, "shuffle": True, "num_workers": 0, "limit": None,
            "seed": 0}
    base.update(over)
    return base


def test_packed_batches_from_a_style_folder(tmp_path, tiny_tokenizer):
    dm = ChatDataModule(tiny_tokenizer, cfg(), write_dataset(tmp_path / "warm"), batch_size=2)
    dm.setup("fit")
    assert dm.num_training_examples == 12
    assert dm.num_rows < 12
    loader = dm.train_dataloader()
    assert len(loader) == -(-dm.num_rows // 2)
    seen = 0
    for batch in loader:
        assert set(batch) == {"input_ids", "labels", "position_ids", *WINDOW_KEYS}
        batch = without_stamps(batch)
        B, T = batch["input_ids"].shape
        assert B <= 2 and T <= 128
        assert all(v.shape == (B, T) and v.dtype == torch.long for v in batch.values())
        seen += int((batch["position_ids"] == 0).logical_and(batch["labels"] != IGNORE_INDEX).sum())
        assert (batch["labels"] != IGNORE_INDEX).any()
    assert seen == 0  # a conversation's first token is never a target
    # same seed, same order
    first = next(iter(dm.train_dataloader()))["input_ids"]
    again = ChatDataModule(tiny_tokenizer, cfg(), tmp_path / "warm", batch_size=2)
    assert torch.equal(next(iter(again.train_dataloader()))["input_ids"], first)


def test_unpacked_jsonl_file_with_limit(tmp_path, tiny_tokenizer):
    path = write_dataset(tmp_path / "d") / "conversations.jsonl"
    dm = ChatDataModule(tiny_tokenizer, cfg(packing=False, limit=5, shuffle=False), path, batch_size=4)
    assert dm.num_training_examples == 5 and dm.num_rows == 5
    batch = without_stamps(next(iter(dm.train_dataloader())))
    assert set(batch) == {"input_ids", "labels", "attention_mask", "position_ids"}
    assert batch["input_ids"].shape[0] == 4
    lengths = batch["attention_mask"].sum(1)
    assert lengths.max() == batch["input_ids"].shape[1]
    pad = tiny_tokenizer.pad_token_id
    for b, n in enumerate(lengths.tolist()):
        assert (batch["input_ids"][b, n:] == pad).all() and (batch["labels"][b, n:] == IGNORE_INDEX).all()


def test_batches_feed_the_model_forward(tmp_path, tiny_tokenizer, tiny_model):
    """Batches go straight into the model's forward (as the training module does)."""
    dm = ChatDataModule(tiny_tokenizer, cfg(), write_dataset(tmp_path / "warm", 4), batch_size=2)
    batch = without_stamps(next(iter(dm.train_dataloader())))
    with torch.no_grad():
        out = tiny_model(**batch, use_cache=False)
    assert torch.isfinite(out.loss)


def test_errors_name_the_problem(tmp_path, tiny_tokenizer):
    with pytest.raises(DataError, match="nowhere"):
        ChatDataModule(tiny_tokenizer, cfg(), tmp_path / "nowhere").setup()
    (tmp_path / "empty_dir").mkdir()
    with pytest.raises(DataError, match="no conversations.jsonl"):
        ChatDataModule(tiny_tokenizer, cfg(), tmp_path / "empty_dir").setup()
    with pytest.raises(ConfigError, match="data.max_lenght"):
        ChatDataModule(tiny_tokenizer, {"max_lenght": 3}, tmp_path)
    folder = write_dataset(tmp_path / "tiny_rows", 3)
    with pytest.raises(DataError, match="max_length=6"):
        ChatDataModule(tiny_tokenizer, cfg(max_length=6), folder).setup()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "messages": [{"role": "user", "content": "hi"}]}\n')
    with pytest.raises(DataError, match="bad.jsonl:1"):
        ChatDataModule(tiny_tokenizer, cfg(), bad).setup()
