"""``summed_cross_entropy``: F.cross_entropy's value and gradient, its gradient made in the forward."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from warmth.cross_entropy import summed_cross_entropy
from warmth.objectives import cross_entropy_sum


def logits_and_targets(n=7, v=50, dtype=torch.float64, scale=3.0, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = (torch.randn(n, v, generator=g, dtype=torch.float64) * scale).to(dtype).requires_grad_(True)
    return x, torch.randint(0, v, (n,), generator=g)


def reference(x, t, weight=1.0):
    x = x.detach().clone().requires_grad_(True)
    loss = F.cross_entropy(x.float() if x.dtype not in (torch.float32, torch.float64) else x, t, reduction="sum")
    (loss * weight).backward()
    return loss.detach(), x.grad


def test_value_and_gradient_equal_f_cross_entropy_scaled_by_the_upstream_gradient():
    """Catches a wrong closed form: no -1 at the targets, the upstream gradient ignored (the
    step's ``undo / tokens`` scale), a log-sum-exp without its ``log p_max`` term."""
    x, t = logits_and_targets()
    loss = summed_cross_entropy(x, t)
    (loss * 0.37).backward()
    ref_loss, ref_grad = reference(x, t, 0.37)
    torch.testing.assert_close(loss.detach(), ref_loss, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(x.grad, ref_grad, rtol=1e-12, atol=1e-12)


def test_very_unlikely_targets_keep_an_exact_loss():
    """A target 200 nats below the row's best has probability 0 in fp32; the loss is taken from the
    row's largest logit, so it is still 200 (catches ``-log softmax[target]``, which gives inf)."""
    x = torch.zeros(2, 10, dtype=torch.float32)
    x[:, 3] = 200.0
    x.requires_grad_(True)
    t = torch.tensor([0, 3])
    loss = summed_cross_entropy(x, t)
    loss.backward()
    ref_loss, ref_grad = reference(x, t)
    assert torch.isfinite(loss)
    torch.testing.assert_close(loss.detach(), ref_loss)
    torch.testing.assert_close(x.grad, ref_grad)


def test_bf16_logits_are_reduced_in_fp32_and_get_a_bf16_gradient():
    """Catches a softmax in bf16 (its loss off by far more than fp32 rounding) and a gradient in
    another dtype than the logits' (autograd would refuse it)."""
    x, t = logits_and_targets(n=5, v=300, dtype=torch.bfloat16)
    loss = summed_cross_entropy(x, t)
    loss.backward()
    ref_loss, ref_grad = reference(x, t)
    assert loss.dtype == torch.float32 and x.grad.dtype == torch.bfloat16
    torch.testing.assert_close(loss.detach(), ref_loss, rtol=1e-6, atol=1e-5)
    torch.testing.assert_close(x.grad, ref_grad.to(torch.bfloat16))


def test_no_targets_sum_to_zero_with_an_empty_gradient():
    """A micro-batch without trained tokens (all prompt) gives 0 and a gradient of shape [0, V]
    (catches a per-step check of the targets' range, whose reduction fails on no targets)."""
    x = torch.randn(0, 11, requires_grad=True)
    loss = summed_cross_entropy(x, torch.zeros(0, dtype=torch.long))
    loss.backward()
    assert loss.item() == 0.0 and x.grad.shape == (0, 11)


def test_without_grad_the_value_is_the_same_and_a_second_backward_is_refused():
    """Under no_grad (evaluation) the value is the same; a second backward through one graph says why
    it cannot run (catches a backward that would return the gradient buffer scaled twice)."""
    x, t = logits_and_targets()
    ref_loss = reference(x, t)[0]
    with torch.no_grad():
        torch.testing.assert_close(summed_cross_entropy(x, t), ref_loss, rtol=1e-12, atol=1e-12)
    loss = summed_cross_entropy(x, t)
    loss.backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="runs once"):
        loss.backward()


def test_the_objectives_cross_entropy_is_the_fused_one():
    """``cross_entropy_sum`` (what every objective and the validation loss call) makes no log-softmax
    backward: catches a return to ``F.cross_entropy``, whose graph has ``NllLossBackward``."""
    x, t = logits_and_targets()
    loss, count = cross_entropy_sum(x, t)
    assert count.item() == 7
    assert "Nll" not in type(loss.grad_fn).__name__ and "LogSoftmax" not in type(loss.grad_fn).__name__
    torch.testing.assert_close(loss.detach(), reference(x, t)[0], rtol=1e-12, atol=1e-12)
