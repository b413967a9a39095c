"""``sft_kl``: the KL term by hand, beta = 0 is exactly sft, and a large beta pins the model to the base."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from warmth_plugins.backends.hf import load_checkpoint
from warmth_plugins.objectives.sft_kl import SFTKL, kl_sum

from tests.conftest import compose
from warmth.module import ChatLM
from warmth.objectives import IGNORE_INDEX, Objective, trained_targets
from warmth.train import train


def test_kl_sum_by_hand() -> None:
    """The direction is KL(fine-tuned || base), summed over positions.

    Checked by swapping the arguments of ``F.kl_div`` (the test fails).
    """
    torch.manual_seed(0)
    p_logits, q_logits = torch.randn(2, 6), torch.randn(2, 6)
    expected = 0.0
    for t in range(2):
        p, q = F.softmax(p_logits[t], -1), F.softmax(q_logits[t], -1)
        expected += float((p * (p.log() - q.log())).sum())
    assert kl_sum(p_logits, q_logits).item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("head_on_trained_only", [True, False], ids=["logits_to_keep", "fallback"])
def test_trained_logits_are_the_full_logits_at_trained_positions(monkeypatch, head_on_trained_only: bool) -> None:
    """The LM head on trained positions only (``logits_to_keep``), and the fallback for models
    without it (full logits, then the selection), both give the full forward's logits there, in
    the targets' order. Checked by dropping the shift in ``trained_mask`` (red)."""
    import warmth.objectives

    if not head_on_trained_only:
        monkeypatch.setattr(warmth.objectives, "takes_logits_to_keep", lambda model: False)
    module = _tiny_module(Objective())
    batch = _batch()
    batch["labels"][1, 15:18] = IGNORE_INDEX  # rows with different trained positions
    module.eval()  # no LoRA dropout: both passes see the same model
    with torch.no_grad():
        full = module.model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
        picked = module(batch)
    labels = batch["labels"]
    expected = full[:, :-1][labels[:, 1:] != IGNORE_INDEX]
    assert picked.shape == expected.shape
    torch.testing.assert_close(picked, expected, rtol=1e-5, atol=1e-5)
    assert torch.equal(trained_targets(labels), labels[:, 1:][labels[:, 1:] != IGNORE_INDEX])


def _tiny_module(objective: Objective) -> ChatLM:
    cfg = compose("train", ["model=tiny", "peft.dropout=0.1"])
    module = ChatLM(cfg.model, cfg.peft, cfg.trainer, tokenizer=None, objective=objective)
    module.configure_model()
    with torch.no_grad():  # move off LoRA's zero init, or fine-tuned == base and KL is trivially 0
        for name, p in module.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.05, generator=torch.Generator().manual_seed(1))
    return module


def _loss_and_grads(module: ChatLM, batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor, list[torch.Tensor]]:
    module.model.zero_grad(set_to_none=True)
    torch.manual_seed(123)  # the same LoRA dropout masks for every call
    out = module.objective.loss(module, batch, module(batch))
    loss = out.total / out.count
    loss.backward()
    return loss.detach(), [p.grad.clone() for p in module.model.parameters() if p.requires_grad]


def _batch() -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    ids = torch.randint(5, 200, (2, 24), generator=g)
    labels = ids.clone()
    labels[:, :10] = IGNORE_INDEX
    return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}


def test_beta_zero_gives_exactly_the_sft_loss_and_gradient() -> None:
    """Bitwise equal loss and gradients; a positive beta does change them (so the test can tell).

    Checked by making beta = 0 still add ``0.1 * kl`` (the test fails on the loss).
    """
    module = _tiny_module(Objective())
    batch = _batch()
    sft_loss, sft_grads = _loss_and_grads(module, batch)
    module.objective = SFTKL(beta=0.0)
    kl0_loss, kl0_grads = _loss_and_grads(module, batch)
    assert torch.equal(sft_loss, kl0_loss)
    assert all(torch.equal(a, b) for a, b in zip(sft_grads, kl0_grads))
    module.objective = SFTKL(beta=0.5)
    kl_loss, kl_grads = _loss_and_grads(module, batch)
    assert kl_loss > sft_loss
    assert not all(torch.equal(a, b) for a, b in zip(sft_grads, kl_grads))


