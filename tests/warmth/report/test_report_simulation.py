"""Must hold: a planted fine-tuning effect is recovered; its 95% AME interval covers the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit

from warmth.report.stats.ame import average_marginal_effect
from warmth.report.stats.regression import fit
from warmth.report.stats.specs import SPECS

MODEL1 = SPECS[0]
BETA = 0.45  # planted log-odds effect of fine-tuning on being wrong


def simulate(seed: int, n_items: int = 120) -> tuple[pd.DataFrame, float]:
    rng = np.random.default_rng(seed)
    datasets = np.array(["disinfo", "trivia", "medqa"])
    models = np.array(["m1", "m2"])
    d_eff = {"disinfo": -1.5, "trivia": -0.5, "medqa": 0.3}
    m_eff = {"m1": 0.0, "m2": 0.4}
    ds = np.repeat(datasets, n_items * 2 * 2)
    md = np.tile(np.repeat(models, n_items * 2), 3)
    ft = np.tile(np.array([0, 1]), 3 * 2 * n_items)
    item = np.repeat(np.arange(3 * 2 * n_items), 2)
    eta0 = np.vectorize(d_eff.get)(ds) + np.vectorize(m_eff.get)(md)
    y = (rng.random(len(ds)) < expit(eta0 + BETA * ft)).astype(int)
    df = pd.DataFrame({"is_incorrect": y, "is_finetuned": ft, "dataset": ds, "model": md,
                       "item_id": item.astype(str), "context": "unmodified", "prompt_group": "original",
                       "length": 0.0})
    truth = float(np.mean(expit(eta0 + BETA) - expit(eta0)))  # AME over the same rows
    return df, truth


def test_ame_interval_covers_planted_effect():
    covered = 0
    for seed in range(100):
        df, truth = simulate(seed)
        f = fit(MODEL1, df, mixed=False)
        assert f.skipped is None
        a = average_marginal_effect(f.glm, f.data)
        covered += a.lower <= truth <= a.upper
    assert covered >= 90, covered
