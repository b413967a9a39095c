"""Counter dropout: torch.nn.Dropout's distribution from SplitMix64, the same masks compiled, none stored."""

from __future__ import annotations

import pytest
import torch

from warmth.models.counter_dropout import (
    MIX,
    CounterDropout,
    counters,
    draw_offset,
    keep_mask,
    splitmix64,
    use_counter_dropout,
)

P = 0.1
U64 = (1 << 64) - 1


def reference_splitmix64(k: int) -> int:
    """SplitMix64's output ``k`` from state 0, in Python's unbounded integers (the published algorithm)."""
    z = (k * 0x9E3779B97F4A7C15) & U64
    z = ((z ^ (z >> 30)) * (MIX[0] & U64)) & U64
    z = ((z ^ (z >> 27)) * (MIX[1] & U64)) & U64
    return z ^ (z >> 31)


def test_the_hash_is_splitmix64_and_masks_read_the_stream_at_their_offset():
    """Catches torch's arithmetic ``>>`` used as the logical shift (high outputs differ: seen red),
    a wrong constant, and elements read from the wrong place in the stream (seen red with the
    column counter starting at 0)."""
    ks = [1, 2, 3, 12345, (1 << 62) - 1, (1 << 62) + 987654321]
    got = splitmix64(torch.tensor(ks, dtype=torch.int64)).tolist()
    assert [g & U64 for g in got] == [reference_splitmix64(k) for k in ks]

    offset = torch.tensor((1 << 61) + 77)
    keep = keep_mask(torch.Size([3, 5]), 0.5, offset).flatten().tolist()
    threshold = 1 << 30  # ceil(0.5 * 2^31)
    assert keep == [(reference_splitmix64(int(offset) + i + 1) >> 33) >= threshold for i in range(15)]


def test_each_element_drops_at_rate_p_independently_and_kept_values_are_rescaled():
    """Catches a wrong threshold (rate off p), neighbours that are not independent (seen red with
    each row's counters restarting at 1: every row the same mask) and a missing 1/(1-p) rescaling."""
    torch.manual_seed(0)
    rows, width = 1 << 13, 512
    n = rows * width
    dropped = ~keep_mask(torch.Size([rows, width]), P, draw_offset(torch.device("cpu")))
    sigma = (P * (1 - P) / n) ** 0.5
    assert abs(dropped.float().mean().item() - P) < 5 * sigma
    both = P * P
    for a, b in ((dropped[:, :-1], dropped[:, 1:]), (dropped[:-1], dropped[1:])):  # along and across rows
        assert abs((a & b).float().mean().item() - both) < 10 * (both / a.numel()) ** 0.5

    out = CounterDropout(P).train()(torch.ones(64, 513))  # a width no vector length divides
    assert out.shape == (64, 513)
    assert out.unique().tolist() == pytest.approx([0.0, 1 / (1 - P)])


def test_a_seed_repeats_the_masks_each_call_draws_anew_and_eval_or_p_0_leave_the_input():
    x = torch.randn(8, 40)
    drop = CounterDropout(P).train()
    torch.manual_seed(3)
    first, second = drop(x), drop(x)
    assert not torch.equal(first, second)
    torch.manual_seed(3)
    assert torch.equal(drop(x), first)
    assert CounterDropout(P).eval()(x) is x
    assert CounterDropout(0.0).train()(x) is x
    assert torch.equal(CounterDropout(1.0).train()(x), torch.zeros_like(x))


def test_counters_index_every_element_once():
    rows, cols = counters(torch.Size([2, 3, 4]), torch.device("cpu"))
    assert (rows + cols).flatten().tolist() == list(range(1, 25))
    assert rows.numel() + cols.numel() == 6 + 4  # small: a checkpoint saves them


def test_only_lora_dropouts_are_replaced(tiny_cfg):
    from peft import LoraConfig, get_peft_model

    from warmth.models import load_model

    model = get_peft_model(load_model(tiny_cfg, dtype="float32"),
                           LoraConfig(r=2, lora_alpha=4, lora_dropout=P, target_modules=["q_proj", "v_proj"]))
    before = sum(isinstance(m, torch.nn.Dropout) for m in model.modules())
    assert use_counter_dropout(model) == 4  # 2 layers x q, v
    swapped = [m for m in model.modules() if isinstance(m, CounterDropout)]
    assert len(swapped) == 4 and all(m.p == P for m in swapped)
    assert sum(isinstance(m, torch.nn.Dropout) for m in model.modules()) == before  # nothing else touched
    assert use_counter_dropout(model) == 0  # idempotent


BACKENDS = ["aot_eager", pytest.param("inductor", marks=pytest.mark.slow)]


def three_adapters(backend: str):
    """(eager, run by ``backend``, weights): three products of one input, each behind its own
    dropout (the LoRA-A products of q, k and v in a layer)."""
    drops = [CounterDropout(P).train() for _ in range(3)]
    weights = [torch.randn(33, 5) for _ in range(3)]
    options = {"fallback_random": True} if backend == "inductor" else None

    def adapters(x):
        return sum(d(x) @ w for d, w in zip(drops, weights))

    run = adapters if backend == "eager" else torch.compile(adapters, backend=backend, options=options)
    return adapters, run, weights


@pytest.mark.parametrize("backend", BACKENDS)
def test_compiled_masks_are_the_eager_masks_and_backward_uses_them(backend):
    """Catches Inductor drawing the masks itself (inlined, per element: another stream, and the slow
    path this module exists to avoid; seen red on Inductor without ``fallback_random``) and a
    backward that uses other masks than the forward (gradient != kept scaling)."""
    eager, compiled, weights = three_adapters(backend)
    x = torch.randn(256, 33)  # 33 columns: no vector length divides a row
    for seed in (1, 2):
        torch.manual_seed(seed)
        want = eager(x)
        torch.manual_seed(seed)
        leaf = x.clone().requires_grad_()
        got = compiled(leaf)
        assert torch.allclose(got, want, atol=1e-5)
        got.sum().backward()
        torch.manual_seed(seed)
        kept = [keep_mask(x.shape, P, draw_offset(x.device)).float() for _ in weights]
        expected = sum(k * w.sum(1) for k, w in zip(kept, weights)) / (1 - P)
        assert torch.allclose(leaf.grad, expected, atol=1e-5)


@pytest.mark.parametrize("backend", ["eager", *BACKENDS])
def test_the_backward_keeps_no_mask(backend):
    """Catches masks kept for the backward: a boolean tensor per mask (seen red on every backend
    with the product outside the checkpoint), or an index as large as the input, shared by the
    masks and so saved by the compiled graph (seen red on aot_eager and Inductor with the offset
    added after the counters)."""
    _, run, _ = three_adapters(backend)
    x = torch.randn(64, 33, requires_grad=True)
    saved: list[torch.Tensor] = []

    def pack(t: torch.Tensor) -> torch.Tensor:
        saved.append(t)
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = run(x)
    out.sum().backward()
    assert not [t for t in saved if t.dtype == torch.bool]
    assert not [t for t in saved if t.dtype == torch.int64 and t.numel() >= x.numel()]
