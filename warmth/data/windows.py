"""Accumulation windows: each micro-batch learns its optimizer step's trained-token count in advance.

A token-weighted step loss (sum of token losses / trained tokens of the whole
effective batch) needs the window's token count before the window's first
backward. Labels are known when a batch is collated, so the loader looks
ahead over the micro-batches of each accumulation window and stamps every
one with the window's local total (``WINDOW_TOKENS``); the module sums that
over ranks once per window (see ``ChatLM.training_step``).

Windows are cut exactly where Lightning cuts them: every
``accumulation`` batches counted from the start of the epoch, the last one
shorter when the epoch does not divide; after a mid-epoch resume the first
window is the rest of the interrupted one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import torch

from warmth.data.masking import IGNORE_INDEX
from warmth.data.resumable import ResumableLoader

WINDOW_TOKENS = "window_tokens"  # trained tokens of this micro-batch's window, on this rank
WINDOW_POS = "window_pos"        # this micro-batch's place in its window (0 = first this iteration saw)
WINDOW_LEN = "window_len"        # micro-batches in the window (as this iteration sees it)
WINDOW_KEYS = (WINDOW_TOKENS, WINDOW_POS, WINDOW_LEN)


def without_stamps(batch: dict[str, Any]) -> dict[str, Any]:
    """The batch as a model's forward takes it: the window stamps removed."""
    return {k: v for k, v in batch.items() if k not in WINDOW_KEYS}


def trained_tokens(labels: torch.Tensor) -> torch.Tensor:
    """Targets the loss counts: labels not ignored once shifted by one (position t predicts t+1)."""
    return (labels[..., 1:] != IGNORE_INDEX).sum()


def stamp_windows(batches: Iterator[dict[str, Any]], accumulation: int, start: int = 0
                  ) -> Iterator[dict[str, Any]]:
    """Yield ``batches`` with ``WINDOW_KEYS`` added, holding one window at a time.

    ``start`` is the epoch index of the first batch (batches already done
    when resuming), so windows stay aligned with Lightning's.
    """
    accumulation = max(1, int(accumulation))
    index = int(start)
    while True:
        size = accumulation - index % accumulation
        window = [b for _, b in zip(range(size), batches)]
        if not window:
            return
        total = sum(int(trained_tokens(b["labels"])) for b in window)
        for pos, batch in enumerate(window):
            batch[WINDOW_TOKENS] = torch.tensor(total, dtype=torch.long)
            batch[WINDOW_POS] = pos  # plain ints: the step reads them without a device sync
            batch[WINDOW_LEN] = len(window)
            yield batch
        index += len(window)


class WindowedLoader(ResumableLoader):
    """The resumable loader, its batches stamped per accumulation window.

    ``accumulation`` is read when an epoch's iteration starts (the Trainer
    knows it only once fitting begins); the parent's ``position`` gives the
    batches of the epoch already done, so windows stay aligned after a resume.
    """

    def __init__(self, *args: Any, accumulation: Callable[[], int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.accumulation = accumulation

    def __iter__(self) -> Iterator[Any]:
        return self._stamped()

    def _stamped(self) -> Iterator[Any]:
        # A generator: nothing (not even the parent iterator) starts before the first next().
        done = self.position()[1] if self.position is not None else 0
        yield from stamp_windows(super().__iter__(), self.accumulation(), done)
