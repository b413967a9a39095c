"""``trainer.compile``: each decoder layer's training forward compiled with ``torch.compile``.

A CPU training step spends about half its time outside matrix products
(norms, rotary embeddings, LoRA dropout and its products, residual adds,
SiLU): many small passes over memory. Inductor fuses them. We compile
layer by layer ("regional" compilation): every decoder layer of a model runs
the same code, so the same few graphs serve all of them and compiling costs
one layer, not the whole model; the embedding, the LM head and the loss stay
eager.

Under gradient checkpointing the checkpoint stays eager around the compiled
layer (see :class:`TrainingForward`).

Only forwards that autograd records run compiled. Generation (evaluation
during training) runs without gradients and its cached decoding changes
shapes and cache objects at every token, which would recompile the layer
again and again; it keeps the eager forward, as do validation losses.

Compiled arithmetic equals eager up to float rounding, except LoRA dropout.
On the CPU its masks come from :class:`~warmth.models.counter_dropout.CounterDropout`
(Inductor's own per-element draws cost about an eighth of a step there): one
offset per mask drawn from torch's generator, with Inductor told to leave
random draws to torch (``fallback_random``), the rest hashed in the graph. A
seeded run repeats itself and a compiled layer computes the masks an eager
``CounterDropout`` computes, but not what an uncompiled run's peft dropout
(``bernoulli_``) draws. On a GPU Inductor's generator draws them (seeded from
torch's), again not the eager run's masks.
"""

from __future__ import annotations

import functools
import shutil
from typing import Any

import torch

from warmth.errors import ConfigError
from warmth.models import segment_attention
from warmth.models.counter_dropout import use_counter_dropout

COMPILERS = ("c++", "g++", "clang++")


class TrainingForward:
    """A layer's ``forward``: compiled while autograd records, eager otherwise.

    Under gradient checkpointing the checkpoint must stay outside the compiled
    code: traced inside it, segment attention's graph break makes Dynamo run
    the whole checkpointed layer eager, silently. There the layer's own
    checkpointing runs eager and checkpoints the compiled inner forward
    (:class:`CompiledCheckpoint`).
    """

    def __init__(self, layer: torch.nn.Module, backend: str = "inductor", options: dict | None = None) -> None:
        self.layer, self.backend, self.options = layer, backend, options
        self.eager = layer.forward
        self.compiled = torch.compile(self.eager, backend=backend, options=options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not torch.is_grad_enabled():
            return self.eager(*args, **kwargs)
        if getattr(self.layer, "gradient_checkpointing", False) and self.layer.training:
            func = self.layer._gradient_checkpointing_func  # re-set by each gradient_checkpointing_enable()
            if not isinstance(func, CompiledCheckpoint):
                self.layer._gradient_checkpointing_func = CompiledCheckpoint(func, self.backend, self.options)
            return self.eager(*args, **kwargs)
        return self.compiled(*args, **kwargs)


class CompiledCheckpoint:
    """A layer's checkpointing function that checkpoints its compiled forward.

    transformers calls it with ``partial(<the layer class's forward>, layer,
    **kwargs)``; the class's forward is compiled once, on the first call, and
    the checkpoint (recompute included) runs that.
    """

    def __init__(self, checkpoint: Any, backend: str, options: dict | None = None) -> None:
        self.checkpoint, self.backend, self.options, self.inner = checkpoint, backend, options, None

    def __call__(self, forward: functools.partial, *args: Any) -> Any:
        if self.inner is None:
            self.inner = torch.compile(forward.func, backend=self.backend, options=self.options)
        return self.checkpoint(functools.partial(self.inner, *forward.args, **forward.keywords), *args)


def decoder_layers(model: torch.nn.Module) -> list[torch.nn.Module]:
    """The decoder layers of a transformers model (peft-wrapped or not)."""
    from transformers.modeling_layers import GradientCheckpointingLayer

    return [m for m in model.modules() if isinstance(m, GradientCheckpointingLayer)]


def compile_decoder_layers(model: torch.nn.Module, on_cpu: bool, backend: str = "inductor",
                           counter_dropout: bool = True) -> int:
    """Give every decoder layer of ``model`` a :class:`TrainingForward`; the number of layers.

    On the CPU the LoRA dropouts become :class:`~warmth.models.counter_dropout.CounterDropout`
    and Inductor calls torch for random draws (``fallback_random``: inlined, each element
    would run a Philox block of its own); ``counter_dropout=False`` leaves both as they are (the
    benchmark's "before"). ``backend`` is torch.compile's (tests use ``aot_eager``: the same
    graphs, no C++ build, no options).
    """
    if on_cpu and backend == "inductor" and not any(shutil.which(c) for c in COMPILERS):
        raise ConfigError("trainer.compile=true on the CPU needs a C++ compiler on PATH (c++, g++ or clang++) "
                          "for torch.compile's generated kernels; install one or set trainer.compile=false")
    layers = decoder_layers(model)
    if not layers:
        raise ConfigError(f"trainer.compile=true found no transformers decoder layers in {type(model).__name__}; "
                          "set trainer.compile=false for this model")
    if getattr(model.config, "_attn_implementation", None) == segment_attention.NAME:
        segment_attention.register(under_compile=True)
    options = None
    if on_cpu and counter_dropout:
        use_counter_dropout(model)
        options = {"fallback_random": True} if backend == "inductor" else None
    for layer in layers:
        if not isinstance(layer.forward, TrainingForward):
            layer.forward = TrainingForward(layer, backend, options)
    return len(layers)
