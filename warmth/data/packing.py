"""Sequence packing: several conversations per row, none attending to another.

Each row holds whole conversations back to back. ``position_ids`` restart at
0 for every conversation and no ``attention_mask`` is passed: transformers
(>= 4.53 for sdpa/eager/flex, flash-attention's varlen path before that)
reads the restarts as sequence boundaries and builds a block-diagonal causal
mask. This needs ``use_cache=False`` in the forward call (with a cache the
boundaries are ignored). The first label of every conversation is masked so
no token is trained to predict the start of the next conversation.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import torch

from warmth.data.masking import IGNORE_INDEX, Example


def pack(lengths: Sequence[int], capacity: int) -> list[list[int]]:
    """Group example indices into rows of at most ``capacity`` tokens (best-fit decreasing).

    Deterministic for given lengths; rows are returned longest-first.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    rows: list[list[int]] = []
    free: list[tuple[int, int]] = []  # (room left, row index), sorted
    for i in order:
        n = lengths[i]
        if n > capacity:
            raise ValueError(f"example {i} has {n} tokens, more than the row capacity {capacity}")
        at = bisect.bisect_left(free, (n, -1))
        if at < len(free):
            room, r = free.pop(at)
            rows[r].append(i)
            bisect.insort(free, (room - n, r))
        else:
            rows.append([i])
            bisect.insort(free, (capacity - n, len(rows) - 1))
    return rows


def collate_packed(rows: Sequence[Sequence[Example]], pad_token_id: int) -> dict[str, torch.Tensor]:
    """A batch of packed rows -> ``input_ids``, ``labels``, ``position_ids`` (all ``[B, T]``).

    Rows are right-padded to the longest; padding gets label ``IGNORE_INDEX``
    and its own position run, so it forms a separate (ignored) sequence.
    """
    width = max(sum(len(ex) for ex in row) for row in rows)
    input_ids = torch.full((len(rows), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    position_ids = torch.zeros((len(rows), width), dtype=torch.long)
    for b, row in enumerate(rows):
        t = 0
        for ex in row:
            n = len(ex)
            input_ids[b, t:t + n] = torch.tensor(ex.input_ids)
            labels[b, t:t + n] = torch.tensor(ex.labels)
            labels[b, t] = IGNORE_INDEX
            position_ids[b, t:t + n] = torch.arange(n)
            t += n
        position_ids[b, t:] = torch.arange(width - t)
    return {"input_ids": input_ids, "labels": labels, "position_ids": position_ids}


def collate_padded(examples: Sequence[Example], pad_token_id: int) -> dict[str, torch.Tensor]:
    """One conversation per row, right-padded: ``input_ids``, ``labels``, ``attention_mask``, ``position_ids``."""
    width = max(len(ex) for ex in examples)
    input_ids = torch.full((len(examples), width), pad_token_id, dtype=torch.long)
    labels = torch.full((len(examples), width), IGNORE_INDEX, dtype=torch.long)
    attention_mask = torch.zeros((len(examples), width), dtype=torch.long)
    for b, ex in enumerate(examples):
        n = len(ex)
        input_ids[b, :n] = torch.tensor(ex.input_ids)
        labels[b, :n] = torch.tensor(ex.labels)
        attention_mask[b, :n] = 1
    position_ids = torch.arange(width).expand(len(examples), width).clone()
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention_mask,
            "position_ids": position_ids}


def sequence_ids(position_ids: torch.Tensor) -> torch.Tensor:
    """``[B, T]``: which conversation of its row each position belongs to (0, 1, ...).

    A new one starts wherever a position does not follow the previous one by 1,
    the rule transformers applies to packed rows.
    """
    starts = torch.diff(position_ids, dim=-1, prepend=position_ids[:, :1] - 1) != 1
    return starts.cumsum(-1) - 1


def block_causal_mask(position_ids: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Explicit additive ``[B, 1, T, T]`` block-diagonal causal mask from restarting position ids.

    For models or attention paths that ignore position-id boundaries; pass it
    as ``attention_mask`` (0 where attended, the dtype's minimum elsewhere).
    """
    seq = sequence_ids(position_ids)
    same = seq[:, :, None] == seq[:, None, :]
    t = position_ids.shape[-1]
    causal = torch.ones(t, t, dtype=torch.bool, device=position_ids.device).tril()
    allowed = same & causal
    mask = torch.zeros(allowed.shape, dtype=dtype, device=position_ids.device)
    mask.masked_fill_(~allowed, torch.finfo(dtype).min)
    return mask[:, None]
