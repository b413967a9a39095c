"""Accumulation windows: every micro-batch carries its window's trained tokens, cut where Lightning cuts.

Checked to fail: with windows counted from the iteration's first batch
instead of the epoch's (``start`` ignored), the resumed case gets windows of
batches [5, 6, 7], [8] instead of [5], [6, 7, 8]; with the count unshifted
(``labels != -100`` over the whole row) the last test counts 3, not 2.
"""

from __future__ import annotations

import torch

from warmth.data.masking import IGNORE_INDEX
from warmth.data.windows import WINDOW_LEN, WINDOW_POS, WINDOW_TOKENS, stamp_windows, trained_tokens


def batch(n_trained: int, width: int = 12) -> dict[str, torch.Tensor]:
    labels = torch.full((1, width), IGNORE_INDEX)
    labels[0, 1:1 + n_trained] = 7
    return {"input_ids": torch.zeros(1, width, dtype=torch.long), "labels": labels}


def windows(counts: list[int], accumulation: int, start: int = 0) -> list[list[tuple[int, int, int]]]:
    """(tokens stamped, pos, len) per micro-batch, grouped by window."""
    out: list[list[tuple[int, int, int]]] = []
    for b in stamp_windows(iter([batch(c) for c in counts]), accumulation, start):
        if b[WINDOW_POS] == 0:
            out.append([])
        out[-1].append((int(b[WINDOW_TOKENS]), b[WINDOW_POS], b[WINDOW_LEN]))
    return out


def test_windows_of_an_epoch_and_its_shorter_last_window() -> None:
    got = windows([3, 5, 1, 2, 4, 6, 1], accumulation=3)
    assert got == [[(9, 0, 3), (9, 1, 3), (9, 2, 3)], [(12, 0, 3), (12, 1, 3), (12, 2, 3)], [(1, 0, 1)]]


def test_resumed_epoch_first_finishes_the_interrupted_window() -> None:
    # 5 batches done, accumulation 3: batch 5 ends window [3, 4, 5]; then [6, 7, 8].
    got = windows([2, 4, 6, 8], accumulation=3, start=5)
    assert got == [[(2, 0, 1)], [(18, 0, 3), (18, 1, 3), (18, 2, 3)]]


def test_trained_tokens_counts_shifted_targets() -> None:
    labels = torch.tensor([[5, IGNORE_INDEX, 6, 7, IGNORE_INDEX]])
    assert int(trained_tokens(labels)) == 2  # position 0 is never a target
