"""In-process HF generation on the tiny built-in model: batching, padding, seeds, samples."""

from __future__ import annotations

import pytest
import torch
from omegaconf import OmegaConf
from warmth_plugins.backends.hf import HFBackend, load_checkpoint

from warmth.errors import ConfigError
from warmth.eval.interfaces import GenerationParams
from warmth.paths import CONF_DIR


@pytest.fixture(scope="module")
def backend():
    torch.set_num_threads(1)  # tiny model: threads only add contention on shared CPUs
    return HFBackend(model_cfg=OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"), batch_size=3)


REQS = [[{"role": "user", "content": t}] for t in
        ["Hi", "What is the capital of France, please tell me now?", "Two plus two?", "A much longer question " * 5]]


def test_batched_greedy_equals_one_by_one(backend):
    params = GenerationParams(temperature=0, max_new_tokens=6)
    together = backend.generate(REQS, params)
    alone = [backend.generate([r], params)[0] for r in REQS]
    assert together == alone  # left padding + attention mask do not change outputs
    assert all(len(o) == 1 for o in together)


def test_sampling_seeded_and_samples(backend):
    p = GenerationParams(temperature=0.8, max_new_tokens=6, n_samples=2, seed=5)
    a, b = backend.generate(REQS, p), backend.generate(REQS, p)
    assert a == b and all(len(o) == 2 for o in a)
    c = backend.generate(REQS, GenerationParams(temperature=0.8, max_new_tokens=6, n_samples=2, seed=6))
    assert c != a
    # the global RNG is left alone (training randomness is not disturbed)
    torch.manual_seed(0)
    x = torch.rand(1)
    torch.manual_seed(0)
    backend.generate(REQS[:1], p)
    assert torch.equal(torch.rand(1), x)


def test_training_mode_restored(backend):
    backend.model.train()
    backend.generate(REQS[:1], GenerationParams(temperature=0, max_new_tokens=2))
    assert backend.model.training
    backend.model.eval()


def test_bad_checkpoint_dir(tmp_path):
    cfg = OmegaConf.load(CONF_DIR / "model" / "tiny.yaml")
    with pytest.raises(ConfigError, match="checkpoint directory not found"):
        load_checkpoint(cfg, tmp_path / "nope")
    with pytest.raises(ConfigError, match="neither adapter_config.json"):
        load_checkpoint(cfg, tmp_path)


def test_lora_checkpoint_loads(tmp_path):
    from peft import LoraConfig, PeftModel, get_peft_model

    cfg = OmegaConf.load(CONF_DIR / "model" / "tiny.yaml")
    model = load_checkpoint(cfg, None)
    peft_model = get_peft_model(model, LoraConfig(r=2, target_modules=["q_proj"], init_lora_weights=False))
    peft_model.save_pretrained(tmp_path)
    loaded = load_checkpoint(cfg, tmp_path)
    assert isinstance(loaded, PeftModel)
    key = next(k for k in loaded.state_dict() if "lora_A" in k)
    assert torch.equal(loaded.state_dict()[key], peft_model.state_dict()[key])
    be = HFBackend(model=loaded, tokenizer=HFBackend(model_cfg=cfg).tokenizer)
    assert len(be.generate(REQS[:2], GenerationParams(temperature=0, max_new_tokens=3))) == 2
