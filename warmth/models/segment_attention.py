"""Packed rows attended conversation by conversation: ``attn_implementation="warmth_segments"``.

transformers' ``sdpa`` reads a packed row's restarting ``position_ids`` as
boundaries and builds one dense block-diagonal causal mask over the row; SDPA
then computes every query against every key of the row (``T^2``) and, given a
mask, repeats the grouped key/value heads. Here each conversation of the row
is attended causally on its own instead (``sum(n_i^2)``, no mask, grouped heads
kept; conversations of one length, across the micro-batch's rows, share one
SDPA call): the same result for less work (a training step's gain is measured in
BENCHMARKS.md, ``packed_attention``).

The mask hook returns no mask only where the whole mask is causal plus packing
(no padding mask, no cache offset); the attention then derives the segments
from ``position_ids``. Every other call (a padding mask, cached decoding) goes
to transformers' own sdpa unchanged. Models with sliding-window attention keep
``sdpa``: their mask is not expressible by segments alone.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from warmth.data.packing import sequence_ids

NAME = "warmth_segments"
# Architectures whose attention receives ``position_ids`` and whose full-attention mask is causal + packing.
MODEL_TYPES = frozenset({"llama", "mistral", "qwen2", "qwen3"})


def _sdpa():
    from transformers.integrations.sdpa_attention import sdpa_attention_forward

    return sdpa_attention_forward


def segment_mask(batch_size: int, q_length: int, kv_length: int, q_offset: int = 0, kv_offset: int = 0,
                 attention_mask: torch.Tensor | None = None, **kwargs: Any) -> torch.Tensor | None:
    """No mask where ``segment_attention`` derives it from positions; else transformers' sdpa mask."""
    if attention_mask is None and q_length == kv_length and q_offset == 0 and kv_offset == 0:
        return None
    from transformers.masking_utils import sdpa_mask

    return sdpa_mask(batch_size=batch_size, q_length=q_length, kv_length=kv_length, q_offset=q_offset,
                     kv_offset=kv_offset, attention_mask=attention_mask, **kwargs)


class _Segments:
    """Segment lengths per row of the last ``position_ids`` seen: every layer of one forward reuses them."""

    def __init__(self) -> None:
        self._key: tuple[weakref.ref, int] | None = None
        self._rows: list[list[int]] = []

    def __call__(self, position_ids: torch.Tensor, batch: int) -> list[list[int]]:
        if position_ids.is_inference():  # no version counter: read them anew
            return _lengths(position_ids.expand(batch, -1))
        key = (weakref.ref(position_ids), position_ids._version)
        if self._key is None or self._key[0]() is not position_ids or self._key[1] != key[1]:
            self._rows = _lengths(position_ids.expand(batch, -1))
            self._key = key
        return self._rows


def _lengths(position_ids: torch.Tensor) -> list[list[int]]:
    """Per row, the lengths of its conversations (``warmth.data.packing.sequence_ids``)."""
    return [torch.unique_consecutive(row, return_counts=True)[1].tolist() for row in sequence_ids(position_ids)]


_segments = _Segments()


def _grouped_sdpa(lengths: list[int], queries: Sequence[torch.Tensor], keys: Sequence[torch.Tensor],
                  values: Sequence[torch.Tensor], **sdpa: Any) -> list[torch.Tensor]:
    """Causal SDPA of each segment, those of one length stacked into one call.

    A 4 x 512 packed micro-batch holds about three full-row segments: one call
    over them keeps both threads of SDPA's backward busy, which a call per
    segment (parallel over its nine heads alone) does not. By hand, attention
    alone over the ``train_vs_trl`` epoch's 77 packed layouts took 0.94x to
    0.97x the time of a call per segment. Returns one output per segment, in
    ``lengths``' order.
    """
    by_length: dict[int, list[int]] = {}
    for i, n in enumerate(lengths):
        by_length.setdefault(n, []).append(i)
    outs: list[torch.Tensor | None] = [None] * len(lengths)
    for group in by_length.values():
        qkv = [x[group[0]] if len(group) == 1 else torch.cat([x[i] for i in group]) for x in (queries, keys, values)]
        out = F.scaled_dot_product_attention(*qkv, is_causal=True, **sdpa)
        for i, o in zip(group, out.split([queries[i].shape[0] for i in group])):
            outs[i] = o
    return outs  # type: ignore[return-value]


def segment_attention(module: torch.nn.Module, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                      attention_mask: torch.Tensor | None, dropout: float = 0.0, scaling: float | None = None,
                      **kwargs: Any) -> tuple[torch.Tensor, None]:
    """``[B, T, H, D]`` like transformers' sdpa: one causal SDPA per segment where no mask was built."""
    position_ids = kwargs.get("position_ids")
    if (attention_mask is not None or query.shape[2] != key.shape[2] or position_ids is None
            or not getattr(module, "is_causal", True)):
        return _sdpa()(module, query, key, value, attention_mask, dropout=dropout, scaling=scaling, **kwargs)
    rows = _segments(position_ids, query.shape[0])
    gqa = {"enable_gqa": True} if query.shape[1] != key.shape[1] else {}
    if same := all(r == rows[0] for r in rows):  # same bounds in every row (e.g. unpacked): split all rows at once
        lengths, pieces = rows[0], [x.split(rows[0], 2) for x in (query, key, value)]
    else:  # split, not slicing: a slice's gradient is a zero-filled full-size tensor per segment
        lengths = [n for r in rows for n in r]
        pieces = [[s for x_row, r in zip(x.split(1), rows) for s in x_row.split(r, 2)] for x in (query, key, value)]
    outs = _grouped_sdpa(lengths, *pieces, dropout_p=dropout, scale=scaling, **gqa)
    if same:
        out = torch.cat(outs, dim=2)
    else:
        ends = list(itertools.accumulate(len(r) for r in rows))
        out = torch.cat([torch.cat(outs[a:b], dim=2) for a, b in zip([0, *ends], ends)], dim=0)
    return out.transpose(1, 2).contiguous(), None


_kept_out_of_graphs = False  # set for the process once a compiled model uses segment attention


def register(under_compile: bool = False) -> None:
    """Make ``NAME`` known to transformers (idempotent; each process that builds a model calls it).

    ``under_compile``: for layers that ``torch.compile`` traces (``trainer.compile``), keep the
    attention out of the graph: its segment bounds are Python ints read from the positions, which
    a graph would bake in and recompile for at every new row layout. The registry is global, so
    this holds for the rest of the process: a model built later must not undo it for a compiled
    one. (Not the default: importing the compiler costs seconds.)
    """
    global _kept_out_of_graphs
    from transformers import AttentionInterface
    from transformers.masking_utils import AttentionMaskInterface

    _kept_out_of_graphs = _kept_out_of_graphs or under_compile
    AttentionInterface.register(NAME, torch.compiler.disable(segment_attention) if _kept_out_of_graphs
                                else segment_attention)
    AttentionMaskInterface.register(NAME, segment_mask)


def supports(config: Any) -> bool:
    """Whether a model with this config can attend by segments (sdpa today, full attention, known type)."""
    return (getattr(config, "_attn_implementation", None) in ("sdpa", NAME)
            and getattr(config, "model_type", None) in MODEL_TYPES
            and getattr(config, "sliding_window", None) is None)


def use_segment_attention(model: Any) -> bool:
    """Switch ``model`` (a transformers model) to segment attention where ``supports``; True if it did."""
    if not supports(model.config):
        return False
    register()
    model.set_attn_implementation(NAME)
    return True
