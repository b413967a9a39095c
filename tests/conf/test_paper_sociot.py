"""SocioT settings of the study's presets and of the default warmth evaluation.

The paper presets score warmth as the study did: the reference computation, dropout on
with 100 repeats, on 1,500 held-out ShareGPT prompts (training conversations excluded).
The default is the reference computation too; our token-only variant is one key away.
Checked to fail: with the preset's `sociot` line removed, and with `mode: tokens` as the
default in conf/eval/warmth.yaml, these tests went red.
"""

from __future__ import annotations

import pytest
from hydra.utils import instantiate
from omegaconf import open_dict

from tests.capability_models import tiny
from tests.compose import compose_config
from warmth.eval.build import build_evaluators
from warmth.eval.warmth_score import WarmthEvaluator
from warmth.scoring.sociot import SocioT


def _warmth(cfg, tmp_path, where: str = "at_checkpoints") -> WarmthEvaluator:
    with open_dict(cfg):
        cfg.run_dir = str(tmp_path)
    return next(e for e in build_evaluators(cfg, where) if isinstance(e, WarmthEvaluator))


@pytest.mark.parametrize("style", ["warm", "cold"])
def test_paper_presets_score_warmth_as_the_study(style, tmp_path):
    """Composed and the warmth node instantiated alone (building every evaluator would first
    check that the preset's LLM judge is reachable, which is not this test's concern)."""
    cfg = compose_config(f"experiment=paper_{style}", "model=tiny")
    with open_dict(cfg):
        cfg.run_dir = str(tmp_path)
    for node in (cfg.eval.at_checkpoints.warmth, cfg.eval.evaluators.warmth):  # epoch 0 too
        ev = instantiate(node)
        assert isinstance(ev, WarmthEvaluator)
        assert ev.sociot_cfg["mode"] == "reference" and ev.sociot_cfg["max_chars"] == 300
        assert ev.sociot_cfg["dropout"] is True and ev.sociot_cfg["repeats"] == 100
        assert ev.scorer_cfg["pretrained"] == "gpt2" and ev.n_items == 1500
        p = ev.prompts
        assert p.source == "sharegpt" and p.scan_limit is None
        assert p.exclude == [f"{cfg.style.dataset}/conversations.jsonl"]  # held out from training


def test_default_is_the_reference_and_the_token_variant_is_selectable(tmp_path):
    model, tok = tiny()
    default = _warmth(compose_config("eval=warmth", "model=tiny"), tmp_path)
    assert SocioT(model, tok, **default.sociot_cfg).mode == "reference"
    tokens = _warmth(compose_config("eval=warmth", "model=tiny", "eval.at_checkpoints.warmth.sociot.mode=tokens"),
                     tmp_path)
    scorer = SocioT(model, tok, **tokens.sociot_cfg)
    assert scorer.mode == "tokens" and scorer.framing.startswith("These are the words")
