"""Batched log-likelihood of continuations under a causal LM.

Tokenisation follows lm-evaluation-harness so that choices made from these
numbers match it (our parity test checks): trailing spaces of the context
move to the continuation, ``context + continuation`` is encoded whole with
the tokenizer's default special tokens, and the continuation's tokens are
the whole encoding minus the context's encoding.

Batching: sequences are left-padded, given explicit position ids (so
absolute-position models such as GPT-2 see the same positions as unpadded)
and an attention mask; only the logits of the scored tail are computed
(``logits_to_keep``); a token's log-probability is its logit minus the
position's log-sum-exp, in float32 (no full log-softmax tensor is written).
Work runs longest first so a batch pads little; results keep input order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from warmth.errors import DataError
from warmth.models.peft_base import takes_logits_to_keep


@dataclass(frozen=True)
class Scored:
    """``ids`` is the full token sequence; its last ``n_scored`` tokens are scored."""

    ids: tuple[int, ...]
    n_scored: int


def encode_pair(tokenizer: Any, context: str, continuation: str) -> tuple[list[int], list[int]]:
    """Context and continuation token ids, split the way lm-eval splits them."""
    return encode_pairs(tokenizer, [(context, continuation)])[0]


def encode_pairs(tokenizer: Any, pairs: Sequence[tuple[str, str]]) -> list[tuple[list[int], list[int]]]:
    """:func:`encode_pair` for many pairs, with two batched tokenizer calls."""
    moved = []
    for ctx, cont in pairs:
        if not ctx:
            raise DataError("log-likelihood request with an empty context")
        n_spaces = len(ctx) - len(ctx.rstrip())
        moved.append((ctx[: len(ctx) - n_spaces], ctx[len(ctx) - n_spaces :] + cont) if n_spaces else (ctx, cont))
    if not moved:
        return []
    wholes = tokenizer([c + t for c, t in moved])["input_ids"]
    ctxs = tokenizer([c for c, _ in moved])["input_ids"]
    return [(list(c), list(w[len(c):])) for c, w in zip(ctxs, wholes)]


def pad_id_of(tokenizer: Any) -> int:
    """Any valid id works (padding is masked); prefer the tokenizer's own."""
    for name in ("pad_token_id", "eos_token_id"):
        value = getattr(tokenizer, name, None)
        if isinstance(value, int):
            return value
    return 0


def _device(model: Any) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:  # pragma: no cover
        return torch.device("cpu")


def _forward_batches(
    model: Any,
    seqs: Sequence[Scored],
    *,
    batch_size: int,
    pad_id: int,
    max_length: int | None,
    progress: bool,
) -> Iterator[tuple[list[int], list[int], torch.Tensor, torch.Tensor]]:
    """Yields (sequence indices, their scored lengths, float32 logits [B, K, V], log-sum-exp [B, K]).

    Row ``r``'s scored tokens are predicted by the last ``n[r]`` of the K positions.
    """
    if batch_size < 1:
        raise DataError(f"batch_size must be >= 1, got {batch_size}")
    for i, s in enumerate(seqs):
        if s.n_scored < 1 or s.n_scored > len(s.ids) - 1:
            raise DataError(f"sequence {i}: needs at least one context token and one scored token")
    order = sorted(range(len(seqs)), key=lambda i: -len(seqs[i].ids))
    device = _device(model)
    keep = takes_logits_to_keep(model)
    batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if progress:
        from tqdm.auto import tqdm

        batches = tqdm(batches, desc="log-likelihood", leave=False)
    for batch in batches:
        rows = []
        for i in batch:
            ids = list(seqs[i].ids)
            if max_length is not None:
                ids = ids[-(max_length + 1):]
            rows.append(ids[:-1])
        n = [min(seqs[i].n_scored, len(r)) for i, r in zip(batch, rows)]
        width = max(len(r) for r in rows)
        n_keep = max(n)
        input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, x in enumerate(rows):
            input_ids[row, width - len(x):] = torch.tensor(x, dtype=torch.long)
            mask[row, width - len(x):] = 1
        kwargs: dict[str, Any] = {
            "input_ids": input_ids.to(device),
            "attention_mask": mask.to(device),
            "position_ids": (mask.cumsum(-1) - 1).clamp(min=0).to(device),
            "use_cache": False,
        }
        if keep:
            kwargs["logits_to_keep"] = n_keep
        logits = model(**kwargs).logits[:, -n_keep:, :].float()
        yield batch, n, logits, torch.logsumexp(logits, dim=-1)


