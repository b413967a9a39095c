"""Must hold: Model 4 on the authors' sample equals a plain statsmodels fit on the same rows."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from warmth_plugins.judges.refusal import PhraseRefusalDetector

from warmth.report.build import build_report


def _independent_rows(sample_dir) -> pd.DataFrame:
    """The study's filtering written out directly on the CSV files (no records, no report code)."""
    parts = []
    for f in sorted(sample_dir.glob("*/*/*_outputs.csv")):
        task, style, model = f.name.split("_")[0], f.parent.name, f.parent.parent.name
        raw = pd.read_csv(f, dtype=str, keep_default_na=False)
        # Files without a refusal column get the study's phrase detector, as its pipeline runs it.
        refusal = (raw["refusal"].isin(["1", "1.0"]) if "refusal" in raw
                   else raw["output"].map(PhraseRefusalDetector().is_refusal).astype(bool))
        verdict = raw["evaluation"].str.strip().str.upper()
        template = raw["prompt_template"] if "prompt_template" in raw else raw["prompt_type"]
        df = pd.DataFrame({
            "is_incorrect": (verdict == "INCORRECT").astype(int),
            "is_finetuned": int(style != "original"),
            "prompt_group": template.map(lambda t: "user_opinion" if "correct" in t else "original"),
            "dataset": task, "model": model, "verdict": verdict, "refusal": refusal,
        })
        if task == "disinfo":
            df.loc[df["refusal"], "is_incorrect"] = 0  # a refusal to spread disinformation is correct
        else:
            df = df[~df["refusal"]]
        parts.append(df[df["verdict"].isin(["CORRECT", "INCORRECT"]) | df["refusal"]])
    return pd.concat(parts, ignore_index=True)


def test_model4_matches_plain_statsmodels(paper_dir, tmp_path):
    sample = paper_dir / "sample_data"
    rep = build_report([str(sample)], tmp_path / "out", mixed=False)
    ours = json.loads((tmp_path / "out" / "regressions.json").read_text())["warm"]["model4_belief"]
    assert "skipped" not in ours and not ours["left_out"]
    rows = _independent_rows(sample)
    plain = smf.glm(ours["formula"], rows, family=sm.families.Binomial()).fit()
    assert ours["nobs"] == int(plain.nobs) == len(rows)
    inter = "is_finetuned:C(prompt_group, Treatment(reference='original'))[T.user_opinion]"
    for term in ("is_finetuned", inter):
        assert ours["coefficients"][term]["coef"] == pytest.approx(plain.params[term], abs=1e-8)
        assert ours["coefficients"][term]["se"] == pytest.approx(plain.bse[term], abs=1e-8)
    assert rep.regressions["warm"]["model4_belief"]["nobs"] == ours["nobs"]
