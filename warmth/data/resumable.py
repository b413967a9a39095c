"""A DataLoader whose place in the epoch survives a checkpoint.

After a resume Lightning restores how many batches of the current epoch the
loop has done, but it does not move the data: a plain loader would start the
epoch over. This loader asks the restored loop where it stands (epoch, and
batches done in it) when the first batch of an iteration is requested, not
when the iterator is created: Lightning creates the iterator before it calls
``set_epoch`` on the sampler and before it resets the loop, and a loader with
workers would otherwise start fetching the old epoch's order at once. The
sampler then starts after the batches already done (they are never loaded).

The order comes from a sampler seeded with ``seed + epoch``, so the resumed
epoch has the uninterrupted one's order. The loader draws its workers' base
seed from its own generator, never from the global torch RNG, so creating an
iterator (every epoch, and once more on a resume) leaves the training RNG
(LoRA dropout) untouched.

``state_dict``/``load_state_dict`` mark the loader resumable for Lightning;
the position itself is read from the restored loop, because Lightning loads
loader states only when the loader is built after the restore, which
``estimated_stepping_batches`` (used by the LR schedule) prevents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, DistributedSampler

# (epoch, batches of that epoch already done)
Position = Callable[[], tuple[int, int]]


class SkippingSampler(DistributedSampler):
    """``DistributedSampler`` that can start its next pass ``start`` samples in."""

    start = 0

    def __iter__(self) -> Iterator[int]:
        indices = list(super().__iter__())
        start, self.start = self.start, 0
        return iter(indices[start:])


class ResumableLoader(DataLoader):
    def __init__(self, *args: Any, position: Position | None = None, seed: int = 0, **kwargs: Any):
        kwargs.setdefault("generator", torch.Generator().manual_seed(seed))
        super().__init__(*args, **kwargs)
        self.position = position

    def state_dict(self) -> dict[str, int]:
        epoch, done = self.position() if self.position is not None else (0, 0)
        return {"epoch": int(epoch), "batches_done": int(done)}

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Nothing to load: the restored loop says where the epoch stands."""

    def __iter__(self) -> Iterator[Any]:
        return self._from_where_the_loop_is()

    def _from_where_the_loop_is(self) -> Iterator[Any]:
        # Runs at the first next(): the loop has been restored and reset by then.
        if self.position is not None and isinstance(self.sampler, SkippingSampler):
            epoch, done = self.position()
            self.sampler.set_epoch(int(epoch))
            self.sampler.start = int(done) * int(self.batch_size or 1)
        yield from super().__iter__()
