"""The entry point end to end, offline: files, a W&B run we read back, the Report spec."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import run_module
from warmth.report.wandb_report import to_report

from .conftest import build_synthetic_runs


def _leet_summary(run_dir: Path) -> dict:
    wandb_cli = Path(sys.executable).with_name("wandb")
    out = subprocess.run([str(wandb_cli), "leet", "inspect", "--summary", "--json", str(run_dir)],
                         capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_cli_offline_logs_figures_and_writes_report_spec(tmp_path):
    runs = build_synthetic_runs(tmp_path / "runs")
    out = tmp_path / "report"
    proc = run_module("warmth.report", f"inputs=[{','.join(runs)}]", f"out={out}", "mixed=false",
                      env={"WANDB_MODE": "offline"}, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "python -m warmth.report.push" in proc.stdout
    assert (out / "index.html").exists() and (out / "regressions.txt").exists()
    assert {p.name for p in (out / "tables").glob("*.csv")} >= {"paired_warm.csv", "paired_cold.csv",
                                                             "headline.csv", "regression_ames.csv"}
    figures = sorted(p.stem for p in (out / "figures").glob("*.png"))
    assert len(figures) == 6 and len(list((out / "figures").glob("*.pdf"))) == 6
    # Read the offline run back from its own files.
    (run_dir,) = list((out / "wandb").glob("offline-run-*"))
    summary = _leet_summary(run_dir)
    assert summary["state"] == "finished" and summary["project"] == "warmth"
    for name in figures:
        entry = summary["summary"][f"figures/{name}"]
        assert entry["_type"] == "image-file" and entry["width"] > 100
    assert summary["summary"]["tables/paired_warm"]["_type"] == "table-file"
    assert "ame/warm/model1_main" in summary["summary"]
    # The Report spec round-trips into wandb_workspaces objects without network.
    spec = json.loads((out / "wandb_report.json").read_text())
    assert spec["groupby"] == ["config.model.name", "config.style.name"]
    assert sorted(spec["media_keys"]) == sorted(f"figures/{n}" for n in figures)
    report = to_report(spec)
    grid = report.blocks[-1]
    assert grid.runsets[0].groupby == spec["groupby"] and len(grid.panels) >= 2


def test_cli_without_inputs_is_one_line_error(tmp_path):
    proc = run_module("warmth.report", f"out={tmp_path / 'r'}", env={"WANDB_MODE": "offline"}, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith("error: no report inputs given")
    assert "Traceback" not in proc.stderr
