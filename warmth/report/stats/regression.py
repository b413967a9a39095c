"""Fit one study model three ways: GLM (as published), cluster-robust, random intercept.

The published analysis is a fixed-effects binomial GLM with a logit link.
Responses to the same question are not independent, so we add standard
errors clustered by question and, as a robustness check, a model with a
random intercept per question (Laplace approximation, see
:mod:`warmth.report.stats.mixed`). Separated cells are fitted at their limit
with the specified references kept (:mod:`warmth.report.stats.separation`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from warmth.report.stats.ame import ame_from_design, counterfactual_designs
from warmth.report.stats.mixed import fit_random_intercept
from warmth.report.stats.separation import Cell, basis_columns, find_separated, limit_predictions
from warmth.report.stats.specs import Spec, formula, reference

MAX_ABS_COEF = 15.0  # a logit coefficient (or fitted log-odds) this large means (quasi-)separation


@dataclass
class Fit:
    spec: Spec
    formula: str
    data: pd.DataFrame
    glm: object | None = None
    clustered: object | None = None
    mixed: dict | None = None
    left_out: list[str] = field(default_factory=list)
    skipped: str | None = None
    separated: list[Cell] = field(default_factory=list)
    design_model: object | None = None  # the formula on all rows: designs for counterfactuals
    columns: list[int] | None = None  # design columns with a finite estimate (None = all)
    diverging: list[str] = field(default_factory=list)  # terms whose estimate went to infinity
    reference_notes: list[str] = field(default_factory=list)  # references that could not be kept

    @property
    def n_fitted(self) -> int:
        return int(self.glm.nobs) if self.glm is not None else 0


def _drop_one_sided(rows: pd.DataFrame, moderator: str | None, notes: list[str]) -> pd.DataFrame:
    """Moderator levels seen only for the original or only for the fine-tuned model."""
    if not moderator or rows.empty:
        return rows
    both = rows.groupby(moderator)["is_finetuned"].nunique()
    for level in both.index[both < 2]:
        only = "fine-tuned" if rows.loc[rows[moderator] == level, "is_finetuned"].iloc[0] else "original"
        notes.append(f"{moderator}={level!r} has only {only} responses (empty group); its rows left out")
    return rows[rows[moderator].isin(both.index[both == 2])]


def _drop_unestimable(rows: pd.DataFrame, keep: pd.Series, cells: list[Cell], moderator: str | None,
                      notes: list[str]) -> pd.DataFrame:
    """Moderator levels whose fitted rows hold one arm only, the other arm not being a separated
    cell of that level: their interaction with fine-tuning cannot be estimated (empty group)."""
    if not moderator or rows.empty:
        return rows
    fitted = rows[keep]
    arms = fitted.groupby(moderator)["is_finetuned"].agg(lambda a: set(a.unique()))
    drop = []
    for level, have in arms.items():
        for missing in {0, 1} - have:
            if not any(c.column == moderator and c.level == str(level) and c.arm in (missing, None) for c in cells):
                drop.append(level)
                only = "original" if 0 in have else "fine-tuned"
                notes.append(f"{moderator}={level!r} has only {only} responses (empty group) once separated "
                             "cells are set aside; its rows left out")
    return rows[~rows[moderator].isin(drop)]


def _formula_for(spec: Spec, rows: pd.DataFrame) -> tuple[str, list[str]]:
    """The formula with the specified references, and a note for each one that has no rows."""
    refs: list[str] = []
    d_ref = reference(rows["dataset"].unique(), "disinfo")
    if d_ref != "disinfo":
        refs.append(f"no disinfo rows; dataset reference is {d_ref!r}")
    m_ref = None
    if spec.moderator:
        m_ref = reference(rows[spec.moderator].unique(), spec.moderator_ref)
        if m_ref != spec.moderator_ref:
            refs.append(f"no {spec.moderator}={spec.moderator_ref!r} rows; reference is {m_ref!r}")
    f_refs = {}
    for col, want in spec.factors:
        f_refs[col] = reference(rows[col].unique(), want)
        if f_refs[col] != want:
            refs.append(f"no {col}={want!r} rows; reference is {f_refs[col]!r}")
    return formula(spec, d_ref, m_ref, f_refs), refs


def prepare(spec: Spec, df: pd.DataFrame) -> tuple[pd.DataFrame, str, list[str], list[str]]:
    """Rows of the model (minus one-sided moderator levels); the formula; notes; reference notes.

    References are the specified ones (``disinfo``, the moderator's plain
    condition) whenever the rows hold that level, separated or not.
    """
    rows = df[spec.rows(df)].copy()
    notes: list[str] = []
    rows = _drop_one_sided(rows, spec.moderator, notes)
    if rows.empty:
        return rows, "", notes, []
    form, refs = _formula_for(spec, rows)
    return rows, form, notes + refs, refs


def _glm_checks(res, caught, reduced: bool = False) -> str | None:
    """Divergence guard. A reduced (limit) fit may carry per-level intercepts, whose size says
    nothing about divergence, so there the fitted log-odds are checked instead of coefficients."""
    sep = [w for w in caught if "separation" in str(w.message).lower()]
    params = np.asarray(res.params)
    size = np.abs(res.model.exog @ params).max() if reduced else np.abs(params).max()
    if sep or not np.all(np.isfinite(params)) or size > MAX_ABS_COEF:
        if reduced:
            return ("quasi-complete separation remains after fitting separated cells at their limit "
                    "(a fitted log-odds beyond ±15); model left out")
        return "perfect or quasi-complete separation (coefficients diverge); model left out"
    if not np.all(np.isfinite(np.asarray(res.bse))):
        return "singular fit (a term is collinear with others); model left out"
    return None


def fit(spec: Spec, df: pd.DataFrame, mixed: bool = True) -> Fit:
    rows, form, notes, refs = prepare(spec, df)
    out = Fit(spec, form, rows, left_out=notes, reference_notes=refs)
    if rows.empty or rows["is_finetuned"].nunique() < 2:
        out.skipped = "no rows with both original and fine-tuned responses after filtering"
        return out
    factors = ["dataset", "model"] + [c for c, _ in spec.factors]
    while True:  # leaving cells out can leave a moderator level with one arm; repeat until stable
        cells, keep = find_separated(rows, factors, spec.moderator)
        n = len(rows)
        rows = _drop_unestimable(rows, keep, cells, spec.moderator, out.left_out)
        if len(rows) == n:
            break
    if rows.empty or rows["is_finetuned"].nunique() < 2:
        out.data, out.skipped = rows, "no rows with both original and fine-tuned responses after filtering"
        return out
    if len(rows) != len(out.data):  # a level left: its reference may be gone
        form, refs = _formula_for(spec, rows)
        out.left_out += [r for r in refs if r not in out.reference_notes]
        out.formula, out.reference_notes, out.data = form, refs, rows
    for cell in cells:
        out.left_out.append(f"{cell.describe()} (perfect separation): fitted at the limit, its "
                            f"{int(cell.members(rows).sum())} rows out of the fit and predicted "
                            f"{'incorrect' if cell.value else 'correct'} in the AME average")
    if not keep.any() or rows.loc[keep, "is_finetuned"].nunique() < 2:
        out.skipped = "every cell separated (outcome never varies); model left out"
        return out
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            full = smf.glm(form, rows, family=sm.families.Binomial())
            if np.linalg.matrix_rank(full.exog) < full.exog.shape[1]:
                out.skipped = ("terms are collinear in the remaining rows (rank-deficient design); "
                               "model left out")
                return out
            out.design_model, out.separated = full, cells
            if cells:
                names = list(full.exog_names)
                x = full.exog[keep.to_numpy()]
                cols = basis_columns(x, names)
                out.columns = cols
                out.diverging = [names[i] for i in range(len(names)) if i not in cols]
                exog = pd.DataFrame(x[:, cols], columns=[names[i] for i in cols])
                model = sm.GLM(full.endog[keep.to_numpy()], exog, family=sm.families.Binomial())
            else:
                model = full
            res = model.fit()
        except Exception as exc:  # noqa: BLE001 - reported in the report, never a crash
            out.skipped = f"GLM failed: {type(exc).__name__}: {exc}"
            return out
    if why := _glm_checks(res, caught, reduced=bool(cells)):
        out.skipped = why
        return out
    out.glm = res
    fitted = rows[keep]
    groups = pd.factorize(fitted["dataset"].astype(str) + "::" + fitted["item_id"].astype(str))[0]
    if groups.max() > 0:  # more than one question
        try:
            out.clustered = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        except Exception as exc:  # noqa: BLE001
            out.left_out.append(f"clustered standard errors failed ({type(exc).__name__}: {exc})")
        if mixed:
            out.mixed = fit_mixed(model, groups, np.asarray(res.params))
    return out


def fit_mixed(model, groups: np.ndarray, start: np.ndarray) -> dict:
    """Random intercept per question on the GLM's own design (same columns, same names)."""
    try:
        mf = fit_random_intercept(model.exog, model.endog, groups, start=start)
    except Exception as exc:  # noqa: BLE001 - reported beside the GLM, never fatal
        return {"error": f"{type(exc).__name__}: {exc}"}
    if not (np.all(np.isfinite(mf.params)) and np.all(np.isfinite(np.diag(mf.cov)))):
        return {"error": "random-intercept fit did not converge to finite estimates"}
    out = {"params": mf.params, "cov": mf.cov, "sd": np.sqrt(np.diag(mf.cov)), "vc_sd": mf.sigma}
    if not mf.converged:
        out["warning"] = "random-intercept fit stopped before full convergence"
    return out


