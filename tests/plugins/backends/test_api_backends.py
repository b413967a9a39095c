"""OpenAI-compatible backend against servers on 127.0.0.1; vLLM absent -> one clear error."""

from __future__ import annotations

import importlib.util

import pytest
from omegaconf import OmegaConf
from warmth_plugins.backends.openai_api import OpenAIBackend

from tests.local_chat_server import ChatServer
from tests.serving import transformers_serve
from warmth.errors import ConfigError
from warmth.eval.interfaces import GenerationParams
from warmth.paths import CONF_DIR


def test_openai_backend_samples_and_failures():
    def reply(body):
        text = body["messages"][-1]["content"]
        if "fail" in text:
            return 503, "overloaded"
        return 200, f"echo:{text}:{body['temperature']}:{body['max_tokens']}"

    with ChatServer(reply) as srv:
        be = OpenAIBackend(base_url=srv.base_url, model="m", max_retries=1, api_key_env=None, concurrency=4)
        be.api.backoff = 0.01
        reqs = [[{"role": "user", "content": "a"}], [{"role": "user", "content": "please fail"}]]
        out = be.generate(reqs, GenerationParams(temperature=0.5, max_new_tokens=7, n_samples=2, seed=3))
    assert out[0] == ["echo:a:0.5:7"] * 2
    assert out[1] == ["", ""]  # recorded as unscored "empty response" by the runner
    assert be.errors and "503" in be.errors[0]
    assert srv.requests[0]["seed"] == 3 and srv.requests[0]["n"] == 2


def test_chat_api_retries_only_transient_statuses():
    from warmth.eval.chat_api import ChatAPI

    def reply(body):
        text = body["messages"][-1]["content"]
        return (503, "overloaded") if text == "busy" else (400, "bad request (HTTP 503 in the text)")

    with ChatServer(reply) as srv:
        api = ChatAPI(srv.base_url, "m", api_key_env=None, max_retries=2, backoff=0.001, concurrency=1)
        busy, bad = api.complete_many([[{"role": "user", "content": "busy"}], [{"role": "user", "content": "bad"}]], {})
        contents = [r["messages"][-1]["content"] for r in srv.requests]
    assert isinstance(busy, Exception) and "HTTP 503" in str(busy)
    assert isinstance(bad, Exception) and str(bad).startswith("HTTP 400")
    assert contents.count("busy") == 3 and contents.count("bad") == 1  # 1 + max_retries, then 1


def test_vllm_missing_is_clear():
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vllm is installed here")
    from warmth_plugins.backends.vllm import VLLMBackend

    with pytest.raises(ConfigError, match="needs the vllm package"):
        VLLMBackend(model_cfg=OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))


@pytest.mark.slow
def test_openai_backend_against_transformers_serve():
    """A real model server: `transformers serve` on the tiny model, CPU, small max_tokens."""
    from warmth.models import resolve_pretrained

    model_dir = resolve_pretrained(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))
    with transformers_serve(model_dir) as base_url:
        be = OpenAIBackend(base_url=base_url, model=model_dir, max_retries=0,
                           api_key_env=None, timeout=120, send_seed=False)
        out = be.generate([[{"role": "user", "content": "Hello"}], [{"role": "user", "content": "Capital of France?"}]],
                          GenerationParams(temperature=0, max_new_tokens=5))
    assert not be.errors, be.errors
    assert len(out) == 2 and all(len(o) == 1 and isinstance(o[0], str) for o in out)
    assert any(o[0] for o in out)
