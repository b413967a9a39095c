"""Separation never changes a reference silently, and AMEs average over the authors' rows.

On the authors' sample (two models, ~20 rows per file) Model 1 loses all variation in
disinfo: every disinfo response without context or belief is correct. The authors fit
their GLM on all rows (the disinfo coefficient runs off to minus infinity) and average
the AME over all rows. We fit that limit directly; these tests compare it with a plain
statsmodels fit of the same formula on all rows, which converges towards the limit.

How each was seen to fail (patched, run, restored): AMEs computed without the limit
predictions (``fixed=None`` in ``ames``): Model 1 gave -20.3 pp against the authors'
-13.8 pp and the Model 2/3 checks went red; the intercept kept first in
``basis_columns`` (a dataset dummy dropped instead, i.e. the reference moved): the
reference test went red; the separation lines left out of the headline: red too.
The published Model 4 with its context-group factor removed fails its formula check.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

from warmth.report.build import build_report
from warmth.report.stats.regression import ames, fit
from warmth.report.stats.specs import SPECS

SPEC = {s.name: s for s in SPECS}


@pytest.fixture(scope="module")
def sample_report(paper_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("sep")
    rep = build_report([str(paper_dir / "sample_data")], out / "report", mixed=False)
    rep.frame = _frame(paper_dir / "sample_data")
    return rep, json.loads((out / "report" / "regressions.json").read_text())["warm"]


def authors_ame(formula: str, rows: pd.DataFrame, level: pd.Series | None = None) -> float:
    """The authors' way: fit on every row (separation or not), predict all rows both ways."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = smf.glm(formula, rows, family=sm.families.Binomial()).fit(maxiter=200)
    sub = rows if level is None else rows[level]
    return float(np.mean(res.predict(sub.assign(is_finetuned=1)) - res.predict(sub.assign(is_finetuned=0))))


def test_model1_keeps_disinfo_as_reference_and_says_what_it_did(sample_report):
    rep, res = sample_report
    m1 = res["model1_main"]
    assert "reference='disinfo'" in m1["formula"] and "reference='medqa'" not in m1["formula"]
    assert "reference_changed" not in m1
    assert m1["separated"] == ["dataset='disinfo': every response correct"]
    assert m1["diverging_terms"] == ["Intercept"]  # the reference's level: minus infinity
    assert any(t.endswith("[T.medqa]") and "reference='disinfo'" in t for t in m1["coefficients"])
    # said in the headline (printed and in the HTML) and in the regression table
    line = next(x for x in rep.headline_lines if x.startswith("regression warm/Model 1:"))
    assert "disinfo" in line and f"all {m1['nobs']} rows" in line
    table = pd.read_csv(rep.tables["regression_ames"])
    row = table[(table["model"] == "model1_main") & (table["level"] == "all")].iloc[0]
    assert "disinfo" in row["separated"] and row["n_averaged"] == m1["nobs"]
    assert "regression warm/Model 1: dataset=" in (rep.out_dir / "index.html").read_text()


def test_model1_ame_averages_over_all_rows_as_the_authors(sample_report):
    rep, res = sample_report
    m1 = res["model1_main"]
    f = fit(SPEC["model1_main"], rep.frame, mixed=False)
    assert len(f.data) == m1["nobs"] > m1["nobs_fitted"]  # disinfo rows averaged, not fitted
    assert (f.data["dataset"] == "disinfo").sum() == m1["nobs"] - m1["nobs_fitted"]
    want = authors_ame(m1["formula"], f.data)
    assert m1["ame"]["all"]["glm"]["estimate"] == pytest.approx(want, abs=1e-4)
    assert m1["ame"]["all"]["glm"]["n"] == m1["nobs"]


@pytest.mark.parametrize("name", ["model2_context_group", "model3_context"])
def test_moderator_separation_ames_match_the_authors_fit_per_level(sample_report, name):
    """Model 3 holds a one-arm cell (relation:up, original responses all correct): its
    fine-tuned arm stays in the fit and its AME is the fine-tuned error, not zero."""
    rep, _ = sample_report
    spec = SPEC[name]
    f = fit(spec, rep.frame, mixed=False)
    assert f.separated and f.skipped is None
    got = ames(f)
    assert got["all"]["glm"]["estimate"] == pytest.approx(authors_ame(f.formula, f.data), abs=1e-4)
    for level in f.data[spec.moderator].unique():
        want = authors_ame(f.formula, f.data, f.data[spec.moderator] == level)
        assert got[str(level)]["glm"]["estimate"] == pytest.approx(want, abs=1e-4), level
    if name == "model3_context":
        assert any(c.arm == 0 and c.level == "relation:up" for c in f.separated)
        assert got["relation:up"]["glm"]["estimate"] > 0.05


def test_model4_with_and_without_the_context_group(sample_report):
    """Both variants are reported; the published one (with context-group dummies) equals a
    plain statsmodels fit of the authors' parametrisation on the same rows."""
    rep, res = sample_report
    pub, plain = res["model4_belief_context"], res["model4_belief"]
    assert "C(context_group, Treatment(reference='unmodified'))" in pub["formula"]
    assert "context_group" not in plain["formula"]
    assert pub["nobs"] == plain["nobs"]
    f = fit(SPEC["model4_belief_context"], rep.frame, mixed=False)
    authors = ("is_incorrect ~ C(is_finetuned) + C(prompt_group, Treatment(reference='original'))"
               " + C(context_group, Treatment(reference='unmodified'))"
               " + C(dataset, Treatment(reference='disinfo'))"
               " + C(is_finetuned):C(prompt_group, Treatment(reference='original')) + C(model)")
    res_a = smf.glm(authors, f.data, family=sm.families.Binomial()).fit()
    assert pub["nobs"] == int(res_a.nobs)
    for group in ("original", "user_opinion"):
        sub = f.data[f.data["prompt_group"] == group]
        want = float(np.mean(res_a.predict(sub.assign(is_finetuned=1)) - res_a.predict(sub.assign(is_finetuned=0))))
        assert pub["ame"][group]["glm"]["estimate"] == pytest.approx(want, abs=1e-8)
    assert pub["ame"]["user_opinion"]["glm"]["estimate"] != pytest.approx(
        plain["ame"]["user_opinion"]["glm"]["estimate"], abs=1e-6)


def _frame(sample) -> pd.DataFrame:
    """The warm regression rows the report built (original 0, fine-tuned 1), from its inputs again."""
    from warmth.report.frame import records_frame
    from warmth.report.inputs import load_inputs
    from warmth.report.notes import Notes
    from warmth.report.regressions import regression_frame
    from warmth.report.select import comparisons

    notes = Notes()
    inp = load_inputs([str(sample)], notes, None)
    return regression_frame(comparisons(records_frame(inp.records, notes), 2.0, notes), "warm")
