"""Checkpoint folders that are complete or absent: staging, sync, rename, and finding the newest.

A checkpoint is written under ``checkpoints/.staging-<name>/``; once every
file is on disk and synced, the completion marker ``warmth_checkpoint.json``
is written (atomically, last), and the folder is renamed to ``<name>``. A
folder already there is first renamed to ``.old-<name>`` and deleted only
after the new one is in place, so a kill at any moment leaves the previous
``last`` (or the epoch folder just written) complete on disk. ``last`` is
made of hard links to the epoch folder it repeats (a copy where the file
system has no links), so it costs no second copy.

A folder without the marker is never taken as a checkpoint, and ``last`` in
``ckpt_path=last`` means the complete checkpoint of the run with the most
optimizer steps (``last`` itself when nothing was interrupted).

No Lightning here: ``warmth.export`` and the evaluation backend read
checkpoints through this module without loading the trainer.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from warmth.faults import reach
from warmth.paths import atomic_write

META_FILE = "warmth_checkpoint.json"  # the completion marker: written last
TRAINER_FILE = "trainer.ckpt"
STAGING = ".staging-"
OLD = ".old-"


def read_meta(folder: Path) -> dict[str, Any] | None:
    """The marker's content, or None when ``folder`` is not a complete checkpoint."""
    try:
        meta = json.loads((Path(folder) / META_FILE).read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def is_complete(folder: Path) -> bool:
    return read_meta(folder) is not None and (Path(folder) / TRAINER_FILE).exists()


def staging_dir(root: Path, name: str) -> Path:
    return Path(root) / f"{STAGING}{name}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(folder: Path) -> None:
    """fsync every file and folder under ``folder`` (and ``folder`` itself)."""
    for dirpath, _, files in os.walk(folder):
        for name in files:
            _fsync(Path(dirpath) / name)
        _fsync(Path(dirpath))


def seal(staged: Path, meta: dict[str, Any]) -> None:
    """Sync a fully written staging folder, then write its completion marker."""
    sync_tree(staged)
    atomic_write(staged / META_FILE, json.dumps(meta, indent=2).encode("utf-8"))
    _fsync(staged)


def publish(staged: Path, final: Path) -> Path:
    """Rename a sealed staging folder to ``final``, replacing a previous one without a gap on disk."""
    root = final.parent
    old = root / f"{OLD}{final.name}"
    reach(f"save:staged:{final.name}")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
        reach(f"save:swap:{final.name}")
    os.replace(staged, final)
    _fsync(root)
    if old.exists():
        shutil.rmtree(old)
    return final


def link_tree(source: Path, dest: Path) -> None:
    """``dest`` as a tree of hard links to ``source``'s files (copies where links fail)."""
    if dest.exists():
        shutil.rmtree(dest)

    def link(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, dest, copy_function=link)


def newest(root: Path) -> Path | None:
    """The complete checkpoint folder under ``root`` with the most steps (``last`` wins a tie)."""
    root = Path(root)
    if not root.is_dir():
        return None
    best: tuple[int, int, Path] | None = None
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name.startswith(STAGING):
            continue
        meta = read_meta(folder)
        if meta is None or not (folder / TRAINER_FILE).exists():
            continue
        key = (int(meta.get("global_step", -1)), int(folder.name == "last"), folder)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best is not None else None


def clean_partial(root: Path) -> None:
    """Remove staging and moved-aside folders a killed save left behind."""
    root = Path(root)
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir() and folder.name.startswith((STAGING, OLD)):
                shutil.rmtree(folder, ignore_errors=True)
