"""Resolving what to resume from: last, auto, explicit paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmth.checkpointing import TRAINER_FILE, epoch_dirname, resolve_ckpt_path
from warmth.errors import WarmthError


def test_epoch_dirnames() -> None:
    assert [epoch_dirname(e) for e in (0.5, 1.0, 1.5, 10)] == ["epoch=0.5", "epoch=1", "epoch=1.5", "epoch=10"]


def test_auto_starts_fresh_then_resumes(tmp_path: Path) -> None:
    assert resolve_ckpt_path("auto", tmp_path) is None
    last = tmp_path / "checkpoints" / "last"
    last.mkdir(parents=True)
    (last / TRAINER_FILE).write_bytes(b"x")
    assert resolve_ckpt_path("auto", tmp_path) == str(last / TRAINER_FILE)
    assert resolve_ckpt_path("last", tmp_path) == str(last / TRAINER_FILE)
    assert resolve_ckpt_path(str(last), tmp_path) == str(last / TRAINER_FILE)


def test_missing_things_are_named(tmp_path: Path) -> None:
    with pytest.raises(WarmthError, match="nothing to resume"):
        resolve_ckpt_path("last", tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(WarmthError, match=f"holds no {TRAINER_FILE}"):
        resolve_ckpt_path(str(empty), tmp_path)
