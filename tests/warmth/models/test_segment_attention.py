"""Segment attention computes exactly what transformers' masked sdpa does, and is used where it is safe.

Packed logits against separate runs are checked for every attention path in
``tests/warmth/data/test_packing.py``; here the forward and the gradients are
compared with the dense-mask path on rows whose conversations start at
different places, and the paths that must stay transformers' own (a padding
mask, cached decoding, sliding windows) are pinned down.
"""

from __future__ import annotations

import copy

import pytest
import torch
from omegaconf import OmegaConf

from warmth.models import load_model
from warmth.models.segment_attention import NAME, supports, use_segment_attention

ATOL = 1e-5


@pytest.fixture(scope="module")
def pair(tiny_cfg):
    """(sdpa model, segment-attention model) with the same weights."""
    sdpa = load_model(tiny_cfg, dtype="float32")
    seg = copy.deepcopy(sdpa)
    assert use_segment_attention(seg) and seg.config._attn_implementation == NAME
    assert sdpa.config._attn_implementation == "sdpa"
    return sdpa, seg


def packed_positions(*rows: list[int]) -> torch.Tensor:
    return torch.stack([torch.cat([torch.arange(n) for n in row]) for row in rows])


def test_packed_rows_forward_and_gradients_match_the_mask(pair):
    """Catches wrong segment bounds, a lost causal flag or grouped heads mixed up: logits and grads differ."""
    sdpa, seg = pair
    positions = packed_positions([9, 6, 5, 4], [3, 17, 4], [24])  # different bounds per row; one unpacked
    ids = torch.randint(4, 1000, positions.shape, generator=torch.Generator().manual_seed(0))
    grads = []
    for model in pair:
        model.zero_grad()
        logits = model(input_ids=ids, position_ids=positions, use_cache=False).logits
        (logits.float().square().mean()).backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters()})
        grads[-1]["logits"] = logits.detach()
    want, got = grads
    for name in want:
        assert torch.allclose(got[name], want[name], atol=ATOL, rtol=1e-4), name
    assert sdpa.config._attn_implementation == "sdpa" and seg.config._attn_implementation == NAME


def test_rows_with_the_same_bounds_are_batched_and_equal(pair):
    sdpa, seg = pair
    positions = packed_positions([7, 11, 6], [7, 11, 6])
    ids = torch.randint(4, 1000, positions.shape, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        want = sdpa(input_ids=ids, position_ids=positions, use_cache=False).logits
        got = seg(input_ids=ids, position_ids=positions, use_cache=False).logits
    assert torch.allclose(got, want, atol=ATOL)


def test_segments_of_one_length_share_one_sdpa_call(monkeypatch):
    """Rows [12], [7, 5], [12], [5, 7]: six segments of three lengths take three calls, and each
    output equals its segment attended alone. Seen red with one call per segment (six calls)."""
    import torch.nn.functional as F

    from warmth.models import segment_attention as sa

    rows = [[12], [7, 5], [12], [5, 7]]
    gen = torch.Generator().manual_seed(2)
    q, k, v = (torch.randn(4, h, 12, 8, generator=gen) for h in (4, 2, 2))
    calls = []
    sdpa = F.scaled_dot_product_attention
    monkeypatch.setattr(F, "scaled_dot_product_attention", lambda *a, **kw: calls.append(a[0].shape[0]) or sdpa(*a, **kw))
    module = type("Attention", (), {"is_causal": True})()
    out, _ = sa.segment_attention(module, q, k, v, None, scaling=0.3, position_ids=packed_positions(*rows))
    assert sorted(calls) == [2, 2, 2]
    for b, row in enumerate(rows):
        start = 0
        for n in row:
            part = slice(start, start + n)
            alone = sdpa(q[b:b + 1, :, part], k[b:b + 1, :, part], v[b:b + 1, :, part], is_causal=True, scale=0.3,
                         enable_gqa=True)
            assert torch.allclose(out[b:b + 1, part], alone.transpose(1, 2), atol=1e-6)
            start += n


def test_padding_masks_and_generation_keep_transformers_sdpa(pair):
    """A left-padded batch and cached greedy decoding give sdpa's results (the mask path is delegated)."""
    sdpa, seg = pair
    ids = torch.randint(4, 1000, (2, 12), generator=torch.Generator().manual_seed(2))
    mask = torch.ones_like(ids)
    mask[0, :4] = 0
    with torch.no_grad():
        want = sdpa(input_ids=ids, attention_mask=mask, use_cache=False).logits
        got = seg(input_ids=ids, attention_mask=mask, use_cache=False).logits
    assert torch.allclose(got[mask.bool()], want[mask.bool()], atol=ATOL)
    kwargs = {"input_ids": ids, "attention_mask": mask, "max_new_tokens": 6, "do_sample": False}
    assert torch.equal(seg.generate(**kwargs), sdpa.generate(**kwargs))


def test_inference_mode_reads_positions_without_a_version_counter(pair):
    """Positions made under inference_mode have no version counter (reading it raises); seen red
    without the ``is_inference`` branch, and not when the positions were made outside the block."""
    sdpa, seg = pair
    ids = torch.randint(4, 1000, (2, 13), generator=torch.Generator().manual_seed(3))
    with torch.inference_mode():
        positions = packed_positions([5, 8], [13])
        want = sdpa(input_ids=ids, position_ids=positions, use_cache=False).logits
        got = seg(input_ids=ids, position_ids=positions, use_cache=False).logits
    assert torch.allclose(got, want, atol=ATOL)


@pytest.mark.parametrize(("changes", "ok"), [
    ({}, True),
    ({"_attn_implementation": "eager"}, False),
    ({"model_type": "gemma2"}, False),
    ({"model_type": "mistral", "sliding_window": 4096}, False),
    ({"model_type": "qwen2", "sliding_window": None}, True),
])
def test_supports_only_full_causal_sdpa_models(changes, ok):
    """A sliding-window or unknown architecture would lose part of its mask: it keeps its own attention."""
    config = OmegaConf.create({"_attn_implementation": "sdpa", "model_type": "llama", **changes})
    assert supports(config) is ok
