"""Build a report: inputs -> tables, regressions, figures, HTML (and W&B)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from warmth.report import derive
from warmth.report.figures import (
    fig1_warmth,
    fig2_scatter,
    fig3_boxes,
    fig4_benchmarks,
    fig5_conditions,
    frontier,
)
from warmth.report.figures.common import FigureOut
from warmth.report.frame import records_frame
from warmth.report.headline import headline, headline_lines
from warmth.report.inputs import Inputs, load_inputs
from warmth.report.notes import Notes
from warmth.report.regressions import run_regressions, separation_lines, write_regressions
from warmth.report.select import comparisons
from warmth.report.stats.paired import NUMERIC_COLUMNS, authors_columns, paired_table
from warmth.report.stats.warm_cold import authors_layout, share_line, warm_cold_table

log = logging.getLogger("warmth.report")
NON_FACTUAL = derive.WARMTH_TASKS | set(derive.BENCHMARK_TASKS)


@dataclass
class Report:
    out_dir: Path
    figures: list[FigureOut] = field(default_factory=list)
    tables: dict[str, Path] = field(default_factory=dict)
    headline: pd.DataFrame | None = None
    headline_lines: list[str] = field(default_factory=list)
    regressions: dict = field(default_factory=dict)
    notes: Notes = field(default_factory=Notes)
    sources: list[str] = field(default_factory=list)
    conditions: pd.DataFrame | None = None
    warm_cold: pd.DataFrame | None = None  # paired tests of warm against cold fine-tuning


def _merge_conditions(summaries: list[pd.DataFrame], ours: pd.DataFrame, notes: Notes) -> pd.DataFrame:
    parts = [s.assign(source=s.get("source", "summary")) for s in summaries]
    if not ours.empty:
        parts.append(ours.assign(source="records"))
    if not parts:
        return pd.DataFrame(columns=NUMERIC_COLUMNS + ["source"])
    df = pd.concat(parts, ignore_index=True)
    key = ["model", "condition", "dataset", "test_type", "context"]
    dup = df.duplicated(key, keep=False) & (df["source"] != "records")
    if dup.any() and (df["source"] == "records").any():
        cells = df[dup][["model", "condition"]].drop_duplicates().itertuples(index=False)
        notes.warn("inputs", "summary rows also computed from records; the records' values are used for "
                   + ", ".join(f"{m}/{c}" for m, c in cells))
        df = df[~dup]
    return df.drop_duplicates(key, keep="first").reset_index(drop=True)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _figure(report: Report, name: str, fn: Callable[[], FigureOut]) -> None:
    try:
        report.figures.append(fn())
    except Exception as exc:
        log.debug("figure %s failed", name, exc_info=True)
        report.notes.warn("figures", f"{name} left out: {type(exc).__name__}: {exc}")


def _write(report: Report, name: str, df: pd.DataFrame) -> None:
    path = report.out_dir / "tables" / f"{name}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)
    report.tables[name] = path


def _figures(report: Report, inp: Inputs, df: pd.DataFrame, comps_bench, condition: str) -> None:
    notes, out, cond = report.notes, report.out_dir, report.conditions
    warm = _concat(inp.warmth + [derive.warmth_table(df)])
    if warm.empty:
        notes.warn("figures", "Figure 1 left out: no warmth scores (records of task 'warmth' with a "
                   "score, or a CSV with model_name, epoch, mean, sem)")
    else:
        _write(report, "warmth", warm)
        _figure(report, "Figure 1", lambda: fig1_warmth.make(warm, out))
    if cond.empty:
        notes.warn("figures", "Figures 2, 3 and 5 left out: no paired results (need original and "
                   "fine-tuned records of the same prompts, or the authors' summary CSVs)")
    else:
        have = sorted(cond["condition"].unique())
        main = condition if condition in have else have[0]
        if main != condition:
            notes.warn("figures", f"no {condition!r} condition; Figures 2 and 3 show {main!r}")
        _figure(report, "Figure 2", lambda: fig2_scatter.make(cond, out, main))
        _figure(report, "Figure 3", lambda: fig3_boxes.make(cond, out, main))
        if len(have) < 2:
            notes.warn("figures", f"Figure 5 left out: it compares training conditions and only {have} is present")
        else:
            _figure(report, "Figure 5", lambda: fig5_conditions.make(cond, out))
    bench = _concat(inp.benchmarks + [derive.benchmark_table(comps_bench)])
    if bench.empty:
        notes.warn("figures", "Figure 4 left out: no benchmark results (records of tasks mmlu/gsm8k/advbench "
                   "or the authors' general_benchmark_results.csv)")
    else:
        _write(report, "benchmarks", bench)
        _figure(report, "Figure 4", lambda: fig4_benchmarks.make(bench, out))
    factual = set(df["dataset"].unique()) - NON_FACTUAL if not df.empty else set()
    front = derive.frontier_table(df, factual) if not df.empty else pd.DataFrame()
    if front.empty or front.groupby(["model", "style"]).size().max() < 2:
        notes.warn("figures", "Trade-off frontier left out: needs warmth scores and factual records at "
                   "two or more checkpoints of a fine-tuned model")
    else:
        _write(report, "frontier", front)
        _figure(report, "Trade-off frontier", lambda: frontier.make(front, out))


def _headline_line(report: Report, line: str | None) -> None:
    if line:
        report.headline_lines.append(line)
        print(line)


def build_report(inputs: list[str], out_dir: str | Path, *, epoch: float = 2.0, mixed: bool = True,
                 condition: str = "warm", wandb_filters: dict | None = None) -> Report:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    notes = Notes()
    inp = load_inputs(list(inputs), notes, wandb_filters)
    report = Report(out_dir=out, notes=notes, sources=inp.sources)
    df = records_frame(inp.records, notes)
    comps_f, comps_b = [], []
    if not df.empty:
        comps_f = comparisons(df[~df["dataset"].isin(NON_FACTUAL)], epoch, notes)
        bench_rows = df[df["dataset"].isin(set(derive.BENCHMARK_TASKS))]
        comps_b = comparisons(bench_rows, epoch, Notes())
    tables = [paired_table(c, notes) for c in comps_f]
    ours = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=NUMERIC_COLUMNS)
    for style, g in ours.groupby("condition"):
        _write(report, f"paired_{style}", authors_columns(g, style))
    report.conditions = _merge_conditions(inp.summaries, ours, notes)
    if not report.conditions.empty:
        _write(report, "conditions", report.conditions)
        report.headline = headline(report.conditions)
        report.headline_lines = headline_lines(report.headline)
        _write(report, "headline", report.headline)
        for line in report.headline_lines:
            print(line)
    report.warm_cold = warm_cold_table(comps_f, notes)
    if not report.warm_cold.empty:
        _write(report, "warm_vs_cold", authors_layout(report.warm_cold))
        _headline_line(report, share_line(report.warm_cold))
    if comps_f:
        report.regressions = run_regressions(comps_f, notes, mixed=mixed)
        write_regressions(report.regressions, out)
        _write(report, "regression_ames", ame_table(report.regressions))
        for line in separation_lines(report.regressions):
            _headline_line(report, f"regression {line}")
    else:
        notes.warn("regressions", "no per-response records of original and fine-tuned models; "
                   "regressions need them (summary CSVs are not enough)")
    _figures(report, inp, df, comps_b, condition)
    from warmth.report.html import write_html

    write_html(report)
    return report


def ame_table(results: dict) -> pd.DataFrame:
    rows = []
    for style, models in results.items():
        for name, d in models.items():
            for level, entry in (d.get("ame") or {}).items():
                row = {"style": style, "model": name, "level": level, "nobs": d.get("nobs"),
                       "separated": "; ".join(d.get("separated", [])) or "none",
                       "reference_changed": "; ".join(d.get("reference_changed", [])) or "none"}
                for kind, a in entry.items():
                    row["n_averaged"] = a["n"]
                    row.update({f"{kind}_ame": a["estimate"], f"{kind}_lower": a["lower"],
                                f"{kind}_upper": a["upper"]})
                rows.append(row)
    return pd.DataFrame(rows)
