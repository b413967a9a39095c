"""FSDP2 sharding of a LoRA model and the gather of its trained weights (one gloo process)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
import torch.distributed as dist
from omegaconf import OmegaConf

from tests.conftest import REPO
from warmth.strategies.fsdp import FSDP2Strategy, layer_classes, shard_model
from warmth.strategies.gather import gathered_state_dict


@pytest.fixture
def process_group(tmp_path):
    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    yield
    dist.destroy_process_group()


def lora_tiny():
    from peft import LoraConfig, get_peft_model

    from warmth.models import load_model

    cfg = OmegaConf.load(REPO / "conf" / "model" / "tiny.yaml")
    torch.manual_seed(0)
    model = get_peft_model(load_model(cfg, dtype=torch.float32),
                           LoraConfig(r=4, lora_alpha=8, target_modules=list(cfg.lora_target_modules)))
    for name, p in model.named_parameters():  # LoRA-B starts at zero; make it visible in the gather
        if "lora_B" in name:
            torch.nn.init.normal_(p)
    return model


def test_each_decoder_layer_is_a_unit_and_trained_weights_gather_whole(process_group) -> None:
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import DTensor

    model = lora_tiny()
    ids = torch.arange(12).unsqueeze(0)
    with torch.no_grad():
        before = model(input_ids=ids).logits
    trained = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    assert layer_classes(model) == {"LlamaDecoderLayer"}

    units = shard_model(model, init_device_mesh("cpu", (1,)))
    assert units == model.get_base_model().config.num_hidden_layers + 1
    assert all(isinstance(p, DTensor) for p in model.parameters())
    with torch.no_grad():
        torch.testing.assert_close(model(input_ids=ids).logits, before)

    trainer = SimpleNamespace(strategy=FSDP2Strategy(), is_global_zero=True)
    state = gathered_state_dict(trainer, SimpleNamespace(model=model))
    assert state.keys() == trained.keys()  # only LoRA, never the frozen base
    for name, tensor in trained.items():
        torch.testing.assert_close(state[name], tensor)


def test_unsharded_strategies_need_no_gather() -> None:
    trainer = SimpleNamespace(strategy=SimpleNamespace(), is_global_zero=True)
    assert gathered_state_dict(trainer, SimpleNamespace(model=torch.nn.Linear(2, 2))) is None