def token_logprobs(
    model: Any,
    seqs: Sequence[Scored],
    *,
    batch_size: int = 16,
    pad_id: int = 0,
    max_length: int | None = None,
    progress: bool = False,
) -> list[torch.Tensor]:
    """Per sequence, the log-probabilities of its last ``n_scored`` tokens (float32, CPU).

    Sequences longer than ``max_length + 1`` lose tokens on the left, as in
    lm-eval. The caller picks train/eval mode (dropout) and grad mode.
    """
    out: list[torch.Tensor | None] = [None] * len(seqs)
    for batch, ns, logits, lse in _forward_batches(
        model, seqs, batch_size=batch_size, pad_id=pad_id, max_length=max_length, progress=progress
    ):
        k = logits.shape[1]
        for row, (i, n) in enumerate(zip(batch, ns)):
            target = torch.tensor(seqs[i].ids[-n:], dtype=torch.long, device=logits.device)
            picked = logits[row, k - n :, :].gather(-1, target[:, None])[:, 0]
            out[i] = (picked - lse[row, k - n :]).cpu()
    return out  # type: ignore[return-value]


def loglikelihoods(
    model: Any,
    tokenizer: Any,
    pairs: Sequence[tuple[str, str]],
    *,
    batch_size: int = 16,
    max_length: int | None = None,
    progress: bool = False,
) -> list[float]:
    """Summed log-probability of each ``(context, continuation)`` pair."""
    return _summed(model, tokenizer, pairs, encode_pairs(tokenizer, pairs),
                   batch_size=batch_size, max_length=max_length, progress=progress)


def _summed(
    model: Any,
    tokenizer: Any,
    pairs: Sequence[tuple[str, str]],
    encoded: Sequence[tuple[list[int], list[int]]],
    **batching: Any,
) -> list[float]:
    """:func:`loglikelihoods` of ``pairs`` already encoded by :func:`encode_pairs`."""
    seqs = []
    for (_, cont), (c, t) in zip(pairs, encoded):
        if not t:
            raise DataError(f"continuation {cont!r} encodes to no tokens")
        seqs.append(Scored(tuple(c + t), len(t)))
    with torch.no_grad():
        lps = token_logprobs(model, seqs, pad_id=pad_id_of(tokenizer), **batching)
    return [float(x.sum()) for x in lps]


def choice_loglikelihoods(
    model: Any,
    tokenizer: Any,
    contexts: Sequence[str],
    choices: Sequence[str],
    *,
    batch_size: int = 16,
    max_length: int | None = None,
    progress: bool = False,
) -> list[list[float]]:
    """For each context, the log-likelihood of every choice (e.g. " A".." D").

    When every choice is a single token after the same context tokens (answer
    letters), one forward pass per context scores all choices from the
    next-token distribution; otherwise each (context, choice) pair is its
    own sequence. Both give the numbers :func:`loglikelihoods` gives.
    """
    flat = [(ctx, ch) for ctx in contexts for ch in choices]
    flat_enc = encode_pairs(tokenizer, flat)
    k = len(choices)
    encoded = [flat_enc[i * k : (i + 1) * k] for i in range(len(contexts))]
    shared = all(len(t) == 1 and c == enc[0][0] for enc in encoded for c, t in enc)
    if not shared:
        lls = _summed(model, tokenizer, flat, flat_enc, batch_size=batch_size, max_length=max_length, progress=progress)
        return [lls[i * k : (i + 1) * k] for i in range(len(contexts))]
    seqs = [Scored(tuple(enc[0][0] + enc[0][1]), 1) for enc in encoded]
    out: list[list[float]] = [[] for _ in contexts]
    with torch.no_grad():
        for batch, _, logits, lse in _forward_batches(
            model, seqs, batch_size=batch_size, pad_id=pad_id_of(tokenizer),
            max_length=max_length, progress=progress,
        ):
            for row, i in enumerate(batch):
                out[i] = [float(logits[row, -1, t[0]] - lse[row, -1]) for _, t in encoded[i]]
    return out
