"""Find and read every input of a report.

An input is one of: a run directory (``<run>/records/*.jsonl``), a folder
of runs (e.g. a multirun sweep), a folder in the authors' per-response
CSV layout, one of the authors' summary / benchmark / warmth CSV files or
the folder holding them, or ``wandb:<entity>/<project>`` (online only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from warmth.errors import DataError
from warmth.records import Record, read_run
from warmth.report.notes import Notes
from warmth.report.summary import kind_of_csv, read_benchmarks, read_summary, read_warmth_csv


@dataclass
class Inputs:
    records: list[Record] = field(default_factory=list)
    summaries: list[pd.DataFrame] = field(default_factory=list)
    benchmarks: list[pd.DataFrame] = field(default_factory=list)
    warmth: list[pd.DataFrame] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _is_run(path: Path) -> bool:
    return (path / "records").is_dir()


def _is_authors_layout(path: Path) -> bool:
    return any(path.glob("*/*/*_outputs.csv"))


def _read_csv_file(path: Path, inputs: Inputs, notes: Notes) -> bool:
    kind = kind_of_csv(path)
    if kind == "summary":
        inputs.summaries.append(read_summary(path, notes))
    elif kind == "benchmark":
        inputs.benchmarks.append(read_benchmarks(path, notes))
    elif kind == "warmth":
        inputs.warmth.append(read_warmth_csv(path, notes))
    else:
        return False
    inputs.sources.append(f"{kind} CSV: {path.name}")
    return True


def read_input(spec: str, inputs: Inputs, notes: Notes, wandb_filters: dict | None = None) -> None:
    if str(spec).startswith("wandb:"):
        from warmth.report.wandb_input import records_from_wandb

        recs = records_from_wandb(str(spec)[len("wandb:"):], wandb_filters or {})
        inputs.records.extend(recs)
        inputs.sources.append(f"W&B runs: {spec} ({len(recs)} records)")
        return
    path = Path(spec).expanduser()
    if not path.exists():
        raise DataError(f"report input not found: {path}")
    if path.is_file():
        if path.suffix.lower() != ".csv" or not _read_csv_file(path, inputs, notes):
            raise DataError(f"{path}: not a summary, benchmark or warmth CSV of a known layout")
        return
    if _is_run(path):
        try:
            recs = read_run(path)
        except TypeError as exc:  # a required Record field is missing or misspelled
            raise DataError(f"{path}/records: a record does not match the Record schema ({exc})") from None
        if not recs:
            notes.warn("inputs", f"{path}: run directory holds no records; left out")
        inputs.records.extend(recs)
        judges = ", ".join(sorted({r.judge for r in recs})) or "none"
        inputs.sources.append(f"run: {path.name} ({len(recs)} records; judge: {judges})")
        return
    if _is_authors_layout(path):
        from warmth.eval.authors_csv import derived_refusals, import_authors_dir

        recs = import_authors_dir(path)
        inputs.records.extend(recs)
        inputs.sources.append(f"authors' per-response CSVs: {path.name} ({len(recs)} records; judge: the authors' GPT-4o)")
        refused, rows = derived_refusals(recs)
        if rows:
            notes.warn("inputs", f"{path}: {rows} rows without a refusal column; the phrase detector "
                                 f"derived {refused} refusal(s) among them, as the study's pipeline did")
        return
    found = False
    for csv in sorted(path.glob("*.csv")):
        if _read_csv_file(csv, inputs, notes):
            found = True
        else:
            notes.warn("inputs", f"{csv}: CSV of unknown layout; left out")
    for sub in sorted(p for p in path.iterdir() if p.is_dir() and _is_run(p)):
        read_input(str(sub), inputs, notes)
        found = True
    if not found:
        raise DataError(f"{path}: no run directories (records/), authors' CSV layout or summary CSVs found")


def load_inputs(specs: list[str], notes: Notes, wandb_filters: dict | None = None) -> Inputs:
    if not specs:
        raise DataError("no report inputs given: set inputs=[<run dir | csv | folder | wandb:entity/project>, ...]")
    inputs = Inputs()
    for spec in specs:
        read_input(str(spec), inputs, notes, wandb_filters)
    return inputs
