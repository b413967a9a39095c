"""A W&B Report whose panels group runs by model and style.

Building a Report object needs no network, but saving it resolves the
project on the server. So we always write a plain JSON spec next to the
HTML report; online we also save it, offline we print how to push it:
``python -m warmth.report.push DIR/wandb_report.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

from warmth.report.wandb_child import call_in_child

DEFAULT_GROUPBY = ["config.model.name", "config.style.name"]


def report_spec(project: str, entity: str | None, title: str, headline: list[str], metrics: list[str],
                groupby: list[str] | None = None, filters: str = "", media_keys: list[str] | None = None,
                x: str = "epoch") -> dict:
    return {
        "version": 1, "project": project, "entity": entity, "title": title,
        "description": "Accuracy and sycophancy after style fine-tuning, grouped by model and style.",
        "groupby": list(groupby or DEFAULT_GROUPBY), "filters": filters, "x": x,
        "headline": list(headline), "metrics": list(metrics), "media_keys": list(media_keys or []),
    }


def spec_for(report, w) -> dict:
    """The spec of a built report under the ``wandb`` node of ``conf/report.yaml``."""
    return report_spec(w.project, w.entity, w.report.title, report.headline_lines, list(w.report.metrics),
                       groupby=list(w.report.groupby), filters=str(w.report.filters or ""),
                       media_keys=[f"figures/{f.name}" for f in report.figures], x=str(w.report.x))


def to_report(spec: dict):
    """The ``wandb_workspaces`` Report for a spec (constructed locally, not saved)."""
    import wandb_workspaces.reports.v2 as wr

    entity = spec.get("entity") or ""
    runset = wr.Runset(entity=entity, project=spec["project"], name="runs by model and style",
                       filters=spec.get("filters") or "", groupby=list(spec["groupby"]))
    panels = [wr.LinePlot(title=m, x=spec.get("x", "epoch"), y=[m]) for m in spec["metrics"]]
    panels += [wr.BarPlot(title=f"{m} by group", metrics=[m]) for m in spec["metrics"]]
    if spec.get("media_keys"):
        panels.append(wr.MediaBrowser(media_keys=spec["media_keys"]))
    blocks = [wr.H1(spec["title"]), wr.P(spec["description"])]
    blocks += [wr.UnorderedList(items=list(spec["headline"]))] if spec.get("headline") else []
    blocks.append(wr.PanelGrid(runsets=[runset], panels=panels))
    return wr.Report(project=spec["project"], entity=entity, title=spec["title"],
                     description=spec["description"], blocks=blocks)


def write_spec(spec: dict, out_dir: Path) -> Path:
    path = Path(out_dir) / "wandb_report.json"
    path.write_text(json.dumps(spec, indent=2))
    return path


def push(spec_path: str | Path) -> str:
    """Save the report on the W&B server (needs network and credentials); returns its URL.

    In a child process, as the W&B input is read: a failed save must not leave the caller hanging at exit.
    """
    return call_in_child(_push, str(spec_path))


def _push(spec_path: str) -> str:
    spec = json.loads(Path(spec_path).read_text())
    if not spec.get("entity"):  # entity: null means the user's default, as for the run we logged
        import wandb

        spec["entity"] = wandb.Api().default_entity
    rep = to_report(spec)
    rep.save()
    return rep.url
