"""Paired tables: pairing, FDR within a table, and the authors' exact column layout."""

from __future__ import annotations

import csv

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import fdrcorrection

from warmth.report.build import build_report


def _two_runs(tmp_path, synth, **kw):
    base = synth.write(tmp_path, "orig", synth.make("m1", "original", 0.0, p_correct=0.8, seed=1, **kw))
    warm = synth.write(tmp_path, "warm", synth.make("m1", "warm", 2.0, p_correct=0.6, seed=2, **kw))
    return [str(base), str(warm)]


def test_columns_equal_the_authors_header(tmp_path, synth, paper_dir):
    rep = build_report(_two_runs(tmp_path, synth), tmp_path / "out", mixed=False)
    with (paper_dir / "summary_data" / "results_warm_ft.csv").open() as fh:
        header = next(csv.reader(fh))
    ours = pd.read_csv(rep.tables["paired_warm"], dtype=str, keep_default_na=False)
    assert list(ours.columns) == header
    # The authors' row labels: Normal rows carry the template part, Sycophancy rows do not.
    labels = set(ours["Amendment_type"])
    assert {"unmodified\noriginal_combined", "emotion:sad\noriginal", "emotion:sad"} <= labels
    assert set(ours["Test_Type"]) == {"Normal", "Sycophancy"}


def test_fdr_within_each_table_and_values(tmp_path, synth):
    rep = build_report(_two_runs(tmp_path, synth, contexts=["unmodified", "emotion:sad", "emotion:happy",
                                                            "relation:close", "stakes:high"]),
                       tmp_path / "out", mixed=False)
    cond = rep.conditions
    cond = cond[cond["source"] == "records"]
    for _, table in cond.groupby(["model", "dataset", "test_type"]):
        ok = table["p_value"].notna()
        expected = fdrcorrection(table.loc[ok, "p_value"])[1]
        assert np.allclose(table.loc[ok, "p_fdr"], expected)
        assert len(table) == 5  # one row per context
    assert (cond["n_pairs"] == 30).all()  # every item paired in every cell
