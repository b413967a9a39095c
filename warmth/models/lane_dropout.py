"""LoRA dropout for compiled layers on the CPU: two masks' worth of random bits per draw.

Inductor's generated CPU code draws each element's random number with a
whole Philox block of its own (about 7 ns an element here: 8 ms for one
2048 x 576 mask, four masks per layer, about 12% of a compiled SmolLM2
step by the profiler). torch's own generator draws 62 bits in about 3 ns.
:class:`LaneDropout` draws one 62-bit integer per two elements from torch's
generator, kept an aten call under compile (``fallback_random``, see
:mod:`warmth.models.compiled_layers`), and Inductor fuses the rest: two
31-bit lanes per integer, each element kept when its lane is at least
``ceil(p * 2^31)``, so it is dropped with probability ``p`` to within
``2^-31`` (finer than float32 ``rand``'s ``2^-24``), and kept values are
scaled by ``1 / (1 - p)`` as in ``torch.nn.Dropout``.

The masks come from torch's generator, so a seed repeats them, a resume
that restores the generator continues them, a checkpointed layer's
recompute redraws the same ones, and a compiled layer draws exactly the
masks an eager ``LaneDropout`` draws. They are not peft's masks (those are
``bernoulli_`` draws): the distribution is the same, the stream is not, as
for any compiled dropout.
"""

from __future__ import annotations

import math

import torch

LANE = (1 << 31) - 1  # the low 31 bits
BITS = 1 << 62  # torch.randint(0, BITS) is uniform over 62 bits (the range divides 2^64)


def keep_mask(shape: torch.Size, p: float, device: torch.device) -> torch.Tensor:
    """Booleans of ``shape``, each False with probability ``p`` (to within ``2^-31``), independent."""
    *lead, last = shape
    draws = torch.randint(0, BITS, (*lead, (last + 1) // 2), dtype=torch.int64, device=device)
    lanes = torch.stack((draws & LANE, (draws >> 31) & LANE), dim=-1).flatten(-2)[..., :last]
    return lanes >= math.ceil(p * (1 << 31))


class LaneDropout(torch.nn.Dropout):
    """``torch.nn.Dropout`` (same ``p``, same scaling) drawing its mask with :func:`keep_mask`."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        if self.p >= 1:
            return torch.zeros_like(x)
        return x * keep_mask(x.shape, self.p, x.device) * (1.0 / (1.0 - self.p))


def use_lane_dropout(model: torch.nn.Module) -> int:
    """Replace every LoRA dropout of a peft model (``lora_dropout``) by a :class:`LaneDropout`; how many."""
    swapped = 0
    for module in model.modules():
        dropouts = getattr(module, "lora_dropout", None)
        if not isinstance(dropouts, torch.nn.ModuleDict):
            continue
        for name, dropout in dropouts.items():
            if type(dropout) is torch.nn.Dropout:  # p = 0 is an Identity: nothing to draw
                dropouts[name] = LaneDropout(dropout.p)
                swapped += 1
    return swapped
