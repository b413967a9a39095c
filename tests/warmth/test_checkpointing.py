"""Resolving what to resume from (last, auto, explicit paths), the completion marker, safe loading.

The save protocol itself (stage, sync, mark, rename) is proven end to end by
``test_resume_exact.py::test_killed_during_a_save_resumes_from_a_complete_one``;
here the pieces that decide what counts as a checkpoint.
"""

from __future__ import annotations

import json
import os
import pickle
from pathlib import Path

import pytest
import torch

from tests.conftest import compose
from warmth import checkpoint_store as store
from warmth.checkpointing import META_FILE, TRAINER_FILE, epoch_dirname, resolve_ckpt_path
from warmth.errors import WarmthError


def fake_checkpoint(folder: Path, step: int, complete: bool = True) -> Path:
    folder.mkdir(parents=True)
    torch.save({"global_step": step}, folder / TRAINER_FILE)
    if complete:
        (folder / META_FILE).write_text(json.dumps({"global_step": step}))
    return folder


def test_epoch_dirnames() -> None:
    assert [epoch_dirname(e) for e in (0.5, 1.0, 1.5, 10)] == ["epoch=0.5", "epoch=1", "epoch=1.5", "epoch=10"]


def test_auto_starts_fresh_then_resumes(tmp_path: Path) -> None:
    assert resolve_ckpt_path("auto", tmp_path).path is None
    last = fake_checkpoint(tmp_path / "checkpoints" / "last", 4)
    expected = str(last / TRAINER_FILE)
    assert resolve_ckpt_path("auto", tmp_path).path == expected
    assert resolve_ckpt_path("last", tmp_path).path == expected
    assert resolve_ckpt_path(str(last), tmp_path).path == expected
    assert resolve_ckpt_path("last", tmp_path).weights_only


def test_a_folder_without_its_marker_is_never_a_checkpoint(tmp_path: Path) -> None:
    """Fails when the marker is not checked: with ``is_complete`` returning True, ``last`` picks the torn
    ``epoch=2`` (checked by patching it so)."""
    root = tmp_path / "checkpoints"
    fake_checkpoint(root / "last", 4)
    fake_checkpoint(root / "epoch=2", 8, complete=False)     # killed before its marker
    fake_checkpoint(root / ".staging-epoch=3", 12)           # sealed, never renamed in
    assert resolve_ckpt_path("last", tmp_path).path == str(root / "last" / TRAINER_FILE)
    with pytest.raises(WarmthError, match="no completion marker"):
        resolve_ckpt_path(str(root / "epoch=2"), tmp_path)


def test_last_is_the_newest_complete_checkpoint_after_an_interrupted_swap(tmp_path: Path) -> None:
    """A kill between moving the old ``last`` aside and renaming the new one in leaves no ``last``."""
    root = tmp_path / "checkpoints"
    fake_checkpoint(root / ".old-last", 4)
    fake_checkpoint(root / "epoch=1.5", 12)
    assert resolve_ckpt_path("last", tmp_path).path == str(root / "epoch=1.5" / TRAINER_FILE)
    (root / "epoch=1.5" / META_FILE).unlink()
    assert resolve_ckpt_path("last", tmp_path).path == str(root / ".old-last" / TRAINER_FILE)


def test_publish_replaces_last_and_links_rather_than_copies(tmp_path: Path) -> None:
    root = tmp_path / "checkpoints"
    fake_checkpoint(root / "last", 4)
    epoch = fake_checkpoint(root / "epoch=1", 8)
    staged = store.staging_dir(root, "last")
    store.link_tree(epoch, staged)
    store.publish(staged, root / "last")
    assert sorted(p.name for p in root.iterdir()) == ["epoch=1", "last"]
    assert store.read_meta(root / "last") == {"global_step": 8}
    assert os.path.samefile(root / "last" / TRAINER_FILE, epoch / TRAINER_FILE)


def test_missing_things_are_named(tmp_path: Path) -> None:
    with pytest.raises(WarmthError, match="nothing to resume"):
        resolve_ckpt_path("last", tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(WarmthError, match=f"holds no {TRAINER_FILE}"):
        resolve_ckpt_path(str(empty), tmp_path)


def test_a_sharded_checkpoint_from_elsewhere_is_refused(tmp_path: Path) -> None:
    """DeepSpeed unpickles its folders in full; one not written by this run is not loaded.

    Fails when ``_own`` is patched to return True (checked)."""
    other = fake_checkpoint(tmp_path / "other_run" / "checkpoints" / "last", 4)
    (other / TRAINER_FILE).unlink()
    (other / TRAINER_FILE).mkdir()
    (other / TRAINER_FILE / "latest").write_text("checkpoint")
    run = tmp_path / "this_run"
    with pytest.raises(WarmthError, match="not written by this run"):
        resolve_ckpt_path(str(other), run)
    # the same folder resumed in its own run directory is accepted
    assert resolve_ckpt_path("last", tmp_path / "other_run").path == str(other / TRAINER_FILE)


class _Payload:
    """Unpickling this runs code: it creates the file named in its state."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def test_a_trainer_ckpt_from_elsewhere_is_loaded_weights_only(tmp_path: Path) -> None:
    """A pickle that runs code on load is refused and its code never runs.

    With ``weights_only`` forced to False in ``warmth.train`` (checked), the payload's file appears and the
    test fails."""
    from warmth.train import train

    planted = tmp_path / "code_ran"
    evil = tmp_path / "downloaded" / TRAINER_FILE
    evil.parent.mkdir()
    with evil.open("wb") as fh:
        pickle.dump({"state_dict": {}, "payload": _Payload(str(planted))}, fh)
    cfg = compose("train", ["model=tiny", "eval=none", "logger=none", "trainer.accelerator=cpu",
                            "data.limit=2", "trainer.enable_progress_bar=false", f"ckpt_path={evil}"],
                  run_dir=tmp_path / "run")
    with pytest.raises(WarmthError, match="refusing to resume"):
        train(cfg)
    assert not planted.exists()
