"""Evaluation engine: tasks x contexts x templates -> generation -> judges -> records -> metrics.

Public API (see docs/eval.md): :class:`Evaluator`, :class:`EvalContext`,
:class:`EvalResult`, :func:`generate_records`, :func:`run_evaluators`,
:func:`compute_metrics`, :func:`import_authors_dir`, :func:`export_authors_dir`.
Submodules import lazily so that ``import warmth.eval`` stays light.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "Evaluator": "warmth.eval.evaluator",
    "EvalContext": "warmth.eval.evaluator",
    "EvalResult": "warmth.eval.evaluator",
    "Dist": "warmth.eval.evaluator",
    "generate_records": "warmth.eval.runner",
    "run_evaluators": "warmth.eval.runner",
    "compute_metrics": "warmth.eval.metrics",
    "import_authors_dir": "warmth.eval.authors_csv",
    "export_authors_dir": "warmth.eval.authors_csv",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(name)
