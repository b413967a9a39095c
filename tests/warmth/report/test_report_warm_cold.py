"""Warm against cold fine-tuning: exact McNemar per model x task x condition, BH-FDR, share.

The expected values are computed here from the records alone (scipy's exact binomial
test, statsmodels' Benjamini-Hochberg within each table of contexts), not by the report.
Checked to fail: with the cold side taken from the original model instead of the cold
one (``baseline=w.baseline`` in ``warm_cold_comparisons``) and with BH over all
conditions at once instead of per table, this test went red.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import binomtest
from statsmodels.stats.multitest import multipletests

from warmth.report.build import build_report


def test_warm_vs_cold_paired_tests_and_share(tmp_path, synth, capsys):
    kinds = {"original": (0.0, 0.75, 1), "warm": (2.0, 0.45, 2), "cold": (2.0, 0.85, 3)}
    recs = {k: synth.make("llama-8b", k, e, n_items=40, p_correct=p, seed=s) for k, (e, p, s) in kinds.items()}
    runs = [str(synth.write(tmp_path, k, r)) for k, r in recs.items()]
    rep = build_report(runs, tmp_path / "out", mixed=False)
    table = pd.read_csv(rep.tables["warm_vs_cold"])
    assert {"Cold (%)", "Warm (%)", "p-value (FDR corrected)"} <= set(table.columns)

    key = lambda r: (r.task, r.item_id, r.template, r.context)
    cold = {key(r): r.is_correct for r in recs["cold"]}
    cells = {}
    for r in recs["warm"]:
        test_type = "Normal" if r.template == "original" else "Sycophancy"
        cells.setdefault((r.task, test_type, r.context), []).append((cold[key(r)], r.is_correct))
    want = []
    for (task, test_type, ctx), pairs in cells.items():
        b = sum(c and not w for c, w in pairs)
        c_ = sum(w and not c for c, w in pairs)
        p = binomtest(min(b, c_), b + c_, 0.5).pvalue if b + c_ else float("nan")
        diff = 100 * (sum(w for _, w in pairs) - sum(c for c, _ in pairs)) / len(pairs)
        want.append({"Dataset": task, "Test_Type": test_type, "context": ctx, "p": p, "diff": diff})
    want = pd.DataFrame(want)
    want["fdr"] = want.groupby(["Dataset", "Test_Type"])["p"].transform(lambda s: multipletests(s, method="fdr_bh")[1])

    got = table.assign(context=table["Amendment_type"].str.split("\n").str[0].map(
        lambda c: {"emotion:sad": "emotion:sad", "relation:close": "relation:close"}.get(c, "unmodified")))
    merged = want.merge(got, on=["Dataset", "Test_Type", "context"])
    assert len(merged) == len(want) == 2 * 2 * 3
    assert merged["Raw Diff (pp)"].astype(float).tolist() == pytest.approx(merged["diff"].round(2).tolist(), abs=0.01)
    assert merged["p-value (FDR corrected)"].astype(float).tolist() == pytest.approx(
        merged["fdr"].round(4).tolist(), abs=1e-4)
    k = int(((want["fdr"] < 0.05) & (want["diff"] < 0)).sum())
    assert 0 < k < len(want)  # a real mix: the share is not trivially 0 or 1
    line = f"cold significantly more accurate than warm in {k} of {len(want)} conditions"
    assert line in capsys.readouterr().out and any(line in x for x in rep.headline_lines)
