"""`python -m warmth.export` on what is not a checkpoint: one clear line, exit 2.

The export of a real ZeRO-3 checkpoint is tested with the 2-process run
(tests/warmth/strategies/test_distributed_train.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from warmth.errors import WarmthError
from warmth.export import adapter_state, find_checkpoint, main


def test_missing_checkpoint_is_one_error_line(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([str(tmp_path / "nothing")])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: no training checkpoint")


def test_run_directory_resolves_to_its_last_checkpoint(tmp_path: Path) -> None:
    ckpt = tmp_path / "checkpoints" / "last" / "trainer.ckpt"
    ckpt.mkdir(parents=True)
    (ckpt / "latest").write_text("checkpoint")  # a ZeRO folder
    with pytest.raises(WarmthError, match="no completion marker"):  # its save never finished
        find_checkpoint(ckpt.parent)
    (ckpt.parent / "warmth_checkpoint.json").write_text('{"global_step": 4}')
    assert find_checkpoint(tmp_path) == ckpt
    assert find_checkpoint(ckpt.parent) == ckpt


def test_adapter_keys_drop_the_adapter_name() -> None:
    state = {"base_model.model.layers.0.q_proj.lora_A.default.weight": torch.ones(2, 3),
             "base_model.model.layers.0.q_proj.base_layer.weight": torch.ones(3, 3)}
    out = adapter_state(state, torch.bfloat16)
    assert list(out) == ["base_model.model.layers.0.q_proj.lora_A.weight"]
    assert out["base_model.model.layers.0.q_proj.lora_A.weight"].dtype == torch.bfloat16
