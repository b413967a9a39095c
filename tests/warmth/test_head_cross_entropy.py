"""``head_cross_entropy``: the head and the loss over vocabulary chunks equal the logits then
``F.cross_entropy``; ``fusable_head`` takes that path only where it is exact; plain objectives use it."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from tests.conftest import compose
from warmth.head_cross_entropy import PLAIN_HEADS, fusable_head, head_cross_entropy
from warmth.module import ChatLM
from warmth.objectives import (
    IGNORE_INDEX,
    LossSums,
    Objective,
    cross_entropy_sum,
    trained_hidden,
    trained_logits,
    trained_targets,
)


def hidden_weight_targets(n=9, d=8, v=50, scale=1.0, dtype=torch.float64, seed=0):
    g = torch.Generator().manual_seed(seed)
    h = (torch.randn(n, d, generator=g, dtype=torch.float64) * scale).to(dtype).requires_grad_(True)
    w = torch.randn(v, d, generator=g, dtype=torch.float64).to(dtype)
    return h, w, torch.randint(0, v, (n,), generator=g)


def reference(h, w, t, weight=1.0):
    h = h.detach().clone().requires_grad_(True)
    loss = F.cross_entropy((h @ w.t()).float() if w.dtype not in (torch.float32, torch.float64) else h @ w.t(), t,
                           reduction="sum")
    (loss * weight).backward()
    return loss.detach(), h.grad


@pytest.mark.parametrize("chunk", [7, 16, 50, 4096], ids=["uneven", "even", "one", "larger"])
def test_value_and_gradient_equal_the_logits_then_f_cross_entropy(chunk: int) -> None:
    """For any chunking of the vocabulary (a last chunk shorter, one chunk, a chunk past V), scaled by
    the upstream gradient. Catches a chunk left out, an accumulator not divided by the softmax's sum,
    the target's head row not subtracted (both seen red), and the upstream gradient ignored."""
    h, w, t = hidden_weight_targets()
    loss = head_cross_entropy(h, w, t, chunk=chunk)
    (loss * 0.37).backward()
    ref_loss, ref_grad = reference(h, w, t, 0.37)
    torch.testing.assert_close(loss.detach(), ref_loss, rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(h.grad, ref_grad, rtol=1e-12, atol=1e-12)


def test_a_maximum_that_grows_across_chunks_rescales_what_came_before() -> None:
    """Rows whose largest logit sits in a late chunk, hundreds of nats above the early ones: the sums
    and the gradient accumulated before it must be rescaled (catches a rescale left out, seen red:
    exp overflows or the early chunks count at the wrong scale), and the loss stays finite in fp32."""
    h, w, t = hidden_weight_targets(n=6, d=4, v=40, dtype=torch.float32)
    w = w.clone()
    w[35:] *= 60.0  # the last chunk's logits dwarf the others
    w[:5] *= -60.0
    loss = head_cross_entropy(h, w, t, chunk=10)
    loss.backward()
    ref_loss, ref_grad = reference(h, w, t)
    assert torch.isfinite(loss)
    torch.testing.assert_close(loss.detach(), ref_loss, rtol=1e-5, atol=1e-3)
    torch.testing.assert_close(h.grad, ref_grad, rtol=1e-5, atol=1e-4)


def test_bf16_weights_multiply_in_bf16_and_reduce_in_fp32() -> None:
    """A bf16 head (a LoRA base under mixed precision): the gradient is bf16 like the hidden states and
    the loss fp32, close to the bf16 logits' F.cross_entropy (catches a softmax in bf16)."""
    h, w, t = hidden_weight_targets(n=5, d=16, v=300, dtype=torch.bfloat16)
    loss = head_cross_entropy(h, w, t, chunk=64)
    loss.backward()
    ref_loss, ref_grad = reference(h, w, t)
    assert loss.dtype == torch.float32 and h.grad.dtype == torch.bfloat16
    torch.testing.assert_close(loss.detach(), ref_loss, rtol=2e-3, atol=2e-2)
    torch.testing.assert_close(h.grad, ref_grad, rtol=2e-2, atol=2e-2)


def test_an_fp32_head_under_autocast_multiplies_in_autocast_dtype_like_the_head_module() -> None:
    """bf16-mixed with an fp32 head: ``nn.Linear`` under autocast multiplies in bf16, so the fused
    path must too: the same loss and gradient as a bf16 head and bf16 hidden states (checked against
    the logits above), not the fp32 products' loss. Catches autocast ignored (seen red)."""
    h, w, t = hidden_weight_targets(n=64, d=64, v=500, dtype=torch.float32, scale=3.0)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        loss = head_cross_entropy(h, w, t, chunk=128)
        assert torch.nn.functional.linear(h, w).dtype == torch.bfloat16  # what the head module computes in
    loss.backward()
    h16 = h.detach().bfloat16().requires_grad_(True)
    loss16 = head_cross_entropy(h16, w.bfloat16(), t, chunk=128)
    loss16.backward()
    fp32 = head_cross_entropy(h.detach(), w, t, chunk=128)
    torch.testing.assert_close(loss.detach(), loss16.detach(), rtol=0, atol=0)
    torch.testing.assert_close(h.grad, h16.grad.float(), rtol=8e-3, atol=1e-4)  # that one rounded to bf16
    assert h.grad.dtype == torch.float32
    assert (loss.detach() - fp32).abs() > 1e-2, "the products were not made in bf16"


def test_no_targets_sum_to_zero_and_a_trained_head_or_second_backward_is_refused() -> None:
    """No trained tokens give 0 and an empty gradient; a head that wants a gradient is refused (this
    path gives it none); a second backward through the in-place-scaled buffer says why it cannot."""
    h, w, t = hidden_weight_targets()
    empty = torch.zeros(0, 8, dtype=torch.float64, requires_grad=True)
    zero = head_cross_entropy(empty, w, t[:0])
    zero.backward()
    assert zero.item() == 0.0 and empty.grad.shape == (0, 8)
    with pytest.raises(ValueError, match="no gradient"):
        head_cross_entropy(h, w.clone().requires_grad_(True), t)
    loss = head_cross_entropy(h, w, t)
    loss.backward(retain_graph=True)
    with pytest.raises(RuntimeError, match="runs once"):
        loss.backward()


def _small_model(model_type: str, lora_targets: list[str] | None = None):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoConfig, AutoModelForCausalLM

    config = AutoConfig.for_model(model_type, vocab_size=97, hidden_size=32, intermediate_size=64,
                                  num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                                  head_dim=8, max_position_embeddings=64, tie_word_embeddings=False)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config, attn_implementation="eager", dtype=torch.float32)
    model = get_peft_model(model, LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0,
                                             target_modules=lora_targets or ["q_proj", "v_proj"]))
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.1)
    return model.eval()


