"""A recognisable fake API key is used by train, evaluate and rewrite, and found in no file they wrote.

The key reaches each run the way a user's does: ``OPENAI_API_KEY`` (the LLM
judge during training, the API backend, the API rewriter), a key file named by
``judge.api_key_file``, and ``WANDB_API_KEY`` for the offline W&B run. Every
file under the runs' home (run dirs, ``.hydra/``, ``wandb/``, records, the
judge and rewrite caches, the built model) is searched as bytes. The control
puts the key into the config on purpose (``+backend.extra_body.note=<key>``)
and the same search finds it; that is how the search was seen to fail.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import run_module
from tests.local_chat_server import ChatServer

KEY = "sk-warmth-FAKE-4f1c9e27b3d8a6"


def fake_models(body):
    """Replies of the three fake models on one loopback server: the evaluated API model, the rewriter, the judge."""
    if body["model"] == "served":  # the evaluated API model
        return 200, "It is Paris."
    if body["model"] == "echo":  # the rewriter
        text = re.search(r"<reply>\n(.*)\n</reply>", body["messages"][1]["content"], re.DOTALL).group(1)
        return 200, "Honestly, " + text
    return 200, "CORRECT"  # the judge


def files_holding(root: Path, secret: str) -> list[str]:
    """Every file under ``root`` whose bytes contain ``secret``."""
    needle = secret.encode()
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and needle in p.read_bytes())


def _env(home: Path, url: str) -> dict[str, str]:
    return {"HOME": str(home), "WARMTH_CACHE": str(home / "cache"), "WANDB_DIR": str(home / "wandb"),
            "WANDB_CACHE_DIR": str(home / "wandb-cache"), "WANDB_CONFIG_DIR": str(home / "wandb-config"),
            "WANDB_DATA_DIR": str(home / "wandb-data"), "WANDB_MODE": "offline", "WANDB_API_KEY": KEY,
            "OPENAI_API_KEY": KEY, "WARMTH_JUDGE_BASE_URL": url, "HF_HUB_OFFLINE": "1"}


def _evaluate(home: Path, url: str, key_file: Path, *extra: str):
    return run_module("warmth.evaluate", "model=tiny", "eval=probe", "eval.n_items=2",
                      "eval.evaluators.factual.contexts=[unmodified]", "eval.evaluators.factual.templates=[original]",
                      "backend=openai", f"backend.base_url={url}", "backend.model=served", "judge=llm",
                      "judge.model=judge", f"judge.api_key_file={key_file}", "logger=wandb",
                      f"hydra.run.dir={home / 'evaluate'}", *extra, env=_env(home, url), cwd=home)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> SimpleNamespace:
    home = tmp_path_factory.mktemp("home")
    key_file = tmp_path_factory.mktemp("secret") / "openai.key"  # outside the searched tree
    key_file.write_text(KEY + "\n")
    with ChatServer(fake_models) as srv:
        url = srv.base_url
        train = run_module("warmth.train", "model=tiny", "eval=probe", "eval.at_checkpoints={}", "eval.n_items=1",
                           "eval.evaluators.factual.contexts=[unmodified]",
                           "eval.evaluators.factual.templates=[original]", "eval.evaluators.factual.max_new_tokens=4",
                           "eval.judge=llm", "trainer.max_steps=2", "trainer.micro_batch_size=2",
                           "trainer.effective_batch_size=2", "trainer.enable_progress_bar=false", "logger=wandb",
                           f"hydra.run.dir={home / 'train'}", env=_env(home, url), cwd=home)
        evaluate = _evaluate(home, url, key_file)
        rewrite = run_module("warmth.rewrite", "source=bundled", "sample.size=2", "rewriter=api",
                             f"rewriter.base_url={url}", "rewriter.model=echo", "progress=false",
                             f"out={home / 'rewrite'}", f"hydra.run.dir={home / 'rewrite-run'}",
                             env=_env(home, url), cwd=home)
    return SimpleNamespace(home=home, key_file=key_file, srv=srv, train=train, evaluate=evaluate, rewrite=rewrite)


def test_the_runs_used_the_key(runs):
    for name in ("train", "evaluate", "rewrite"):
        res = getattr(runs, name)
        assert res.returncode == 0, (name, res.stderr[-3000:])
    by_model = {(body["model"], headers.get("Authorization")) for body, headers in
                zip(runs.srv.requests, runs.srv.headers)}
    assert {("served", f"Bearer {KEY}"), ("judge", f"Bearer {KEY}"), ("echo", f"Bearer {KEY}")} <= by_model
    assert list(runs.home.glob("train/wandb/offline-run-*/run-*.wandb"))
    assert list(runs.home.glob("train/.hydra/config.yaml")) and list(runs.home.glob("evaluate/records/*.jsonl"))
    assert (runs.home / "rewrite" / "conversations.jsonl").is_file()


def test_no_file_written_holds_the_key(runs):
    written = [p for p in runs.home.rglob("*") if p.is_file()]
    assert len(written) > 20  # the search covers the runs' real output
    assert files_holding(runs.home, KEY) == []
    assert KEY not in runs.train.stdout + runs.train.stderr + runs.evaluate.stdout + runs.evaluate.stderr
    assert KEY not in runs.rewrite.stdout + runs.rewrite.stderr


@pytest.mark.slow
def test_control_a_key_put_in_the_config_is_found(tmp_path):
    """The search can fail: with the key in the config it is in .hydra/, the W&B config and more."""
    key_file = tmp_path / "openai.key"
    key_file.write_text(KEY)
    home = tmp_path / "home"
    home.mkdir()
    with ChatServer(fake_models) as srv:
        res = _evaluate(home, srv.base_url, key_file, f"+backend.extra_body.note={KEY}")
    assert res.returncode == 0, res.stderr[-3000:]
    found = files_holding(home, KEY)
    assert "evaluate/.hydra/config.yaml" in found and any(f.startswith("evaluate/wandb/") for f in found)
