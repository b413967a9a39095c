"""LoRA dropout for compiled layers on the CPU: masks hashed from counters, recomputed in the backward.

Inductor's generated CPU code draws each element's random number with a
whole Philox block of its own (about 7 ns an element here, four
2048 x 576 masks per layer). :class:`CounterDropout` draws one 62-bit offset
``s`` per mask from torch's generator (kept an aten call under compile,
``fallback_random``, see :mod:`warmth.models.compiled_layers`); element ``i``
of the mask (row-major) then takes output ``s + i + 1`` of SplitMix64 run from
state 0 (a Weyl step, then Stafford's "mix13" finaliser: a well-tested
generator of period 2^64). That is integer arithmetic on the element's index,
which Inductor vectorises and fuses into the masked multiply: about 0.4 ns an
element, and no tensor of random numbers in memory. Two masks of ``n``
elements share outputs only if their offsets lie within ``n`` of each other
(probability about ``2n / 2^62``).

The mask is never stored. Inductor's CPU code writes a boolean mask slowly
(about 3 ms for one 2048 x 576 mask here, more than the hash and the product
together), and a stored mask would hold memory until the backward. The
masked product runs under a checkpoint, so the backward recomputes it from
the input and the offset: a LoRA dropout then saves what the layer without
dropout saves, plus one integer.

Each element is kept when the top 31 bits of its output are at least
``ceil(p * 2^31)``, so it is dropped with probability ``p`` to within
``2^-31`` (finer than float32 ``rand``'s ``2^-24``); kept values are scaled
by ``1 / (1 - p)`` as in ``torch.nn.Dropout``. A seed repeats the masks, a
resume that restores torch's generator continues them, a checkpointed
layer's recompute redraws the same ones, and a compiled layer computes
exactly the masks an eager ``CounterDropout`` computes. They are not peft's
masks (those are ``bernoulli_`` draws): the distribution is the same, the
stream is not, as for any compiled dropout.
"""

from __future__ import annotations

import math

import torch
from torch.utils.checkpoint import checkpoint

# SplitMix64's constants as signed 64-bit integers (torch's int64 products wrap as uint64's do).
GAMMA = 0x9E3779B97F4A7C15 - (1 << 64)
MIX = (0xBF58476D1CE4E5B9 - (1 << 64), 0x94D049BB133111EB - (1 << 64))
OFFSETS = 1 << 62  # torch.randint(0, OFFSETS) is uniform over 62 bits


def _shr(z: torch.Tensor, k: int) -> torch.Tensor:
    """Logical right shift of int64 (torch's ``>>`` is arithmetic)."""
    return (z >> k) & ((1 << (64 - k)) - 1)


def splitmix64(k: torch.Tensor) -> torch.Tensor:
    """Output ``k`` (int64, elementwise) of SplitMix64 run from state 0."""
    z = k * GAMMA
    z = (z ^ _shr(z, 30)) * MIX[0]
    z = (z ^ _shr(z, 27)) * MIX[1]
    return z ^ _shr(z, 31)


def counters(shape: torch.Size, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """``(rows, cols)`` whose broadcast sum is each element's row-major index plus one.

    Two small tensors, not one of the mask's size: a checkpoint saves its inputs, and
    under compile a full-size index shared by a layer's masks would be saved too.
    """
    width = shape[-1]
    rows = torch.arange(0, math.prod(shape), width, dtype=torch.int64, device=device).view(-1, 1)
    return rows, torch.arange(1, width + 1, dtype=torch.int64, device=device)


def _keep(offset: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor, p: float) -> torch.Tensor:
    # The offset is added first: each mask's arithmetic is its own, nothing of the mask's size is shared.
    return _shr(splitmix64(offset + rows + cols), 33) >= math.ceil(p * (1 << 31))


def keep_mask(shape: torch.Size, p: float, offset: torch.Tensor) -> torch.Tensor:
    """Booleans of ``shape``, each False with probability ``p`` (to within ``2^-31``), independent."""
    return _keep(offset, *counters(shape, offset.device), p).view(shape)


def draw_offset(device: torch.device) -> torch.Tensor:
    """One mask's offset into the SplitMix64 stream, from torch's generator."""
    return torch.randint(0, OFFSETS, (), dtype=torch.int64, device=device)


def _dropped(x: torch.Tensor, offset: torch.Tensor, rows: torch.Tensor, cols: torch.Tensor, p: float) -> torch.Tensor:
    return x * _keep(offset, rows, cols, p).view(x.shape) * (1.0 / (1.0 - p))


class CounterDropout(torch.nn.Dropout):
    """``torch.nn.Dropout`` (same ``p``, same scaling) with :func:`keep_mask`'s masks, recomputed in the backward."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0 or x.numel() == 0:
            return x
        if self.p >= 1:
            return torch.zeros_like(x)
        # Nothing random inside the checkpoint (the offset is drawn before it): no generator state to keep.
        return checkpoint(_dropped, x, draw_offset(x.device), *counters(x.shape, x.device), self.p,
                          use_reentrant=False, preserve_rng_state=False)


def use_counter_dropout(model: torch.nn.Module) -> int:
    """Replace every LoRA dropout of a peft model (``lora_dropout``) by a :class:`CounterDropout`; how many."""
    swapped = 0
    for module in model.modules():
        dropouts = getattr(module, "lora_dropout", None)
        if not isinstance(dropouts, torch.nn.ModuleDict):
            continue
        for name, dropout in dropouts.items():
            if type(dropout) is torch.nn.Dropout:  # p = 0 is an Identity: nothing to draw
                dropouts[name] = CounterDropout(dropout.p)
                swapped += 1
    return swapped
