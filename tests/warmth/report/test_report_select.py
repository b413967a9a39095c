"""Which records are "original" and which "fine-tuned"."""

from __future__ import annotations

from warmth.report.frame import records_frame
from warmth.report.notes import Notes
from warmth.report.select import comparisons

from .conftest import make_records


def _compare(recs, epoch=2.0):
    notes = Notes()
    return comparisons(records_frame(recs, notes), epoch, notes), notes


def test_original_run_preferred_and_epoch0_fills_the_rest():
    recs = (make_records("m", "original", 0.0, n_items=3)
            + make_records("m", "warm", 0.0, n_items=3, tasks=["disinfo", "medqa"])
            + make_records("m", "warm", 2.0, n_items=3, tasks=["disinfo", "medqa"]))
    (c,), notes = _compare(recs)
    by = c.baseline.groupby(["dataset", "style"]).size().to_dict()
    assert by == {("disinfo", "original"): 18, ("medqa", "warm"): 18, ("trivia", "original"): 18}
    assert (c.tuned["epoch"] == 2.0).all() and len(notes) == 0


def test_nearest_epoch_sysprompt_and_repeats_are_reported():
    recs = (make_records("m", "original", 0.0, n_items=2) + make_records("m", "original", 0.0, n_items=2)
            + make_records("m", "warm", 1.5, n_items=2) + make_records("m", "warm", 4.0, n_items=2)
            + make_records("m", "warm_sysprompt", 0.0, n_items=2))
    comps, notes = _compare(recs)
    got = {c.style: c.epoch for c in comps}
    assert got == {"warm": 1.5, "warm_sysprompt": 0.0}  # untrained condition compared at epoch 0
    text = " | ".join(m for _, m in notes)
    assert "m/warm: no checkpoint at epoch 2; compared epoch 1.5" in text
    assert "m/original: 24 responses repeat a prompt" in text
