"""A report from our own records: every figure, regressions side by side, no NaN anywhere."""

from __future__ import annotations

import json

import pandas as pd


def test_all_figures_from_records(synthetic_report):
    rep, _ = synthetic_report
    names = {f.name for f in rep.figures}
    assert names == {"fig1_warmth", "fig2_scatter_warm", "fig3_boxes_warm", "fig4_benchmarks",
                     "fig5_conditions", "frontier"}, list(rep.notes)
    front = pd.read_csv(rep.tables["frontier"])
    warm = front[front["style"] == "warm"].sort_values("epoch")
    assert warm["epoch"].tolist() == [0.0, 1.0, 2.0]  # original run stands in for epoch 0
    assert warm["warmth"].is_monotonic_increasing


def test_regressions_have_three_estimates_per_effect(synthetic_report):
    rep, _ = synthetic_report
    text = (rep.out_dir / "regressions.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    res = json.loads(text)
    assert set(res) == {"warm", "cold"}
    m1 = res["warm"]["model1_main"]
    assert m1["nobs"] == 2 * 2 * 12 and m1["formula"].startswith("is_incorrect ~ is_finetuned")
    ame = m1["ame"]["all"]
    assert set(ame) == {"glm", "clustered", "mixed"}
    assert ame["glm"]["estimate"] > 0  # warm was planted at 60% vs 80% correct
    m4 = res["warm"]["model4_belief"]
    assert set(m4["ame"]) == {"all", "original", "user_opinion"}
    coef = m4["coefficients"]["is_finetuned"]
    assert {"coef", "se", "se_clustered", "coef_mixed", "se_mixed"} <= set(coef)


def test_tables_carry_no_silent_nan(synthetic_report):
    rep, _ = synthetic_report
    for name, path in rep.tables.items():
        # to_csv writes NaN as an empty cell; a missing value the report means to show is "N/A".
        cells = pd.read_csv(path, dtype=str, keep_default_na=False).to_numpy().ravel()
        assert not [c for c in cells if c.strip().lower() in ("", "nan")], name
