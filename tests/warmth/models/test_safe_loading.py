"""Safe loading: no hub code runs unless a model's config allows it; weights and adapters come from safetensors.

Each test was seen failing with its guard removed: ``use_safetensors=True``
dropped from ``load_model`` (the pickled weights loaded), ``load_adapter``'s
file check dropped (peft loaded ``adapter_model.bin``), the trust flag forced
on (the marker file appeared), the model-mismatch check dropped (the tiny
adapter reached the wrong base model).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from warmth.errors import ConfigError, WarmthError
from warmth.models import load_model, resolve_pretrained
from warmth.paths import CONF_DIR

EVIL = '''
import pathlib, os
pathlib.Path(os.environ["WARMTH_TEST_MARKER"]).write_text("remote code ran")
from transformers import LlamaForCausalLM as EvilForCausalLM
'''


def _cfg(pretrained, **kw):
    return OmegaConf.create({"name": "t", "pretrained": str(pretrained), "revision": None, "dtype": "float32",
                             "trust_remote_code": False, "chat_template": None, **kw})


@pytest.fixture
def tiny_copy(tmp_path) -> Path:
    src = Path(resolve_pretrained(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml")))
    dst = tmp_path / "model"
    shutil.copytree(src, dst)
    return dst


def test_every_preset_keeps_remote_code_off():
    for path in sorted((CONF_DIR / "model").glob("*.yaml")):
        assert OmegaConf.load(path).get("trust_remote_code") is False, path.name


def test_repository_code_runs_only_when_the_model_config_says_so(tiny_copy, tmp_path, monkeypatch):
    marker = tmp_path / "ran.txt"
    monkeypatch.setenv("WARMTH_TEST_MARKER", str(marker))
    (tiny_copy / "evil.py").write_text(EVIL)
    config = json.loads((tiny_copy / "config.json").read_text())
    config["auto_map"] = {"AutoModelForCausalLM": "evil.EvilForCausalLM"}
    (tiny_copy / "config.json").write_text(json.dumps(config))
    try:
        load_model(_cfg(tiny_copy))
    except (WarmthError, ValueError):
        pass  # refusing is as good as ignoring the code; running it is not
    assert not marker.exists()
    with pytest.raises(WarmthError, match="trust_remote_code must be true or false"):
        load_model(_cfg(tiny_copy, trust_remote_code="false"))


def test_pickled_weights_are_refused(tiny_copy):
    import torch
    from safetensors.torch import load_file

    state = load_file(str(tiny_copy / "model.safetensors"))
    (tiny_copy / "model.safetensors").unlink()
    torch.save(state, tiny_copy / "pytorch_model.bin")
    with pytest.raises(WarmthError, match=f"cannot load model {tiny_copy}"):
        load_model(_cfg(tiny_copy))


def _lora_dir(tmp_path, safe: bool) -> Path:
    from peft import LoraConfig, get_peft_model

    base = load_model(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))
    out = tmp_path / ("safe" if safe else "pickled")
    get_peft_model(base, LoraConfig(r=2, target_modules=["q_proj"])).save_pretrained(out, safe_serialization=safe)
    return out


def test_pickled_adapters_are_refused(tmp_path):
    from warmth_plugins.backends.hf import load_checkpoint

    tiny = OmegaConf.load(CONF_DIR / "model" / "tiny.yaml")
    pickled = _lora_dir(tmp_path, safe=False)
    assert (pickled / "adapter_model.bin").is_file()
    with pytest.raises(WarmthError, match="no adapter_model.safetensors; warmth loads adapter weights from safetensors"):
        load_checkpoint(tiny, pickled)
    from peft import PeftModel

    assert isinstance(load_checkpoint(tiny, _lora_dir(tmp_path, safe=True)), PeftModel)


def test_a_checkpoint_of_another_model_is_one_clear_error(tmp_path):
    from warmth_plugins.backends.hf import load_checkpoint

    ckpt = _lora_dir(tmp_path, safe=True)
    (ckpt / "warmth_checkpoint.json").write_text(json.dumps({"model": "tiny", "pretrained": "builtin:tiny"}))
    other = OmegaConf.load(CONF_DIR / "model" / "smollm2_135m.yaml")
    with pytest.raises(ConfigError, match=r"was trained on builtin:tiny, not on model 'smollm2_135m'"):
        load_checkpoint(other, ckpt)


def test_an_adapter_of_another_model_without_metadata_is_one_clear_error(tmp_path):
    """No warmth_checkpoint.json (an adapter from elsewhere): the shapes do not fit, and peft's
    many-line error becomes one line (fails with load_adapter's except removed: RuntimeError)."""
    from warmth_plugins.backends.hf import load_checkpoint

    ckpt = _lora_dir(tmp_path, safe=True)
    other = OmegaConf.load(CONF_DIR / "model" / "smollm2_135m.yaml")
    with pytest.raises(WarmthError, match=rf"adapter {ckpt} does not fit model LlamaForCausalLM") as err:
        load_checkpoint(other, ckpt)
    assert "\n" not in str(err.value)
