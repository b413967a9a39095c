"""Run the study's regression models per fine-tuning style and serialise them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from warmth.report.frame import scored
from warmth.report.notes import Notes
from warmth.report.select import Comparison
from warmth.report.stats.regression import Fit, ames, fit
from warmth.report.stats.specs import SPECS


def regression_frame(comps: list[Comparison], style: str) -> pd.DataFrame:
    """Original (0) and fine-tuned (1) scored rows of every model for one style."""
    parts = []
    for c in comps:
        if c.style != style:
            continue
        parts.append(scored(c.baseline).assign(is_finetuned=0))
        parts.append(scored(c.tuned).assign(is_finetuned=1))
    if not parts:
        return pd.DataFrame()
    df = pd.concat(parts, ignore_index=True)
    df["length"] = df["length"].astype(float)
    return df


def _coef_table(f: Fit) -> dict:
    res, cl = f.glm, f.clustered
    out = {}
    for i, name in enumerate(res.model.exog_names):
        row = {"coef": float(res.params.iloc[i]), "se": float(res.bse.iloc[i]),
               "p": float(res.pvalues.iloc[i])}
        if cl is not None:
            row["se_clustered"] = float(cl.bse.iloc[i])
            row["p_clustered"] = float(cl.pvalues.iloc[i])
        mx = f.mixed
        if mx and "params" in mx:
            row["coef_mixed"] = float(mx["params"][i])
            row["se_mixed"] = float(mx["sd"][i])
        out[name] = row
    return out


def summarise(f: Fit) -> dict:
    d = {"name": f.spec.name, "title": f.spec.title, "formula": f.formula, "rows": f.spec.rows_text,
         "left_out": f.left_out}
    if f.skipped:
        d["skipped"] = f.skipped
        return d
    if f.separated:
        d["separated"] = [c.describe() for c in f.separated]
        d["diverging_terms"] = f.diverging
    if f.reference_notes:
        d["reference_changed"] = f.reference_notes
    d.update({
        "nobs": len(f.data), "nobs_fitted": f.n_fitted,
        "n_questions": int((f.data["dataset"] + "::" + f.data["item_id"]).nunique()),
        "models": sorted(f.data["model"].unique()), "datasets": sorted(f.data["dataset"].unique()),
        "coefficients": _coef_table(f), "ame": ames(f),
    })
    if f.mixed and "error" in f.mixed:
        d["mixed_error"] = f.mixed["error"]
    elif f.mixed:
        d["question_sd"] = f.mixed["vc_sd"]  # SD of the question intercepts, logit scale
        if "warning" in f.mixed:
            d["mixed_warning"] = f.mixed["warning"]
    return d


def run_regressions(comps: list[Comparison], notes: Notes, mixed: bool = True) -> dict:
    """``{style: {model_name: summary}}`` for every fine-tuning style present."""
    out: dict = {}
    for style in sorted({c.style for c in comps}):
        df = regression_frame(comps, style)
        out[style] = {}
        for spec in SPECS:
            if df.empty:
                break
            f = fit(spec, df, mixed=mixed)
            for why in f.left_out:
                notes.warn("regressions", f"{style}/{spec.name}: {why}")
            if f.skipped:
                notes.warn("regressions", f"{style}/{spec.name}: {f.skipped}")
            out[style][spec.name] = summarise(f)
    return out


def separation_lines(results: dict) -> list[str]:
    """One line per regression whose rows held a separated level or lost a reference, for the headline."""
    lines = []
    for style, models in results.items():
        for d in models.values():
            what = list(d.get("reference_changed", [])) + list(d.get("separated", []))
            if what:
                n = d.get("nobs")
                tail = (f"; AMEs averaged over all {n} rows, separated cells predicted at their limit"
                        if d.get("separated") and n is not None else "")
                lines.append(f"{style}/{d['title'].split(':')[0]}: " + "; ".join(what) + tail)
    return lines


def _jsonable(o):
    if isinstance(o, (np.floating, float)):
        return None if not np.isfinite(o) else float(o)
    if isinstance(o, np.integer):
        return int(o)
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_jsonable(v) for v in o]
    return o


def write_regressions(results: dict, out_dir: Path) -> None:
    (out_dir / "regressions.json").write_text(json.dumps(_jsonable(results), indent=2))
    (out_dir / "regressions.txt").write_text(render_text(results))


def _num(x: float | None, width: int) -> str:
    return f"{x:{width}.4f}" if x is not None else f"{'n/a':>{width}}"


def _pp(a: dict | None) -> str:
    if not a:
        return "n/a"
    return f"{100 * a['estimate']:+.2f} pp [{100 * a['lower']:+.2f}, {100 * a['upper']:+.2f}]"


_TERM = re.compile(r"C\((\w+), Treatment\(reference='[^']*'\)\)\[T\.([^\]]+)\]")


def short_term(term: str) -> str:
    """``C(dataset, Treatment(reference='disinfo'))[T.trivia]`` -> ``dataset[trivia]``."""
    return _TERM.sub(r"\1[\2]", re.sub(r"C\((\w+)\)\[T\.([^\]]+)\]", r"\1[\2]", term))


def render_text(results: dict) -> str:
    lines = ["Regressions: binomial GLM, logit link; outcome is_incorrect.",
             "AME = average marginal effect of fine-tuning on P(incorrect), 95% CI;",
             "columns: model-based SE | SE clustered by question | random intercept per question.", ""]
    for style, models in results.items():
        lines.append(f"=== fine-tuning style: {style} ===")
        for d in models.values():
            lines += ["", f"{d['title']}", f"  formula: {d['formula']}", f"  rows: {d['rows']}"]
            for why in d.get("left_out", []):
                lines.append(f"  left out: {why}")
            if "skipped" in d:
                lines.append(f"  SKIPPED: {d['skipped']}")
                continue
            fitted = d.get("nobs_fitted", d["nobs"])
            lines.append(f"  n = {d['nobs']} responses, {d['n_questions']} questions"
                         + (f" ({fitted} in the fit; separated cells at their limit)" if fitted != d["nobs"] else "")
                         + (f"; question intercept SD {d['question_sd']:.3f}" if "question_sd" in d else ""))
            for why in d.get("reference_changed", []):
                lines.append(f"  REFERENCE CHANGED: {why}")
            if d.get("diverging_terms"):
                lines.append("  no finite estimate (separation; references kept): "
                             + ", ".join(short_term(t) for t in d["diverging_terms"]))
            if "mixed_error" in d:
                lines.append(f"  random-intercept model failed: {d['mixed_error']}")
            lines.append(f"  {'term':<48} {'coef':>8} {'se':>7} {'se_cl':>7} {'p':>7} {'coef_re':>8} {'se_re':>7}")
            for term, c in d["coefficients"].items():
                lines.append(f"  {short_term(term)[:48]:<48} {c['coef']:8.4f} {c['se']:7.4f} "
                             f"{_num(c.get('se_clustered'), 7)} {c['p']:7.4f} "
                             f"{_num(c.get('coef_mixed'), 8)} {_num(c.get('se_mixed'), 7)}")
            lines.append("  AME of fine-tuning:")
            for lvl, a in d["ame"].items():
                lines.append(f"    {lvl:<28} {_pp(a.get('glm'))} | {_pp(a.get('clustered'))} | "
                             f"{_pp(a.get('mixed'))}")
        lines.append("")
    return "\n".join(lines)