def _inputs_and_labels(vocab: int = 97):
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(0, vocab, (2, 12), generator=g)
    labels = ids.clone()
    labels[:, :4] = IGNORE_INDEX
    labels[1, 8:] = IGNORE_INDEX
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids)}, labels


def _loss_and_grads(model, loss_fn):
    model.zero_grad(set_to_none=True)
    loss = loss_fn()
    loss.backward()
    return loss.detach(), [p.grad.clone() for p in model.parameters() if p.requires_grad]


@pytest.mark.parametrize("model_type", sorted(PLAIN_HEADS))
def test_every_plain_head_type_trains_the_same_lora_gradients_through_the_fused_path(model_type: str) -> None:
    """For each model type the fused path accepts, the decoder's hidden states at trained positions
    through ``head_cross_entropy`` give the model's own logits' loss and LoRA gradients. Catches a
    type put on the list whose head scales or caps its logits (adding ``gemma2``: seen red) and a
    hidden-state selection out of step with the targets."""
    model = _small_model(model_type)
    inputs, labels = _inputs_and_labels()
    weight = fusable_head(model)
    assert weight is model.get_base_model().lm_head.weight
    targets = trained_targets(labels)
    fused = _loss_and_grads(model, lambda: head_cross_entropy(trained_hidden(model, inputs, labels), weight, targets))
    plain = _loss_and_grads(model, lambda: cross_entropy_sum(trained_logits(model, inputs, labels), targets)[0])
    torch.testing.assert_close(fused[0], plain[0], rtol=1e-5, atol=1e-5)
    for a, b in zip(fused[1], plain[1], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)


