"""Records of W&B runs selected by project and filters (needs network).

Each run is expected to carry its records as files ``records/<task>.jsonl``
(``warmth.train`` and ``warmth.evaluate`` attach them when their run ends:
``warmth.loggers.finish``) or an artifact of type ``records``. The W&B calls
run in a child process (:mod:`warmth.report.wandb_child`), so a failed fetch
cannot leave the report hanging at exit.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from warmth.errors import DataError
from warmth.paths import cache_dir
from warmth.records import Record, read_run
from warmth.report.wandb_child import call_in_child


def records_from_wandb(path: str, filters: dict) -> list[Record]:
    if os.environ.get("WANDB_MODE", "").lower() in ("offline", "disabled", "dryrun"):
        raise DataError(f"wandb:{path}: reading W&B runs needs network access, but WANDB_MODE="
                        f"{os.environ['WANDB_MODE']}; export the runs' record folders and pass them instead")
    return call_in_child(_fetch, path, filters)


def _fetch(path: str, filters: dict) -> list[Record]:
    import wandb

    try:
        runs = list(wandb.Api().runs(path, filters=filters or None))
    except Exception as exc:  # noqa: BLE001 - network/auth problems are user errors here
        raise DataError(f"wandb:{path}: cannot list runs ({type(exc).__name__}: {exc})") from None
    out: list[Record] = []
    for run in runs:
        # Run ids are unique within a project only, and the folder must hold what the run carries now.
        dest = Path(cache_dir("report", "wandb", *run.path))
        shutil.rmtree(dest / "records", ignore_errors=True)
        for f in run.files():
            if f.name.startswith("records/") and f.name.endswith(".jsonl"):
                f.download(root=str(dest), replace=True)
        if not (dest / "records").is_dir():
            for art in run.logged_artifacts():
                if art.type == "records":
                    art.download(root=str(dest / "records"))
        if (dest / "records").is_dir():
            out.extend(read_run(dest))
    if not out:
        raise DataError(f"wandb:{path}: {len(runs)} runs matched {filters or 'no filters'} but none carry records")
    return out
