"""``trainer.compile``: compiled decoder layers train exactly as eager ones, and compile only for training.

One compiled LoRA model (tiny, dropout 0 so both sides compute the same
function) is compared with an eager copy on packed rows (segment attention)
and on padded rows (sdpa with a padding mask); the number of graphs Dynamo
built is read from its counters to show that the compiled path ran and that a
new packed layout of the same shape reuses the graph; generation must not
reach the compiled forward at all. The default tier compiles with ``aot_eager`` (Dynamo's and
AOTAutograd's graphs, forward and backward, run by eager kernels: seconds);
the slow tier repeats it with Inductor's generated C++ kernels (minutes).
"""

from __future__ import annotations

import copy

import pytest
import torch

from warmth.errors import ConfigError
from warmth.models import load_model
from warmth.models.compiled_layers import TrainingForward, compile_decoder_layers, decoder_layers
from warmth.models.counter_dropout import CounterDropout, use_counter_dropout
from warmth.models.segment_attention import use_segment_attention

ATOL = 1e-5


def graphs() -> int:
    from torch._dynamo.utils import counters

    return int(counters["stats"]["unique_graphs"])


def packed_positions(*rows: list[int]) -> torch.Tensor:
    return torch.stack([torch.cat([torch.arange(n) for n in row]) for row in rows])


BACKENDS = ["aot_eager", pytest.param("inductor", marks=pytest.mark.slow)]


