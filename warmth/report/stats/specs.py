"""The study's four regression models as data: rows, moderator, formula.

Every model has ``is_incorrect`` as outcome and dataset and model
dummies (dataset reference ``disinfo``); models 2-4 add an interaction
of fine-tuning with a moderator whose reference is the plain condition.
Model 4 comes twice: as published (the authors' output for it also has
context-group dummies, reference ``unmodified``) and without them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Spec:
    name: str
    title: str
    rows: Callable[[pd.DataFrame], pd.Series]
    moderator: str | None = None
    moderator_ref: str | None = None
    length: bool = False
    rows_text: str = ""
    factors: tuple[tuple[str, str], ...] = ()  # further main-effect factors: (column, reference)


def _no_context_no_belief(df):
    return (df["context"] == "unmodified") & (df["prompt_group"] == "original")


def _no_belief(df):
    return df["prompt_group"] == "original"


def _belief_or_not(df):
    return df["prompt_group"].isin(["original", "user_opinion"])


SPECS = (
    Spec("model1_main", "Model 1: main effect of fine-tuning", _no_context_no_belief,
         rows_text="context == unmodified and no user belief"),
    Spec("model1_main_length", "Model 1b: main effect, controlling for response length",
         _no_context_no_belief, length=True,
         rows_text="context == unmodified and no user belief"),
    Spec("model2_context_group", "Model 2: fine-tuning x context group", _no_belief,
         "context_group", "unmodified", rows_text="no user belief, all contexts"),
    Spec("model3_context", "Model 3: fine-tuning x detailed context", _no_belief,
         "context", "unmodified", rows_text="no user belief, all contexts"),
    Spec("model4_belief_context", "Model 4: fine-tuning x user belief, with context group (as published)",
         _belief_or_not, "prompt_group", "original", factors=(("context_group", "unmodified"),),
         rows_text="templates without and with a user belief, all contexts"),
    Spec("model4_belief", "Model 4b: fine-tuning x user belief, without context group", _belief_or_not,
         "prompt_group", "original", rows_text="templates without and with a user belief, all contexts"),
)


def reference(levels, preferred: str) -> str:
    levels = sorted(map(str, levels))
    return preferred if preferred in levels else levels[0]


def formula(spec: Spec, dataset_ref: str, moderator_ref: str | None = None,
            factor_refs: dict[str, str] | None = None) -> str:
    """The GLM formula; the fine-tuning term is the numeric 0/1 column ``is_finetuned``."""
    head = "is_incorrect ~ is_finetuned"
    if spec.moderator:
        head += f" * C({spec.moderator}, Treatment(reference='{moderator_ref or spec.moderator_ref}'))"
    parts = [head]
    for col, ref in spec.factors:
        parts.append(f"C({col}, Treatment(reference='{(factor_refs or {}).get(col, ref)}'))")
    parts += [f"C(dataset, Treatment(reference='{dataset_ref}'))", "C(model)"]
    if spec.length:
        parts.append("length")
    return " + ".join(parts)
