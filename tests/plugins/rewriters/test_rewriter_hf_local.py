"""Local HF backend on the tiny random model: never empty, reproducible, batch-stable."""

import pytest
from omegaconf import OmegaConf
from warmth_plugins.rewriters import HFLocalRewriter

from warmth.errors import ConfigError
from warmth.paths import CONF_DIR
from warmth.styledata.rewriter import Request


def _reqs(n):
    return [Request(f"c{i}", 1, f"{i:08x}" * 8,
                    [{"role": "system", "content": "Rewrite warmly."},
                     {"role": "user", "content": f"<reply>\nThe answer is {i * 7}.\n</reply>"}],
                    f"The answer is {i * 7}.") for i in range(n)]


@pytest.fixture(scope="module")
def rewriter():
    rw = HFLocalRewriter(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"), batch_size=2,
                         max_new_tokens=10)
    rw.check()
    return rw


def test_outputs_non_empty_and_deterministic(rewriter):
    reqs = _reqs(4)
    first = [r for g in rewriter.rewrite(reqs) for r in g]
    again = [r for g in rewriter.rewrite(reqs) for r in g]
    assert [r.request.id for r in first] == ["c0", "c1", "c2", "c3"]
    assert all(r.text and r.text == r.text.strip() for r in first)
    assert [r.text for r in first] == [r.text for r in again]
    # a resumed run starts at a batch boundary: same batches, same replies
    tail = [r for g in rewriter.rewrite(reqs[2:]) for r in g]
    assert [r.text for r in tail] == [r.text for r in first[2:]]


def test_settings_and_model_id(rewriter):
    assert rewriter.model_id.startswith("hf:tiny:builtin:tiny")
    assert rewriter.settings()["max_new_tokens"] == 10 and rewriter.temperature == 0.0


def test_needs_a_model_group():
    with pytest.raises(ConfigError, match="model group"):
        HFLocalRewriter(None)
