"""The LM head and the summed cross-entropy in one pass over vocabulary chunks.

With the head and the loss apart, the trained positions' logits ``[N, V]``
exist in full, their softmax (the loss's gradient) beside them, and the
head's two matrix products run over the whole vocabulary at once. On
SmolLM2's 49k vocabulary a 4 x 512 micro-batch has N of about 1,800: about
350 MB per ``[N, V]`` tensor, freshly allocated every micro-batch (their
page faults cost 0.4 to 0.7 s on the largest micro-batches of the benchmark
epoch on a CPU), and the head's product ran at about 130 GFLOP/s whole
against about 160 in 4,096-column pieces.

Here the vocabulary is taken ``chunk`` rows of the head's weight at a time:
each chunk's logits ``z = h W_c^T`` are exponentiated against a running
row maximum (rescaled when it grows, as in online softmax), their sum builds
the log-sum-exp, and ``exp(z - m) W_c`` is added into an ``[N, d]``
accumulator. At the end the accumulator over the sum is ``softmax(z) W``, so
the gradient with respect to the hidden states, ``softmax(z) W - W[target]``,
is made in the forward from the same chunks: the FLOPs are those of the head's
forward plus its backward, nothing is recomputed, and nothing larger than
``[N, chunk]`` is allocated. The backward only scales that gradient.

This covers heads that are a frozen, bias-free ``Linear`` (LoRA runs, tied or
untied embeddings); the weight gets no gradient.
"""

from __future__ import annotations

from typing import Any

import torch

from warmth.models.peft_base import base_model

__all__ = ["CHUNK", "fusable_head", "head_cross_entropy"]

CHUNK = 4096

# Model types whose causal-LM forward is exactly ``lm_head(last_hidden_state)``: no logit
# scaling or soft-capping (Gemma 2, Granite, Cohere do one), checked per type in the tests.
PLAIN_HEADS = frozenset({"llama", "mistral", "qwen2", "qwen3"})


class _HeadCrossEntropy(torch.autograd.Function):
    @staticmethod
    def forward(ctx, hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor, chunk: int) -> torch.Tensor:
        device = hidden.device.type
        mm = weight.dtype  # the products' dtype; under autocast an fp32 head multiplies in autocast's, as nn.Linear would
        if weight.dtype == torch.float32 and torch.is_autocast_enabled(device):
            mm = torch.get_autocast_dtype(device)
        with torch.autocast(device, enabled=False):
            h = hidden.to(mm)
            n, grad = h.shape[0], ctx.needs_input_grad[0]
            f = torch.float64 if mm == torch.float64 else torch.float32  # what sums are kept in
            top = h.new_full((n,), float("-inf"), dtype=f)
            total = h.new_zeros(n, dtype=f)
            acc = h.new_zeros(h.shape, dtype=f) if grad else None
            for start in range(0, weight.shape[0], chunk):
                w = weight[start:start + chunk].to(mm)
                z = torch.mm(h, w.t()).to(f)
                new_top = torch.maximum(top, z.amax(dim=1))
                rescale = torch.exp(top - new_top)  # 0 at the first chunk (top = -inf)
                p = z.sub_(new_top[:, None]).exp_()
                total.mul_(rescale).add_(p.sum(dim=1))
                if acc is not None:
                    acc.mul_(rescale[:, None])
                    if w.dtype == f:
                        acc.addmm_(p, w)
                    else:  # 16-bit weights: the product in their dtype, as the head's own backward
                        acc.add_(torch.mm(p.to(w.dtype), w))
                top = new_top
            picked = weight[targets].to(mm).to(f)
            loss = (top + total.log() - (h.to(f) * picked).sum(dim=1)).sum()
            if acc is not None:
                ctx.grad = acc.div_(total[:, None]).sub_(picked).to(hidden.dtype)
        return loss

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> tuple[torch.Tensor, None, None, None]:
        grad = getattr(ctx, "grad", None)
        if grad is None:
            raise RuntimeError("head_cross_entropy's backward runs once: its gradient buffer is scaled in place "
                               "(backward(retain_graph=True) twice through it is not supported)")
        del ctx.grad
        return grad.mul_(grad_out.to(grad.dtype)), None, None, None


def head_cross_entropy(hidden: torch.Tensor, weight: torch.Tensor, targets: torch.Tensor,
                       chunk: int = CHUNK) -> torch.Tensor:
    """Sum over rows of ``-log softmax(hidden @ weight.T)[target]``: ``[N, d]`` hidden states, ``[V, d]``
    head weight, ``[N]`` trained targets.

    Equal to ``F.cross_entropy((hidden @ weight.T).float(), targets, reduction="sum")`` in value
    and in its gradient with respect to ``hidden`` (reduced in fp32, fp64 for fp64 weights; the
    products in the weight's dtype, or in autocast's for an fp32 weight under autocast, as the
    head module's would be); ``weight`` gets none. No ignore index: callers select trained
    positions first.
    """
    if weight.requires_grad:
        raise ValueError("head_cross_entropy gives the head's weight no gradient; a trained head "
                         "needs the logits (warmth.objectives.trained_logits)")
    return _HeadCrossEntropy.apply(hidden, weight, targets, int(chunk))


def fusable_head(model: Any) -> torch.Tensor | None:
    """The head weight when ``model``'s logits are exactly ``last_hidden_state @ weight.T`` and
    the weight is frozen and whole on this rank; otherwise None (the caller takes the logits).

    Whole: not partitioned by ZeRO-3 (``ds_id``) nor sharded by FSDP (a ``DTensor``); those
    gather the weight in the head module's own forward, which this path does not call.
    """
    base = base_model(model)
    if getattr(base.config, "model_type", None) not in PLAIN_HEADS:
        return None
    head = base.get_output_embeddings()
    if type(head) is not torch.nn.Linear or head.bias is not None:  # a peft-wrapped head is another type
        return None
    weight = head.weight
    if weight.requires_grad or hasattr(weight, "ds_id") or type(weight).__name__ == "DTensor":
        return None
    return weight
