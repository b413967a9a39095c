"""Turn records of many runs (or the authors' files) into the study's statistics and figures.

``python -m warmth.report inputs=[...] out=DIR`` writes ``DIR/index.html``,
``DIR/tables/*.csv``, ``DIR/regressions.json`` / ``.txt`` and figures, and
logs them to W&B. Programmatic use: :func:`build_report`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = ["Report", "build_report"]

if TYPE_CHECKING:
    from warmth.report.build import Report, build_report


def __getattr__(name: str):
    # Lazy: `python -m warmth.report` must not pay for pandas/statsmodels/matplotlib
    # before it has checked its config.
    if name in __all__:
        from warmth.report import build

        return getattr(build, name)
    raise AttributeError(name)