def lora_pair(tiny_cfg, backend: str, checkpointing: bool = False, dropout: float = 0.0) -> tuple:
    """(eager, compiled) LoRA models with the same weights, LoRA factors made non-zero.

    With ``dropout`` the eager copy draws its masks as compiled layers on the CPU do
    (:class:`~warmth.models.counter_dropout.CounterDropout`), so both compute the same function.
    """
    from peft import LoraConfig, get_peft_model

    torch._dynamo.reset()
    base = load_model(tiny_cfg, dtype="float32")
    assert use_segment_attention(base)
    if checkpointing:
        base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    lora = LoraConfig(r=4, lora_alpha=8, lora_dropout=dropout, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"])
    eager = get_peft_model(base, lora)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in eager.named_parameters():
            if "lora_" in name:
                p.copy_(torch.randn(p.shape, generator=gen) * 0.05)
    compiled = copy.deepcopy(eager)
    if dropout:
        assert use_counter_dropout(eager) == 8
    assert compile_decoder_layers(compiled, on_cpu=True, backend=backend) == len(decoder_layers(compiled)) == 2
    return eager.train(), compiled.train()


@pytest.fixture(scope="module", params=BACKENDS)
def pair(tiny_cfg, request):
    return lora_pair(tiny_cfg, request.param)


def step(model, **inputs) -> dict[str, torch.Tensor]:
    torch.manual_seed(5)  # the same dropout masks on both sides
    model.zero_grad()
    out = model(**inputs, labels=inputs["input_ids"], use_cache=False)
    out.loss.backward()
    grads = {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}
    return {"loss": out.loss.detach(), **grads}


def assert_same(want: dict, got: dict) -> None:
    assert want.keys() == got.keys()
    for name, value in want.items():
        assert torch.allclose(got[name], value, atol=ATOL, rtol=1e-4), name


def test_compiled_training_steps_equal_eager_on_packed_and_padded_rows(pair):
    """Catches a compiled path that never runs (no graph built), a wrong fused kernel (loss or
    LoRA gradients differ), and segment attention traced into the graph: a new packed layout of
    the same shape would then rebuild the graph instead of reusing it."""
    eager, compiled = pair
    ids = torch.randint(4, 1000, (2, 24), generator=torch.Generator().manual_seed(1))
    before = graphs()
    packed = {"input_ids": ids, "position_ids": packed_positions([9, 15], [5, 11, 8])}
    assert_same(step(eager, **packed), step(compiled, **packed))
    built = graphs() - before
    assert built > 0, "no graph was compiled: the training forward ran eager"

    relaid = {"input_ids": ids, "position_ids": packed_positions([14, 10], [20, 4])}
    assert_same(step(eager, **relaid), step(compiled, **relaid))
    assert graphs() - before == built, "a new packed layout recompiled the layer"

    mask = torch.ones_like(ids)
    mask[1, 17:] = 0
    padded = {"input_ids": ids, "attention_mask": mask}
    assert_same(step(eager, **padded), step(compiled, **padded))


@pytest.mark.parametrize("backend", BACKENDS)
def test_checkpointed_layers_run_compiled_and_equal_eager(tiny_cfg, backend):
    """Catches gradient checkpointing turning the compile off without a word: traced inside the
    checkpoint, segment attention's graph break made Dynamo run every checkpointed layer eager (no
    graph built; seen red with the checkpointed branch sent to the compiled wrapper). Loss and
    LoRA gradients equal an eager checkpointed copy's, and enabling checkpointing again after the
    compile (which re-sets each layer's checkpointing function) keeps the layers compiled (seen
    red with the checkpointing function wrapped only once)."""
    from warmth.models.compiled_layers import CompiledCheckpoint

    eager, compiled = lora_pair(tiny_cfg, backend, checkpointing=True)
    ids = torch.randint(4, 1000, (2, 24), generator=torch.Generator().manual_seed(4))
    packed = {"input_ids": ids, "position_ids": packed_positions([9, 15], [5, 11, 8])}
    before = graphs()
    assert_same(step(eager, **packed), step(compiled, **packed))
    assert graphs() > before, "no graph was compiled: the checkpointed layers ran eager"
    assert all(isinstance(layer._gradient_checkpointing_func, CompiledCheckpoint) for layer in decoder_layers(compiled))

    compiled.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    assert_same(step(eager, **packed), step(compiled, **packed))
    assert all(isinstance(layer._gradient_checkpointing_func, CompiledCheckpoint) for layer in decoder_layers(compiled))


@pytest.mark.parametrize("checkpointing", [False, True], ids=["plain", "checkpointed"])
@pytest.mark.parametrize("backend", BACKENDS)
def test_lora_dropout_compiled_on_the_cpu_draws_the_eager_counter_masks(tiny_cfg, backend, checkpointing):
    """Catches compiled LoRA dropout left to Inductor's per-element draws (the LoRA dropouts not
    replaced: seen red; or Inductor drawing them itself: seen red without ``fallback_random``), and a
    checkpointed layer whose recompute draws other masks than its forward (the gradients would
    differ from the eager checkpointed model's: seen red with the compiled checkpoint told not to
    restore torch's generator state)."""
    eager, compiled = lora_pair(tiny_cfg, backend, checkpointing=checkpointing, dropout=0.1)
    assert sum(isinstance(m, CounterDropout) for m in compiled.modules()) == 8
    ids = torch.randint(4, 1000, (2, 24), generator=torch.Generator().manual_seed(6))
    packed = {"input_ids": ids, "position_ids": packed_positions([9, 15], [5, 11, 8])}
    want = step(eager, **packed)
    assert_same(want, step(compiled, **packed))
    torch.manual_seed(7)
    other = eager(**packed, labels=ids, use_cache=False).loss.detach()
    assert not torch.allclose(other, want["loss"]), "dropout drew no masks"


def test_generation_stays_eager(pair, monkeypatch):
    """Catches generation through the compiled forward (cached decoding changes shapes and cache
    objects at every token: it would recompile the layer again and again); its tokens equal eager's."""
    eager, compiled = pair

    def refuse(*args, **kwargs):
        raise AssertionError("generation ran a decoder layer's compiled forward")

    for layer in decoder_layers(compiled):
        monkeypatch.setattr(layer.forward, "compiled", refuse)
    prompt = torch.randint(4, 1000, (1, 7), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        want = eager.eval().generate(input_ids=prompt, max_new_tokens=6, do_sample=False)
        got = compiled.eval().generate(input_ids=prompt, max_new_tokens=6, do_sample=False)
    eager.train(), compiled.train()
    assert torch.equal(got, want)


def test_every_decoder_layer_is_wrapped_once(pair):
    _, compiled = pair
    wrapped = [layer.forward for layer in decoder_layers(compiled)]
    assert all(isinstance(f, TrainingForward) for f in wrapped)
    compile_decoder_layers(compiled, on_cpu=True, backend="aot_eager")  # again: no wrapper around the wrapper
    assert all(layer.forward is f for layer, f in zip(decoder_layers(compiled), wrapped))


def test_no_cpp_compiler_is_one_clear_error(tiny_cfg, monkeypatch):
    from warmth.models import compiled_layers

    monkeypatch.setattr(compiled_layers.shutil, "which", lambda name: None)
    with pytest.raises(ConfigError, match="needs a C\\+\\+ compiler"):
        compile_decoder_layers(load_model(tiny_cfg, dtype="float32"), on_cpu=True)


def test_a_model_without_decoder_layers_is_refused():
    with pytest.raises(ConfigError, match="no transformers decoder layers"):
        compile_decoder_layers(torch.nn.Linear(2, 2), on_cpu=False)


def test_a_model_built_later_keeps_the_attention_out_of_graphs(pair, tiny_cfg):
    """Catches the global attention registry being reset by the next model that registers segment
    attention, which would let a compiled model trace it again (seen red without the sticky flag)."""
    from transformers import AttentionInterface

    from warmth.models.segment_attention import NAME, segment_attention

    assert use_segment_attention(load_model(tiny_cfg, dtype="float32"))
    assert AttentionInterface._global_mapping[NAME] is not segment_attention
