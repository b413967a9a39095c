"""OpenAI-compatible backend against servers on 127.0.0.1; vLLM absent -> one clear error."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from omegaconf import OmegaConf
from warmth_plugins.backends.openai_api import OpenAIBackend

from tests.local_chat_server import ChatServer
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


def test_vllm_missing_is_clear():
    if importlib.util.find_spec("vllm") is not None:
        pytest.skip("vllm is installed here")
    from warmth_plugins.backends.vllm import VLLMBackend

    with pytest.raises(ConfigError, match="needs the vllm package"):
        VLLMBackend(model_cfg=OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_openai_backend_against_transformers_serve():
    """A real model server: `transformers serve` on the tiny model, CPU, small max_tokens."""
    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        pytest.skip("transformers[serving] not installed")
    from warmth.models import resolve_pretrained

    model_dir = resolve_pretrained(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))
    port = _free_port()
    cli = Path(sys.executable).parent / "transformers"
    proc = subprocess.Popen([str(cli), "serve", model_dir, "--host", "127.0.0.1", "--port", str(port),
                             "--device", "cpu"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=dict(os.environ, OMP_NUM_THREADS="1"))
    try:
        deadline = time.time() + 300
        while time.time() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            time.sleep(1)
        be = OpenAIBackend(base_url=f"http://127.0.0.1:{port}/v1", model=model_dir, max_retries=0,
                           api_key_env=None, timeout=120, send_seed=False)
        out = be.generate([[{"role": "user", "content": "Hello"}], [{"role": "user", "content": "Capital of France?"}]],
                          GenerationParams(temperature=0, max_new_tokens=5))
        assert not be.errors, be.errors
        assert len(out) == 2 and all(len(o) == 1 and isinstance(o[0], str) for o in out)
        assert any(o[0] for o in out)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
