"""The whole loop in miniature: ``python -m warmth.study`` (``make study``).

``steps``: the commands (train each style, evaluate the base model) and the
report; ``table``: the headline table from the three runs' records.
"""

from warmth.study.table import Row, headline_rows, render_table

__all__ = ["Row", "headline_rows", "render_table"]