def test_heads_that_are_not_exactly_a_frozen_whole_linear_take_the_logits() -> None:
    """None (the logits path) for a soft-capped head's model type, a head LoRA trains, a head whose
    weight is trained, and a weight partitioned by ZeRO-3 (``ds_id``) whose module this path would
    not call. Catches each check dropped from ``fusable_head``."""
    assert fusable_head(_small_model("llama")) is not None
    assert fusable_head(_small_model("gemma2")) is None
    assert fusable_head(_small_model("llama", ["q_proj", "lm_head"])) is None
    trained = _small_model("llama")
    trained.get_base_model().lm_head.weight.requires_grad_(True)
    assert fusable_head(trained) is None
    sharded = _small_model("llama")
    sharded.get_base_model().lm_head.weight.ds_id = 0
    assert fusable_head(sharded) is None


def test_a_head_sharded_by_fsdp_takes_the_logits() -> None:
    """A head weight that is a ``DTensor`` (FSDP2's shards, here one rank over gloo in this process):
    only the head module's forward gathers it, so the fused path must not take it. Catches the
    DTensor check dropped from ``fusable_head``."""
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import Shard, distribute_tensor

    if dist.is_initialized():
        pytest.skip("a process group already exists in this process; this test makes its own")
    dist.init_process_group("gloo", rank=0, world_size=1, store=dist.HashStore())
    try:
        model = _small_model("llama")
        head = model.get_base_model().lm_head
        head.weight = torch.nn.Parameter(distribute_tensor(head.weight.detach(), init_device_mesh("cpu", (1,)),
                                                           [Shard(0)]), requires_grad=False)
        assert fusable_head(model) is None
    finally:
        dist.destroy_process_group()


class _Counted(Objective):
    """Plain cross-entropy written out again: an override of ``loss``, so it gets the logits."""

    def __init__(self) -> None:
        self.calls = 0

    def loss(self, module, batch, logits) -> LossSums:
        self.calls += 1
        return super().loss(module, batch, logits)


def test_plain_objectives_never_run_the_head_module_and_overrides_still_get_logits() -> None:
    """``Objective.step_loss``: sft (the tiny model, LoRA) runs without a call of the LM head module
    and gives the logits path's loss and gradients; an objective overriding ``loss`` gets logits.
    Catches the fused path switched off (the head is called: seen red) or taken for objectives
    whose ``loss`` would then be skipped."""
    cfg = compose("train", ["model=tiny", "peft.dropout=0.0"])
    module = ChatLM(cfg.model, cfg.peft, cfg.trainer, tokenizer=None, objective=Objective())
    module.configure_model()
    head_calls = []
    module.model.get_output_embeddings().register_forward_hook(lambda *a: head_calls.append(1))
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(0, 200, (2, 16), generator=g)
    labels = ids.clone()
    labels[:, :5] = IGNORE_INDEX
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}
    fused = _loss_and_grads(module.model, lambda: module.objective.step_loss(module, batch).total)
    assert head_calls == []
    counted = _Counted()
    module.objective = counted
    plain = _loss_and_grads(module.model, lambda: module.objective.step_loss(module, batch).total)
    assert counted.calls == 1 and len(head_calls) == 1
    torch.testing.assert_close(fused[0], plain[0], rtol=1e-5, atol=1e-5)
    for a, b in zip(fused[1], plain[1], strict=True):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-6)
