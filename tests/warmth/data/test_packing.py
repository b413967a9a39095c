"""Packing: rows fill up without overflow, and a packed batch computes exactly what separate runs do."""

from __future__ import annotations

import copy
import random

import pytest
import torch
import torch.nn.functional as F

from warmth.data.masking import IGNORE_INDEX, Example, tokenize_conversation
from warmth.data.packing import block_causal_mask, collate_packed, collate_padded, pack
from warmth.models import segment_attention

# float32 on CPU: packed vs separate differ only by summation order in attention.
ATOL, RTOL = 1e-5, 1e-4


def test_pack_respects_capacity_and_uses_every_example():
    rng = random.Random(0)
    lengths = [rng.randint(1, 100) for _ in range(300)]
    rows = pack(lengths, 128)
    assert sorted(i for r in rows for i in r) == list(range(300))
    assert all(sum(lengths[i] for i in r) <= 128 for r in rows)
    lower_bound = -(-sum(lengths) // 128)
    assert len(rows) <= lower_bound * 1.1 + 1  # best-fit decreasing wastes little
    assert pack(lengths, 128) == rows  # deterministic
    with pytest.raises(ValueError, match="129 tokens"):
        pack([129], 128)


def convs() -> list[list[dict]]:
    topics = ["the Moon", "spiders", "the river Nile", "photosynthesis", "gold", "bread"]
    out = []
    for i, topic in enumerate(topics):
        msgs = [{"role": "user", "content": f"Tell me about {topic}."},
                {"role": "assistant", "content": f"Here is one fact about {topic}: " + "it is nice. " * i}]
        if i % 2:
            msgs += [{"role": "user", "content": "Thanks! One more?"},
                     {"role": "assistant", "content": "Of course, happy to help."}]
        out.append(msgs)
    return out


def token_losses(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-position next-token loss (NaN where the target is not trained)."""
    targets = labels[:, 1:]
    loss = F.cross_entropy(logits[:, :-1].transpose(1, 2).float(), targets.clamp(min=0), reduction="none")
    return loss.masked_fill(targets == IGNORE_INDEX, float("nan"))


def separate_losses(model, examples: list[Example]) -> list[torch.Tensor]:
    out = []
    for ex in examples:
        ids = torch.tensor([ex.input_ids])
        with torch.no_grad():
            logits = model(input_ids=ids, use_cache=False).logits
        out.append(token_losses(logits, torch.tensor([ex.labels]))[0])
    return out


def packed_losses(batch, logits, rows) -> list[torch.Tensor]:
    losses = token_losses(logits, batch["labels"])
    out = []
    for b, row in enumerate(rows):
        t = 0
        for ex in row:
            # position t+k predicts token t+k+1: the same targets as the separate run
            out.append(losses[b, t:t + len(ex) - 1])
            t += len(ex)
    return out


@pytest.fixture(scope="module")
def packed(tiny_tokenizer):
    examples = [tokenize_conversation(tiny_tokenizer, m, conv_id=str(i)) for i, m in enumerate(convs())]
    capacity = max(len(e) for e in examples) + 20
    rows = [[examples[i] for i in r] for r in pack([len(e) for e in examples], capacity)]
    assert len(rows) < len(examples) and any(len(r) > 1 for r in rows)
    return rows, collate_packed(rows, tiny_tokenizer.pad_token_id)


def test_collate_packed_layout(packed, tiny_tokenizer):
    rows, batch = packed
    assert set(batch) == {"input_ids", "labels", "position_ids"}
    width = max(sum(len(e) for e in r) for r in rows)
    for key in batch:
        assert batch[key].shape == (len(rows), width) and batch[key].dtype == torch.long
    row0, t = rows[0], 0
    for ex in row0:
        assert batch["position_ids"][0, t:t + len(ex)].tolist() == list(range(len(ex)))
        assert batch["labels"][0, t] == IGNORE_INDEX  # nothing learns to start the next conversation
        assert batch["input_ids"][0, t:t + len(ex)].tolist() == ex.input_ids
        t += len(ex)


@pytest.mark.parametrize("attn", ["sdpa", "eager", segment_attention.NAME])
def test_packed_batch_equals_separate_runs(tiny_model, packed, attn):
    rows, batch = packed
    segment_attention.register()
    tiny_model.set_attn_implementation(attn)
    try:
        with torch.no_grad():
            logits = tiny_model(**batch_inputs(batch), use_cache=False).logits
        want = separate_losses(tiny_model, [ex for r in rows for ex in r])
    finally:
        tiny_model.set_attn_implementation("sdpa")
    got = packed_losses(batch, logits, rows)
    for g, w in zip(got, want):
        assert torch.allclose(g, w, atol=ATOL, rtol=RTOL, equal_nan=True)
    # and the loss over all trained tokens is the same
    total_got = torch.cat(got).nansum() / torch.cat(got).isfinite().sum()
    total_want = torch.cat(want).nansum() / torch.cat(want).isfinite().sum()
    assert torch.allclose(total_got, total_want, atol=ATOL, rtol=RTOL)


def test_explicit_block_mask_is_equivalent(tiny_model, packed):
    rows, batch = packed
    mask = block_causal_mask(batch["position_ids"])
    with torch.no_grad():
        logits = tiny_model(input_ids=batch["input_ids"], position_ids=batch["position_ids"],
                            attention_mask=mask, use_cache=False).logits
    want = separate_losses(tiny_model, [ex for r in rows for ex in r])
    for g, w in zip(packed_losses(batch, logits, rows), want):
        assert torch.allclose(g, w, atol=ATOL, rtol=RTOL, equal_nan=True)


def test_without_boundaries_conversations_would_leak(tiny_model, packed):
    """The check above can fail: plain causal attention over a packed row changes the losses."""
    rows, batch = packed
    with torch.no_grad():
        logits = tiny_model(input_ids=batch["input_ids"], use_cache=False).logits
    want = separate_losses(tiny_model, [ex for r in rows for ex in r])
    got = packed_losses(batch, logits, rows)
    assert not all(torch.allclose(g, w, atol=ATOL, rtol=RTOL, equal_nan=True) for g, w in zip(got, want))


def test_padded_batch_equals_separate_runs(tiny_model, tiny_tokenizer):
    examples = [tokenize_conversation(tiny_tokenizer, m) for m in convs()[:3]]
    batch = collate_padded(examples, tiny_tokenizer.pad_token_id)
    assert batch["attention_mask"].sum(1).tolist() == [len(e) for e in examples]
    with torch.no_grad():
        logits = tiny_model(**batch_inputs(batch), use_cache=False).logits
    losses = token_losses(logits, batch["labels"])
    for b, (ex, w) in enumerate(zip(examples, separate_losses(tiny_model, examples))):
        assert torch.allclose(losses[b, : len(ex) - 1], w, atol=ATOL, rtol=RTOL, equal_nan=True)


def batch_inputs(batch):
    return {k: v for k, v in batch.items() if k != "labels"}


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_packed_batch_equals_separate_runs_on_cuda(tiny_model, packed):
    """Same check on the GPU path (sdpa picks fused kernels there); float32, looser tolerance."""
    rows, batch = packed
    model = copy.deepcopy(tiny_model).cuda()
    cuda_batch = {k: v.cuda() for k, v in batch.items()}
    with torch.no_grad():
        logits = model(**batch_inputs(cuda_batch), use_cache=False).logits.cpu()
    want = separate_losses(model.cpu(), [ex for r in rows for ex in r])
    for g, w in zip(packed_losses(batch, logits, rows), want):
        assert torch.allclose(g, w, atol=1e-3, rtol=1e-3, equal_nan=True)
