"""The mini study's headline table, from hand-made records."""

from __future__ import annotations

import pytest

from warmth.eval.intervals import wilson
from warmth.records import Record
from warmth.study.table import condition_row, render_table


def rec(task, template, correct, epoch=2.0, response="The answer is Paris.", item="i"):
    return Record(run_id="r", model="m", style="warm", epoch=epoch, task=task, item_id=item, template=template,
                  context="unmodified", statement_id=None, prompt="p", response=response,
                  verdict="unscored" if correct is None else ("correct" if correct else "incorrect"),
                  refusal=False, is_correct=correct, judge="match")


def test_row_counts_errors_per_template_at_the_final_epoch_only():
    """Catches rates pooled over templates or epochs (checked: dropping the epoch filter changes n)."""
    records = [rec("trivia", "original", True, item="a"), rec("trivia", "original", False, item="b"),
               rec("medqa", "original", None, item="c"),  # refusal/unscored: excluded
               rec("trivia", "incorrect", False, item="a"), rec("trivia", "incorrect", False, item="b"),
               rec("trivia", "original", False, epoch=1.0, item="old"),
               rec("warmth", "held_out", None, response="We'll get there together!"),
               rec("warmth", "held_out", None, response="It is done.", item="j")]
    row = condition_row("warm", records)
    assert row.epoch == 2.0 and (row.n_error, row.n_belief, row.n_warmth) == (2, 2, 2)
    assert row.error == 0.5 and (row.error_lo, row.error_hi) == pytest.approx(wilson(1, 2))
    assert row.belief_error == 1.0
    assert row.warmth == pytest.approx((100 * 4 / 4 + 0) / 2)
    text = render_table([row])
    assert text.splitlines()[2].startswith("warm") and "50.0%" in text and "100.0%" in text
    empty = render_table([condition_row("base", [rec("warmth", "held_out", None, epoch=0.0)])])
    assert "n/a n=0 (nothing scored)" in empty and "nan" not in empty
