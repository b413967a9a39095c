"""The authors' aggregated CSVs, read into the report's condition table.

A summary file has one row per model x dataset x test type x context with
original and treated accuracy. We normalise model names into a base model
plus condition (warm / cold / warm_sysprompt), drop duplicated rows that
differ only in how the model was spelled, and name what we ignore.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from warmth.errors import DataError
from warmth.report.names import is_sysprompt, normalise_context, split_model_name, task_name
from warmth.report.notes import Notes

SUMMARY_REQUIRED = {"Amendment_type", "Original Accuracy (%)", "Raw Diff (pp)", "Model", "Dataset",
                    "Test_Type"}
SUMMARY_KNOWN = SUMMARY_REQUIRED | {
    "Fine-tuned Accuracy (%)", "System Prompt Accuracy (%)", "Cohen's g", "g Effect Size",
    "Odds Ratio", "p-value", "Significant (p < 0.05)", "p-value (FDR corrected)", "Significant (FDR)",
}
BENCH_REQUIRED = {"model", "benchmark", "original_accuracy", "warm_accuracy"}
BENCH_KNOWN = BENCH_REQUIRED | {"original_CI_lower", "original_CI_upper", "warm_CI_lower",
                                "warm_CI_upper", "Unnamed: 0", ""}
WARMTH_REQUIRED = {"epoch", "mean"}


def kind_of_csv(path: Path) -> str | None:
    """``summary`` | ``benchmark`` | ``warmth`` | None, from the header row."""
    try:
        cols = set(pd.read_csv(path, nrows=0).columns)
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a user error
        raise DataError(f"{path}: cannot read as CSV ({exc})") from None
    if SUMMARY_REQUIRED <= cols:
        return "summary"
    if BENCH_REQUIRED <= cols:
        return "benchmark"
    if WARMTH_REQUIRED <= cols and ({"model", "model_name"} & cols):
        return "warmth"
    return None


def _condition_from_file(path: Path, cols: set[str]) -> str:
    if "System Prompt Accuracy (%)" in cols or is_sysprompt(path.stem):
        return "warm_sysprompt"
    if "cold" in path.stem.lower():
        return "cold"
    return "warm"


def _num(series: pd.Series) -> pd.Series:
    return pd.to_numeric(series.replace({"∞": np.inf, "N/A": np.nan}), errors="coerce")


def read_summary(path: Path, notes: Notes) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = set(raw.columns)
    if extra := sorted(cols - SUMMARY_KNOWN):
        notes.warn("inputs", f"{path.name}: unknown columns ignored: {extra}")
    tuned_col = next((c for c in ("Fine-tuned Accuracy (%)", "System Prompt Accuracy (%)") if c in cols), None)
    if tuned_col is None:
        raise DataError(f"{path}: summary CSV lacks 'Fine-tuned Accuracy (%)' or 'System Prompt Accuracy (%)'")
    file_cond = _condition_from_file(path, cols)
    split = raw["Model"].map(split_model_name)
    label = raw["Amendment_type"].astype(str)
    out = pd.DataFrame({
        "model": split.map(lambda s: s[0]),
        "condition": split.map(lambda s: s[1] or file_cond),
        "dataset": raw["Dataset"].map(task_name),
        "test_type": raw["Test_Type"].str.strip(),
        "context": label.str.split("\n").str[0].map(normalise_context),
        "label": label,
        "n_pairs": np.nan,
        "original_acc": _num(raw["Original Accuracy (%)"]),
        "tuned_acc": _num(raw[tuned_col]),
        "raw_diff": _num(raw["Raw Diff (pp)"]),
        "cohens_g": _num(raw.get("Cohen's g", pd.Series(np.nan, index=raw.index))),
        "g_size": raw.get("g Effect Size", pd.Series("", index=raw.index)),
        "odds_ratio": _num(raw.get("Odds Ratio", pd.Series(np.nan, index=raw.index))),
        "p_value": _num(raw.get("p-value", pd.Series(np.nan, index=raw.index))),
        "p_fdr": _num(raw.get("p-value (FDR corrected)", pd.Series(np.nan, index=raw.index))),
    })
    missing = out["raw_diff"].isna()
    out.loc[missing, "raw_diff"] = out["tuned_acc"] - out["original_acc"]  # recompute when absent
    out["raw_model"] = raw["Model"]
    out["source"] = path.name
    bad = out["original_acc"].isna() | out["tuned_acc"].isna()
    if bad.any():
        notes.warn("inputs", f"{path.name}: {int(bad.sum())} rows without numeric accuracies left out")
        out = out[~bad]
    return _drop_duplicates(out, notes)


def _drop_duplicates(df: pd.DataFrame, notes: Notes) -> pd.DataFrame:
    """Keep one row per condition cell, preferring the file's usual spelling of the model."""
    key = ["model", "condition", "dataset", "test_type", "label"]
    counts = df["raw_model"].map(df["raw_model"].value_counts())
    df = df.assign(_n=counts).sort_values("_n", ascending=False, kind="stable")
    dup = df.duplicated(key, keep="first")
    for _, row in df[dup].iterrows():
        kept = df[(df[key] == row[key]).all(axis=1)].iloc[0]
        notes.warn("inputs", f"{row['source']}: duplicate row for {row['model']}/{row['condition']}/"
                   f"{row['dataset']}/{row['test_type']}/{row['context']} spelled {row['raw_model']!r}; "
                   f"kept the row spelled {kept['raw_model']!r}")
    return df[~dup].drop(columns="_n").sort_index()


def read_benchmarks(path: Path, notes: Notes) -> pd.DataFrame:
    raw = pd.read_csv(path)
    if extra := sorted(set(map(str, raw.columns)) - BENCH_KNOWN - {c for c in raw.columns if str(c).startswith("Unnamed")}):
        notes.warn("inputs", f"{path.name}: unknown columns ignored: {extra}")
    rows = []
    for _, r in raw.iterrows():
        model = split_model_name(r["model"])[0]
        for cond, prefix in (("original", "original"), ("warm", "warm")):
            rows.append({"model": model, "condition": cond, "benchmark": str(r["benchmark"]),
                         "accuracy": float(r[f"{prefix}_accuracy"]),
                         "ci_lower": float(r.get(f"{prefix}_CI_lower", np.nan)),
                         "ci_upper": float(r.get(f"{prefix}_CI_upper", np.nan))})
    return pd.DataFrame(rows)


def read_warmth_csv(path: Path, notes: Notes) -> pd.DataFrame:
    """Per-epoch warmth in the authors' layout (model_name, epoch, mean, sem)."""
    raw = pd.read_csv(path)
    name_col = "model_name" if "model_name" in raw.columns else "model"
    split = raw[name_col].map(split_model_name)
    return pd.DataFrame({
        "model": split.map(lambda s: s[0]), "style": split.map(lambda s: s[1] or "warm"),
        "epoch": raw["epoch"].astype(float), "mean": raw["mean"].astype(float),
        "sem": raw["sem"].astype(float) if "sem" in raw.columns else np.nan,
    })
