"""Lane dropout: torch.nn.Dropout's distribution from half the random draws, the same masks compiled."""

from __future__ import annotations

import pytest
import torch

from warmth.models.lane_dropout import LaneDropout, keep_mask, use_lane_dropout

P = 0.1


def test_each_lane_drops_at_rate_p_independently_and_kept_values_are_rescaled():
    """Catches a wrong threshold (rate off p), lanes cut from overlapping bits (the two elements
    of one draw dropped together: seen red with both lanes taken from the low bits) and a
    missing 1/(1-p) rescaling."""
    torch.manual_seed(0)
    n = 1 << 22
    keep = keep_mask(torch.Size([n // 512, 512]), P, torch.device("cpu"))
    sigma = (P * (1 - P) / n) ** 0.5
    assert abs((~keep).float().mean().item() - P) < 5 * sigma
    pairs = (~keep).view(-1, 2)  # the two lanes of one draw
    for lane in (0, 1):
        assert abs(pairs[:, lane].float().mean().item() - P) < 10 * sigma
    both = (pairs[:, 0] & pairs[:, 1]).float().mean().item()
    assert abs(both - P * P) < 10 * (P * P / (n // 2)) ** 0.5

    out = LaneDropout(P).train()(torch.ones(64, 513))  # odd width: the last draw's second lane unused
    assert out.shape == (64, 513)
    assert out.unique().tolist() == pytest.approx([0.0, 1 / (1 - P)])


def test_a_seed_repeats_the_masks_and_eval_or_p_0_leave_the_input():
    x = torch.randn(8, 40)
    torch.manual_seed(3)
    first = LaneDropout(P).train()(x)
    torch.manual_seed(3)
    assert torch.equal(LaneDropout(P).train()(x), first)
    assert LaneDropout(P).eval()(x) is x
    assert LaneDropout(0.0).train()(x) is x
    assert torch.equal(LaneDropout(1.0).train()(x), torch.zeros_like(x))


def test_only_lora_dropouts_are_replaced(tiny_cfg):
    from peft import LoraConfig, get_peft_model

    from warmth.models import load_model

    model = get_peft_model(load_model(tiny_cfg, dtype="float32"),
                           LoraConfig(r=2, lora_alpha=4, lora_dropout=P, target_modules=["q_proj", "v_proj"]))
    before = sum(isinstance(m, torch.nn.Dropout) for m in model.modules())
    assert use_lane_dropout(model) == 4  # 2 layers x q, v
    lanes = [m for m in model.modules() if isinstance(m, LaneDropout)]
    assert len(lanes) == 4 and all(m.p == P for m in lanes)
    assert sum(isinstance(m, torch.nn.Dropout) for m in model.modules()) == before  # nothing else touched
    assert use_lane_dropout(model) == 0  # idempotent


@pytest.mark.parametrize("backend", ["aot_eager", pytest.param("inductor", marks=pytest.mark.slow)])
def test_compiled_masks_are_the_eager_masks_and_backward_uses_them(backend):
    """Catches Inductor drawing the masks itself (inlined, per element: another stream, and the slow
    path this module exists to avoid; seen red on Inductor without ``fallback_random``) and a
    backward that redraws instead of reusing the forward's mask (gradient != kept scaling)."""
    drop = LaneDropout(P).train()
    weight = torch.randn(33, 5)
    options = {"fallback_random": True} if backend == "inductor" else None
    compiled = torch.compile(lambda x: drop(x) @ weight, backend=backend, options=options)
    x = torch.randn(256, 33)
    for seed in (1, 2):
        torch.manual_seed(seed)
        want = drop(x) @ weight
        torch.manual_seed(seed)
        leaf = x.clone().requires_grad_()
        got = compiled(leaf)
        assert torch.allclose(got, want, atol=1e-5)
        got.sum().backward()
        torch.manual_seed(seed)
        kept = (drop(torch.ones_like(x)) != 0).float()
        assert torch.allclose(leaf.grad, kept * weight.sum(1) / (1 - P), atol=1e-5)
