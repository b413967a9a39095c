"""``trainer.reuse_freed_memory``: a freed tensor's pages serve the next one without page faults."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO, compose
from warmth import host_memory
from warmth.train import train

# Sixteen rounds of a two-layer forward + backward whose activations are 64 MiB tensors (above
# glibc's largest dynamic mmap threshold, 32 MiB); prints each round's minor page faults.
CHILD = (
    "import json, resource, sys, torch\n"
    "from warmth.host_memory import reuse_freed_memory\n"
    "if sys.argv[1] == 'reuse':\n"
    "    assert reuse_freed_memory()\n"
    "w1 = torch.randn(16, 4096, requires_grad=True)\n"
    "w2 = torch.randn(4096, 16, requires_grad=True)\n"
    "x = torch.randn(4096, 16)\n"
    "faults = []\n"
    "for _ in range(16):\n"
    "    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
    "    ((x @ w1).relu() @ w2).sum().backward()\n"
    "    w1.grad = w2.grad = None\n"
    "    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)\n"
    "print(json.dumps(faults))\n"
)
PAGES = 64 * 2**20 // 4096  # pages of one 64 MiB activation


def rounds(mode: str) -> list[int]:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], cwd=str(REPO), capture_output=True, text=True,
                         check=True, timeout=300)
    return json.loads(out.stdout)


@pytest.mark.skipif(host_memory.glibc_version() is None, reason="tunes glibc's malloc; this process has no glibc")
def test_freed_tensor_pages_are_reused_without_faults() -> None:
    """Default glibc hands every 64 MiB activation back when it is freed, so each step faults
    its pages in again; with the thresholds raised the heap keeps them and, once it holds enough
    (a few steps: glibc 2.36's aligned allocations do not fit the first freed blocks), most steps
    fault nothing in. Now and then a later step still faults one block's pages (seen: 16,384 in
    a round, at most two such rounds in the last eight), so the test compares the last eight
    rounds' totals: kept, under a quarter of the default's. Catches a mallopt that does not take
    effect (seen red with ``reuse_freed_memory`` returning before it: every round then faults
    65,540 pages or more)."""
    default, reused = rounds("default"), rounds("reuse")
    assert all(f > PAGES for f in default[-8:]), default  # the premise: glibc returns the blocks
    assert sum(reused[-8:]) < sum(default[-8:]) / 4, (reused, default)


def test_training_applies_the_knob(tmp_path, monkeypatch) -> None:
    """``warmth.train`` calls it when (and only when) ``trainer.reuse_freed_memory`` is true
    (called in-process with a stand-in, so the suite's own allocator stays as it is)."""
    calls = []
    monkeypatch.setattr(host_memory, "reuse_freed_memory", lambda: calls.append(1) or True)
    base = ["model=tiny", "eval=none", "logger=none", "trainer.max_steps=1", "trainer.micro_batch_size=2",
            "trainer.effective_batch_size=2", "trainer.enable_progress_bar=false", "trainer.checkpoint_epochs=[]"]
    train(compose("train", base, run_dir=tmp_path / "off"))
    assert calls == []
    train(compose("train", [*base, "trainer.reuse_freed_memory=true"], run_dir=tmp_path / "on"))
    assert calls == [1]


def test_without_glibc_it_changes_nothing_and_says_so(monkeypatch, caplog) -> None:
    monkeypatch.setattr(host_memory, "glibc_version", lambda: None)
    assert host_memory.reuse_freed_memory() is False
    assert "has no effect here" in caplog.text
