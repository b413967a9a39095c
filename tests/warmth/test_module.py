"""Loss and schedule of the LightningModule, checked against hand computations."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from warmth.module import IGNORE_INDEX, lr_lambda, masked_lm_loss


def test_masked_loss_counts_only_labelled_next_tokens() -> None:
    torch.manual_seed(0)
    logits = torch.randn(1, 4, 5)
    labels = torch.tensor([[IGNORE_INDEX, 2, IGNORE_INDEX, 4]])
    loss, count = masked_lm_loss(logits, labels)
    # position t predicts label t+1: targets 2 (from t=0) and 4 (from t=2)
    expected = (F.cross_entropy(logits[0, 0:1], torch.tensor([2]))
                + F.cross_entropy(logits[0, 2:3], torch.tensor([4]))) / 2
    assert count.item() == 2
    assert torch.allclose(loss, expected)


def test_masked_loss_without_targets_is_zero_not_nan() -> None:
    loss, count = masked_lm_loss(torch.randn(1, 3, 5), torch.full((1, 3), IGNORE_INDEX))
    assert count.item() == 0 and loss.item() == 0.0


def test_schedule_warms_up_then_decays() -> None:
    total, warmup = 100, 10
    assert lr_lambda(0, total, warmup, "cosine", 0.0) == 0.1
    assert lr_lambda(9, total, warmup, "cosine", 0.0) == 1.0
    assert math.isclose(lr_lambda(55, total, warmup, "cosine", 0.0), 0.5, abs_tol=1e-9)
    assert math.isclose(lr_lambda(100, total, warmup, "linear", 0.1), 0.1)
    assert lr_lambda(80, total, warmup, "constant", 0.0) == 1.0


def test_training_model_attends_by_segments_unless_turned_off(tmp_path) -> None:
    """``trainer.segment_attention`` reaches the model ChatLM trains (LoRA-wrapped); false keeps sdpa."""
    from tests.conftest import compose
    from warmth.models import load_tokenizer
    from warmth.models.segment_attention import NAME
    from warmth.module import ChatLM

    for flag, want in (("true", NAME), ("false", "sdpa")):
        cfg = compose("train", ["model=tiny", "eval=none", "logger=none", f"trainer.segment_attention={flag}"],
                      run_dir=tmp_path)
        module = ChatLM(cfg.model, cfg.peft, cfg.trainer, load_tokenizer(cfg.model))
        module.configure_model()
        assert module.model.config._attn_implementation == want


def test_trainer_compile_wraps_the_trained_models_layers(tmp_path) -> None:
    """``trainer.compile`` reaches the LoRA-wrapped model ChatLM trains; false (the default) leaves it eager."""
    from tests.conftest import compose
    from warmth.models import load_tokenizer
    from warmth.models.compiled_layers import TrainingForward, decoder_layers
    from warmth.module import ChatLM

    for flag, want in (("true", True), ("false", False)):
        cfg = compose("train", ["model=tiny", "eval=none", "logger=none", f"trainer.compile={flag}"], run_dir=tmp_path)
        module = ChatLM(cfg.model, cfg.peft, cfg.trainer, load_tokenizer(cfg.model))
        module.configure_model()
        layers = decoder_layers(module.model)
        assert layers and all(isinstance(layer.forward, TrainingForward) == want for layer in layers)


def test_trainer_compile_refuses_a_run_of_several_processes(tmp_path) -> None:
    """Catches compile reaching a multi-process run that validation could not see (``strategy=auto``
    picking several devices): the world size is checked when the model is built."""
    from types import SimpleNamespace

    from tests.conftest import compose
    from warmth.errors import ConfigError
    from warmth.models import load_tokenizer
    from warmth.module import ChatLM

    cfg = compose("train", ["model=tiny", "eval=none", "logger=none", "trainer.compile=true"], run_dir=tmp_path)
    module = ChatLM(cfg.model, cfg.peft, cfg.trainer, load_tokenizer(cfg.model))
    module._trainer = SimpleNamespace(world_size=2, precision="32-true",
                                      strategy=SimpleNamespace(root_device=torch.device("cpu")))
    with pytest.raises(ConfigError, match="not in 2 processes"):
        module.configure_model()
