"""Logging a built report to W&B copes with the tables a small grid produces."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from warmth.report.wandb_log import log_report

from .test_report_wandb import _leet_summary


def test_an_empty_table_is_skipped_and_the_others_logged(tmp_path: Path) -> None:
    """Catches the crash of ``warmth.report`` over a six-cell tiny grid: no regression converged,
    ``regression_ames.csv`` was written empty, and reading it back raised EmptyDataError
    (seen in tests/conf/test_mitigation_grid.py before the skip)."""
    tables = tmp_path / "tables"
    tables.mkdir()
    (tables / "regression_ames.csv").write_text("\n")
    (tables / "frontier.csv").write_text("style,epoch\nwarm,1\n")
    report = SimpleNamespace(out_dir=tmp_path, figures=[], sources=[], headline=None, regressions=None, notes=[],
                             tables={"regression_ames": tables / "regression_ames.csv",
                                     "frontier": tables / "frontier.csv"})
    run_dir = log_report(report, project="warmth", mode="offline")
    summary = _leet_summary(run_dir)["summary"]
    assert summary["tables/frontier"]["_type"] == "table-file"
    assert "tables/regression_ames" not in summary
