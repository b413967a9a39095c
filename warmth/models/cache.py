"""Build a cached artefact once, even when several processes ask at the same time.

The builder writes into a private temporary folder next to the target; the
folder is renamed into place only when complete (rename is atomic on one
filesystem), under an exclusive file lock so racing processes wait for the
first one instead of building twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

MARKER = "warmth_build.json"


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def library_versions(names: Iterable[str]) -> dict[str, str | None]:
    """Installed version of each distribution (None when absent), for cache keys.

    A cached build is only as current as the libraries that wrote it: keying the
    folder by them builds afresh after an upgrade instead of reading stale files.
    """
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def key_hash(spec: dict) -> str:
    """Short stable hash of a JSON-able build spec, for a cache folder's name."""
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:12]


def is_built(target: Path) -> bool:
    return (target / MARKER).is_file()


def build_once(target: Path, build: Callable[[Path], dict], *, lock_name: str | None = None) -> Path:
    """Return ``target``, calling ``build(tmp_dir) -> info`` first if it is not there yet.

    ``info`` is written to the folder's marker file, which is what tells a
    finished build from a half-written one.
    """
    target = Path(target)
    if is_built(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = target.parent / f".{lock_name or target.name}.lock"
    with _locked(lock):
        if is_built(target):  # another process finished while we waited
            return target
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            info = build(tmp)
            (tmp / MARKER).write_text(json.dumps(info, indent=2, sort_keys=True) + "\n")
            if target.exists():  # leftover without a marker: an interrupted build
                shutil.rmtree(target)
            tmp.chmod(0o755)
            os.rename(tmp, target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target