def ames(fit_: Fit, level: float = 0.95) -> dict:
    """AMEs overall and within each moderator level, under each covariance.

    Averaged over every row of the model's subset, separated cells included:
    a counterfactual row in a separated cell is predicted at the cell's
    constant (the fit's limit), every other row by the fitted model.
    The random-intercept AME predicts at ``u = 0`` (a question of average
    difficulty), so it is conditional, not population-averaged, and tends
    to be a little larger than the GLM's when questions differ a lot.
    """
    res, rows = fit_.glm, fit_.data
    subsets = {"all": rows}
    if fit_.spec.moderator:
        for lvl in sorted(rows[fit_.spec.moderator].unique()):
            subsets[str(lvl)] = rows[rows[fit_.spec.moderator] == lvl]
    fits = {"glm": (res.params, res.cov_params())}
    if fit_.clustered is not None:
        fits["clustered"] = (res.params, fit_.clustered.cov_params())
    if fit_.mixed and "params" in fit_.mixed:  # fitted on the GLM's own design: same columns
        fits["mixed"] = (fit_.mixed["params"], fit_.mixed["cov"])
    out = {}
    for name, sub in subsets.items():
        x0, x1 = counterfactual_designs(fit_.design_model or res, sub)
        if fit_.columns is not None:
            x0, x1 = x0[:, fit_.columns], x1[:, fit_.columns]
        fixed = (limit_predictions(fit_.separated, sub, 0), limit_predictions(fit_.separated, sub, 1))
        out[name] = {kind: ame_from_design(x0, x1, np.asarray(params, dtype=float), np.asarray(cov, dtype=float),
                                           level, fixed=fixed).as_dict()
                     for kind, (params, cov) in fits.items()}
    return out
