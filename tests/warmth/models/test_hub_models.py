"""Hub model ids load through the real `transformers` / `huggingface_hub` clients.

The built tiny model is served as repo ``warmth-tests/tiny`` by a real Hub on
127.0.0.1 (``tests/hub_server.py``); tag ``v1`` holds a variant with another
``rms_norm_eps``. A client process with ``HF_ENDPOINT`` pointed there loads
model and tokenizer by hub id, as a networked user would, and reports the
logits' checksum next to those of the same folders loaded directly.
"""

from __future__ import annotations

import json
import shutil

import pytest
from omegaconf import OmegaConf

from tests.hub_server import Hub, commit_sha, serve_and_run
from warmth.models.tiny import tiny_dir

REPO_ID = "warmth-tests/tiny"
V1_EPS = 0.5

CLIENT = r"""
import hashlib, json, sys
import torch
from omegaconf import OmegaConf
from warmth.errors import WarmthError
from warmth.models import load_model, load_tokenizer

base = OmegaConf.create(json.loads(sys.argv[1]))
MESSAGES = [{"role": "user", "content": "What is the capital of France?"}]

def load(**overrides):
    cfg = OmegaConf.merge(base, overrides)
    tok = load_tokenizer(cfg)
    model = load_model(cfg).eval()
    text = tok.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    ids = tok(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(ids).logits
    return {"ids": ids[0].tolist(), "chat_template": tok.chat_template, "pad": tok.pad_token,
            "padding_side": tok.padding_side, "eps": model.config.rms_norm_eps, "dtype": str(model.dtype),
            "logits_sha256": hashlib.sha256(logits.numpy().tobytes()).hexdigest(), "logits_sum": float(logits.sum())}

out = {
    "hub": load(pretrained=sys.argv[2]),
    "folder": load(pretrained=sys.argv[3]),
    "hub_v1": load(pretrained=sys.argv[2], revision="v1"),
    "folder_v1": load(pretrained=sys.argv[4]),
}
try:
    load(pretrained="warmth-tests/no-such-model")
except WarmthError as exc:
    out["missing"] = str(exc)
try:
    load_model(OmegaConf.merge(base, {"pretrained": sys.argv[2], "revision": "no-such-tag"}))
except WarmthError as exc:
    out["bad_revision"] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, tiny_cfg) -> tuple[dict, Hub]:
    root = tmp_path_factory.mktemp("hub")
    main = shutil.copytree(tiny_dir(), root / "models" / REPO_ID)
    v1 = shutil.copytree(tiny_dir(), root / "models" / f"{REPO_ID}@v1")
    config = json.loads((v1 / "config.json").read_text())
    (v1 / "config.json").write_text(json.dumps(config | {"rms_norm_eps": V1_EPS}, indent=2))
    cfg = json.dumps(OmegaConf.to_container(tiny_cfg, resolve=True) | {"dtype": "float32"})
    return serve_and_run(root, tmp_path_factory.mktemp("hf_home"), CLIENT, cfg, REPO_ID, str(main), str(v1))


def test_hub_id_loads_the_same_model_and_tokenizer_as_its_folder(loaded):
    out, hub = loaded
    got, want = out["hub"], out["folder"]
    assert got["logits_sha256"] == want["logits_sha256"] and got["logits_sum"] == want["logits_sum"]
    assert got["ids"] == want["ids"] and len(got["ids"]) > 5
    assert got["chat_template"] == want["chat_template"] and got["chat_template"]
    assert (got["pad"], got["padding_side"], got["dtype"]) == ("<|pad|>", "right", "torch.float32")
    assert hub.served(f"/api/models/{REPO_ID}", "GET")  # `main` resolved to its commit, files fetched by it
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert hub.served(f"/{REPO_ID}/resolve/{commit_sha('main')}/{name}", "GET"), f"{name} not downloaded"
    assert [r for r in hub.unrouted if "/api/agent-harnesses" not in r] == []


def test_hub_revision_passes_through(loaded):
    out, hub = loaded
    assert out["hub_v1"]["eps"] == V1_EPS and out["hub"]["eps"] != V1_EPS
    assert out["hub_v1"]["logits_sha256"] == out["folder_v1"]["logits_sha256"]
    assert out["hub_v1"]["logits_sha256"] != out["hub"]["logits_sha256"]
    assert hub.served(f"/api/models/{REPO_ID}/revision/v1", "GET")
    assert hub.served(f"/{REPO_ID}/resolve/{commit_sha('v1')}/config.json", "GET")  # differs from main's
    # same bytes as main's: checked by ETag, then taken from the cache's blobs
    assert hub.served(f"/{REPO_ID}/resolve/{commit_sha('v1')}/model.safetensors", "HEAD")


def test_missing_hub_model_or_revision_is_one_line_naming_it(loaded):
    out, hub = loaded
    assert out["missing"].startswith("cannot load the tokenizer of model warmth-tests/no-such-model")
    assert any("warmth-tests/no-such-model" in r for r in hub.not_found())
    assert out["bad_revision"].startswith(f"cannot load model {REPO_ID}: no-such-tag is not a valid git identifier")
    assert "\n" not in out["missing"] + out["bad_revision"]
