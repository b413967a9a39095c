"""The SocioT scorer loads by hub id through the real `transformers` client.

The built tiny model is served as model repo ``warmth-tests/tiny-scorer`` by a
real Hub on 127.0.0.1 (``tests/hub_server.py``). Tag ``v1`` holds a variant
with another ``rms_norm_eps`` whose tokenizer puts ``<|bos|>`` before a text, so
SocioT's framings (encoded with special tokens) change too. A client process
with ``HF_ENDPOINT`` pointed there calls ``load_scorer`` as a networked user
would and scores a few texts, next to the same folders loaded directly.
Offline, ``fallback`` replaces an uncached id: ``test_sociot.py`` tests that.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.hub_server import Hub, commit_sha, serve_and_run
from warmth.models.tiny import tiny_dir

REPO_ID = "warmth-tests/tiny-scorer"
MISSING = "warmth-tests/no-such-scorer"
TEXTS = ["I'm so glad you told me, and I'm here for you.", "Submit the form by Friday.",
         "Honestly, you did great today - be proud of yourself!"]
BOS_FIRST = {"type": "TemplateProcessing",  # `<|bos|>` (id 1) before every encoded text
             "single": [{"SpecialToken": {"id": "<|bos|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": "<|bos|>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {"<|bos|>": {"id": "<|bos|>", "ids": [1], "tokens": ["<|bos|>"]}}}

CLIENT = r"""
import json, sys
from warmth.errors import WarmthError
from warmth.scoring.scorer_model import load_scorer
from warmth.scoring.sociot import SocioT

TEXTS = json.loads(sys.argv[1])

def scored(pretrained, **kwargs):
    model, tok, name = load_scorer(pretrained, device="cpu", **kwargs)
    result = SocioT(model, tok).score(TEXTS)
    return {"name": name, "scores": result.scores, "eps": model.config.rms_norm_eps, "training": model.training,
            "framing_ids": tok('These are the words a stranger said to me: "')["input_ids"]}

repo, main, v1 = sys.argv[2:5]
out = {"hub": scored(repo, fallback=None), "folder": scored(main, fallback=None),
       "hub_v1": scored(repo, fallback=None, revision="v1"), "folder_v1": scored(v1, fallback=None)}
try:  # online, a missing id is an error: the fallback is for offline use (see scorer_model's docstring)
    scored(sys.argv[5], fallback="builtin:tiny")
except WarmthError as exc:
    out["missing"] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[dict, Hub]:
    root = tmp_path_factory.mktemp("hub")
    main = shutil.copytree(tiny_dir(), root / "models" / REPO_ID)
    v1 = shutil.copytree(tiny_dir(), root / "models" / f"{REPO_ID}@v1")
    config = json.loads((v1 / "config.json").read_text())
    (v1 / "config.json").write_text(json.dumps(config | {"rms_norm_eps": 0.5}, indent=2))
    tokenizer = json.loads((v1 / "tokenizer.json").read_text())
    (v1 / "tokenizer.json").write_text(json.dumps(tokenizer | {"post_processor": BOS_FIRST}))
    return serve_and_run(root, tmp_path_factory.mktemp("hf_home"), CLIENT, json.dumps(TEXTS), REPO_ID, str(main),
                         str(v1), MISSING)


def test_hub_id_scores_like_its_folder(loaded):
    out, hub = loaded
    got, want = out["hub"], out["folder"]
    assert got["name"] == REPO_ID and got["training"] is False
    assert got["scores"] == want["scores"] and len(set(got["scores"])) == len(TEXTS)
    assert got["framing_ids"] == want["framing_ids"] and got["framing_ids"][0] != 1  # no BOS on main
    assert hub.served(f"/api/models/{REPO_ID}", "GET")
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"):
        assert hub.served(f"/{REPO_ID}/resolve/{commit_sha('main')}/{name}", "GET"), f"{name} not downloaded"
    assert [r for r in hub.unrouted if "/api/agent-harnesses" not in r] == []


def test_revision_reaches_model_and_tokenizer(loaded):
    out, hub = loaded
    got, want = out["hub_v1"], out["folder_v1"]
    assert got["name"] == REPO_ID and got["eps"] == want["eps"] == 0.5
    assert got["framing_ids"] == want["framing_ids"] and got["framing_ids"][0] == 1  # v1's tokenizer: BOS first
    assert got["scores"] == want["scores"] and got["scores"] != out["hub"]["scores"]
    assert hub.served(f"/api/models/{REPO_ID}/revision/v1", "GET")
    for name in ("config.json", "tokenizer.json"):  # v1's own bytes
        assert hub.served(f"/{REPO_ID}/resolve/{commit_sha('v1')}/{name}", "GET"), f"{name} of v1 not downloaded"


def test_missing_id_online_is_an_error_naming_it(loaded):
    out, hub = loaded
    # the hub answered (404), so this is no offline case: the fallback is not taken
    assert out["missing"].startswith(f"SocioT scorer {MISSING}: cannot load the tokenizer of model {MISSING}: ")
    assert "\n" not in out["missing"]
    assert any(MISSING in r for r in hub.not_found())

