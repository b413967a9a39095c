"""Summed cross-entropy whose gradient is made in the forward pass.

``F.cross_entropy`` keeps the ``[N, V]`` log-softmax for its backward, and the
backward then allocates two more ``[N, V]`` tensors (the one-hot gradient of
the gather and the log-softmax's input gradient) at the moment every layer's
activations are still alive: measured on SmolLM2 (49k vocabulary) on a CPU,
about 0.6 GiB of peak RSS on a 4 x 512 micro-batch and 9% of an uncompiled
step on the demo's rows (BENCHMARKS.md, ``cross_entropy``), likely most of it
page faults of those fresh tensors. The gradient of a summed cross-entropy is
known in closed form, ``softmax(x) - onehot(target)``, so the forward computes
the softmax once, takes the loss from it and keeps that one tensor as the
gradient; the backward only scales it.

The log-sum-exp comes from the softmax at each row's largest logit
(``lse = max - log p_max``): ``p_max >= 1/V`` never underflows, unlike the
target's own probability, so the loss stays exact for targets the model finds
very unlikely.
"""

from __future__ import annotations

import torch

__all__ = ["summed_cross_entropy"]


class _SummedCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        x = logits if logits.dtype in (torch.float32, torch.float64) else logits.float()
        probs = torch.softmax(x, dim=-1)
        rows = torch.arange(targets.numel(), device=targets.device)
        top, at = x.max(dim=-1)
        lse = top - probs[rows, at].log()
        loss = (lse - x[rows, targets]).sum()
        if ctx.needs_input_grad[0]:
            probs[rows, targets] -= 1
            ctx.grad = probs.to(logits.dtype)
        return loss

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> tuple[torch.Tensor, None]:
        grad = getattr(ctx, "grad", None)
        if grad is None:
            raise RuntimeError("summed_cross_entropy's backward runs once: its gradient buffer is scaled in place "
                               "(backward(retain_graph=True) twice through it is not supported)")
        del ctx.grad
        return grad.mul_(grad_out.to(grad.dtype)), None


def summed_cross_entropy(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Sum over rows of ``-log softmax(logits)[target]``: ``[N, V]`` logits, ``[N]`` trained targets.

    Equal to ``F.cross_entropy(logits.float(), targets, reduction="sum")`` in
    value and gradient, computed in fp32 (fp64 stays fp64); the gradient has the
    logits' dtype. There is no ignore index: callers select trained positions
    first (an index of -100 would count vocabulary entry V - 100; it is not
    checked per step, which would cost a GPU a synchronisation).
    """
    return _SummedCrossEntropy.apply(logits, targets)
