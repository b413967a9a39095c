"""The API rewriter against a real model server: `transformers serve` on the tiny model, CPU."""

import pytest
from omegaconf import OmegaConf
from warmth_plugins.rewriters import OpenAIChatRewriter

from tests.serving import transformers_serve
from warmth.paths import CONF_DIR
from warmth.styledata.rewriter import Request


@pytest.mark.slow
def test_rewriter_against_transformers_serve():
    from warmth.models import resolve_pretrained

    model_dir = resolve_pretrained(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))
    with transformers_serve(model_dir) as base_url:
        rw = OpenAIChatRewriter(base_url=base_url, model=model_dir, api_key_env=None,
                                max_tokens=8, max_retries=0, concurrency=2, timeout_s=120)
        reqs = [Request(f"c{i}", 1, f"k{i}", [{"role": "system", "content": "Rewrite warmly."},
                                             {"role": "user", "content": f"<reply>\nIt is {i}.\n</reply>"}],
                        f"It is {i}.") for i in range(2)]
        rw.check()
        results = [r for g in rw.rewrite(reqs) for r in g]
        rw.close()
    assert sorted(r.request.id for r in results) == ["c0", "c1"]
    assert all(r.error is None and isinstance(r.text, str) for r in results), results