def test_reference_is_the_base_model_with_the_adapter_off() -> None:
    """The reference logits are the base weights' alone (LoRA switched off) at the trained positions,
    and no grad flows into them. Checked by leaving the adapter on: the test fails."""
    module = _tiny_module(SFTKL(beta=1.0))
    batch = _batch()
    ref = module.objective._reference_logits(module, batch)
    base = module.model.get_base_model()
    with module.model.disable_adapter(), torch.no_grad():
        expected = base(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
    picked = batch["labels"][:, 1:] != IGNORE_INDEX
    assert not ref.requires_grad and ref.shape == (int(picked.sum()), expected.shape[-1])
    assert torch.allclose(ref, expected[:, :-1][picked], atol=1e-5)
    tuned = module(batch)
    assert not torch.allclose(tuned, ref, atol=1e-3)  # the adapter does change the model


TRAIN = ["model=tiny", "eval=none", "logger=none", "trainer.enable_progress_bar=false", "trainer.lr=0.002",
         "trainer.warmup_ratio=0", "trainer.scheduler=constant", "trainer.max_steps=40",
         "trainer.micro_batch_size=2", "trainer.effective_batch_size=2", "data.limit=40", "data.max_length=128",
         "peft.dropout=0"]
# Max |logit - base logit| a very large beta keeps the trained model within. Adam's steps have a
# size (about lr) whatever the gradient's scale, so the KL pull cannot hold the model closer than
# about one step; what it prevents is the drift that sft accumulates step after step (measured:
# 40 steps at lr 2e-3, sft 0.76, sft_kl beta=1e4 0.07).
DRIFT_TOL = 0.15


def _drift(run: Path) -> float:
    """Largest absolute logit change from the base model over held-out text, for the run's last adapter."""
    cfg = compose("train", ["model=tiny"])
    trained = load_checkpoint(cfg.model, run / "checkpoints" / "last").eval()
    base = load_checkpoint(cfg.model, None).eval()
    ids = torch.randint(5, 200, (2, 32), generator=torch.Generator().manual_seed(7))
    with torch.no_grad():
        return float((trained(input_ids=ids).logits - base(input_ids=ids).logits).abs().max())


def test_large_beta_keeps_the_trained_model_at_the_base(tmp_path: Path) -> None:
    """Real training runs (40 steps at lr 2e-3): sft moves the logits far, sft_kl with beta 1e4 does not.

    The sft control shows the tolerance is not loose: with the KL term
    removed from the sft_kl objective, this test fails.
    """
    train(compose("train", TRAIN + ["objective=sft"], run_dir=tmp_path / "sft"))
    train(compose("train", TRAIN + ["objective=sft_kl", "objective.beta=10000"], run_dir=tmp_path / "kl"))
    sft, kl = _drift(tmp_path / "sft"), _drift(tmp_path / "kl")
    assert sft > 3 * DRIFT_TOL, f"sft drift {sft:.3f}: the control does not move; the test proves nothing"
    assert kl < DRIFT_TOL, f"sft_kl beta=1e4 drifted {kl:.3f} from the base model"


def test_without_lora_the_reference_is_a_frozen_copy_kept_out_of_the_module() -> None:
    """peft=none: ``setup`` copies the model once, frozen and outside the LightningModule (never
    trained or checkpointed), and the KL compares against that copy; beta = 0 makes no copy.
    Checked by making ``setup`` skip the copy (the first assertion fails)."""
    cfg = compose("train", ["model=tiny", "peft=none"])
    module = ChatLM(cfg.model, cfg.peft, cfg.trainer, tokenizer=None, objective=SFTKL(beta=1.0))
    module.configure_model()
    module.objective.setup(module)
    ref = module.objective.reference
    assert ref is not None and ref is not module.model
    assert not any(p.requires_grad for p in ref.parameters())
    assert not any(p is q for p in ref.parameters() for q in module.parameters())
    batch = _batch()
    module.eval()
    with torch.no_grad():
        assert torch.equal(module.objective._reference_logits(module, batch), module(batch))  # untrained: same model
    zero = SFTKL(beta=0.0)
    zero.setup(module)
    assert zero.reference is None
