"""A DataLoader whose place in the epoch survives a checkpoint.

After a resume Lightning restores how many batches of the current epoch the
loop has done, but it does not move the data: a plain loader would start the
epoch over. This loader asks, when the first batch of an iteration is
requested (after the restore), how many batches the loop counts as done in
this epoch and skips that many. The order comes from a sampler seeded with
``seed + epoch`` (Lightning calls ``set_epoch``), so the resumed epoch has
the same order as the uninterrupted one.

``state_dict``/``load_state_dict`` mark the loader resumable for Lightning;
the position itself is read from the restored loop, because Lightning loads
loader states only when the loader is built after the restore, which
``estimated_stepping_batches`` (used by the LR schedule) prevents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from torch.utils.data import DataLoader


class ResumableLoader(DataLoader):
    def __init__(self, *args: Any, batches_done: Callable[[], int] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.batches_done = batches_done

    def state_dict(self) -> dict[str, int]:
        return {"batches_done": int(self.batches_done()) if self.batches_done is not None else 0}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Nothing to load: the restored loop says where the epoch stands."""

    def __iter__(self) -> Iterator[Any]:
        return self._from_where_the_loop_is(super().__iter__())

    def _from_where_the_loop_is(self, iterator: Iterator[Any]) -> Iterator[Any]:
        # Runs at the first next(), i.e. once the loop has been restored and reset.
        skip = int(self.batches_done()) if self.batches_done is not None else 0
        for _ in range(skip):
            if next(iterator, None) is None:
                return
        yield from iterator
