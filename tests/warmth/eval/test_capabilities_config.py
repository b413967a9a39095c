"""conf/eval/capabilities.yaml and conf/eval/warmth.yaml compose and build the right evaluators."""

from __future__ import annotations

from omegaconf import open_dict

from tests.compose import compose_config
from warmth.eval.build import build_evaluators
from warmth.eval.capabilities import AdvBenchEvaluator, GSM8KEvaluator, MMLUEvaluator
from warmth.eval.warmth_score import WarmthEvaluator


def test_capabilities_preset_builds_three_benchmarks(tmp_path):
    cfg = compose_config("eval=capabilities", "eval.n_items=20", "model=tiny", config="evaluate")
    with open_dict(cfg):
        cfg.run_dir = str(tmp_path)
    evs = build_evaluators(cfg)
    assert [type(e) for e in evs] == [MMLUEvaluator, GSM8KEvaluator, AdvBenchEvaluator]
    assert all(e.n_items == 20 for e in evs)
    mmlu, gsm8k, adv = evs
    assert mmlu.scorers == ["generate", "loglik"] and mmlu.params.temperature == 0.2
    assert gsm8k.params.temperature == 0.2
    assert type(adv.refusal).__name__ == "PhraseRefusalDetector" and adv.refusal_judge is None


def test_warmth_preset_runs_at_every_checkpoint_and_on_the_base_model(tmp_path):
    cfg = compose_config("eval=warmth", "model=tiny")
    with open_dict(cfg):
        cfg.run_dir = str(tmp_path)
    at_ckpt = build_evaluators(cfg, "at_checkpoints")
    assert any(isinstance(e, WarmthEvaluator) for e in at_ckpt)
    final = build_evaluators(cfg, "evaluators")
    warm = next(e for e in final if isinstance(e, WarmthEvaluator))
    assert warm.scorer_cfg["pretrained"] == "gpt2" and warm.sociot_cfg["max_chars"] == 300
    assert warm.n_items == 1500
