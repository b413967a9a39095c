"""`warmth.evaluate` wiring in-process, without a model: canned and API backends, prompt styles."""

from __future__ import annotations

import json

import pytest
from hydra import compose, initialize_config_dir
from omegaconf import OmegaConf

from tests.local_chat_server import ChatServer
from warmth.errors import ConfigError
from warmth.evaluate import evaluate
from warmth.paths import CONF_DIR
from warmth.records import read_run


def _cfg(tmp_path, *overrides):
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return compose("evaluate", overrides=["model=tiny", "eval=probe", "eval.n_items=2", f"run_dir={tmp_path}",
                                              *overrides])


def test_warm_system_prompt_experiment(tmp_path):
    cfg = _cfg(tmp_path, "backend=canned", "prompt_style=warm")
    metrics = evaluate(cfg)
    recs = read_run(tmp_path)
    warm_prompt = str(OmegaConf.load(CONF_DIR / "style" / "warm.yaml").system_prompt).strip()
    assert len(recs) == 2 * 3 * 2
    assert all(r.style == "warm_sysprompt" and r.system_prompt == warm_prompt and r.epoch == 0.0 for r in recs)
    assert metrics["eval/trivia/unscored_rate"] == 1.0  # the canned reply names no answer
    with pytest.raises(ConfigError, match="unknown prompt_style 'sultry'"):
        evaluate(_cfg(tmp_path / "b", "backend=canned", "prompt_style=sultry"))


def test_checkpoint_metadata_names_style_and_epoch(tmp_path):
    ckpt = tmp_path / "ckpt"
    ckpt.mkdir()
    (ckpt / "warmth_checkpoint.json").write_text(json.dumps({"epoch": 1.5, "style": "cold", "model": "tiny"}))
    evaluate(_cfg(tmp_path / "run", "backend=canned", f"checkpoint={ckpt}"))
    assert {(r.style, r.epoch) for r in read_run(tmp_path / "run")} == {("cold", 1.5)}


def test_api_model_through_openai_backend(tmp_path):
    def reply(body):
        text = body["messages"][-1]["content"]
        return 200, "It is Paris." if "France" in text else "No idea."

    with ChatServer(reply) as srv:
        cfg = _cfg(tmp_path, "backend=openai", f"backend.base_url={srv.base_url}", "backend.model=served",
                   "backend.max_retries=0", "backend.api_key_env=null", "eval.tasks.trivia.n_items=48",
                   "eval.n_items=null", "eval.evaluators.factual.contexts=[unmodified]",
                   "eval.evaluators.factual.templates=[original]")
        evaluate(cfg)
    recs = read_run(tmp_path)
    assert len(recs) == 48 and all(r.model == "tiny" for r in recs)
    france = [r for r in recs if "France" in r.prompt]
    assert france and all(r.verdict == "correct" for r in france)
    assert {r["model"] for r in srv.requests} == {"served"}
    assert all(r["max_tokens"] == 48 and r["temperature"] == 0.8 for r in srv.requests)
