"""The API rewriter against a real model server: `transformers serve` on the tiny model, CPU."""

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
from warmth_plugins.rewriters import OpenAIChatRewriter

from warmth.paths import CONF_DIR
from warmth.styledata.rewriter import Request


@pytest.mark.slow
def test_rewriter_against_transformers_serve():
    if importlib.util.find_spec("fastapi") is None or importlib.util.find_spec("uvicorn") is None:
        pytest.skip("transformers[serving] is not installed")
    from warmth.models import resolve_pretrained

    model_dir = resolve_pretrained(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
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
        rw = OpenAIChatRewriter(base_url=f"http://127.0.0.1:{port}/v1", model=model_dir, api_key_env=None,
                                max_tokens=8, max_retries=0, concurrency=2, timeout_s=120)
        reqs = [Request(f"c{i}", 1, f"k{i}", [{"role": "system", "content": "Rewrite warmly."},
                                             {"role": "user", "content": f"<reply>\nIt is {i}.\n</reply>"}],
                        f"It is {i}.") for i in range(2)]
        rw.check()
        results = [r for g in rw.rewrite(reqs) for r in g]
        rw.close()
        assert sorted(r.request.id for r in results) == ["c0", "c1"]
        assert all(r.error is None and isinstance(r.text, str) for r in results), results
    finally:
        proc.terminate()
        proc.wait(timeout=30)
