"""Log a built report (figures, tables, headline, AMEs) to one W&B run.

The mode follows ``WANDB_MODE`` (offline without network); an offline
run lands in ``DIR/wandb/offline-run-*`` and is uploaded later with
``wandb sync``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd


def log_report(report, project: str, entity: str | None = None, name: str = "report",
               mode: str | None = None) -> Path:
    """Returns the run's local directory."""
    import wandb

    mode = mode or os.environ.get("WANDB_MODE") or "offline"
    run = wandb.init(project=project, entity=entity, name=name, job_type="report", dir=str(report.out_dir),
                     mode=mode, tags=["report"], config={"sources": report.sources},
                     reinit="create_new")
    try:
        run.log({f"figures/{f.name}": wandb.Image(str(f.png), caption=f.title) for f in report.figures})
        for tname, path in report.tables.items():
            try:
                df = pd.read_csv(path, dtype=str, keep_default_na=False)
            except pd.errors.EmptyDataError:  # a table with no rows or columns (no AMEs fitted): nothing to log
                continue
            run.log({f"tables/{tname}": wandb.Table(dataframe=df)})
        if report.headline is not None:
            for r in report.headline.itertuples():
                run.summary[f"headline/{r.condition}/{r.dataset}_error_change_pp"] = r.error_change_pp
        for style, models in (report.regressions or {}).items():
            for mname, d in models.items():
                a = (d.get("ame") or {}).get("all", {}).get("glm")
                if a:
                    run.summary[f"ame/{style}/{mname}"] = a["estimate"]
        run.summary["warnings"] = len(report.notes)
        run_dir = Path(run.dir).parent
    finally:
        run.finish()
    return run_dir
