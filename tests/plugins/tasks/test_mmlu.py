"""MMLU task: bundled items, subjects, sampling, letter judge, and parity with lm-eval."""

from __future__ import annotations

import pytest
from warmth_plugins.tasks.mmlu import LETTERS, MMLU, LetterJudge, chat_prompt, loglik_context

from tests.capability_models import smollm2, tiny
from warmth.errors import ConfigError
from warmth.scoring.loglik import choice_loglikelihoods


def test_bundled_sample_offline():
    items = MMLU(source="bundled").load()
    assert len(items) == 40 and len({it.id for it in items}) == 40
    assert {it.meta["subject"] for it in items} == {
        "elementary_mathematics", "high_school_biology", "high_school_geography", "high_school_chemistry"}
    for it in items:
        assert it.correct_answer == LETTERS[it.meta["answer_index"]]
        assert it.aliases == [it.meta["choices"][it.meta["answer_index"]]]
    assert {it.correct_answer for it in items} == set(LETTERS)


def test_subjects_and_deterministic_sampling():
    task = MMLU(source="bundled", subjects=["high_school_biology"])
    assert {it.meta["subject"] for it in task.load()} == {"high_school_biology"}
    a, b = MMLU(source="bundled").load(7, seed=3), MMLU(source="bundled").load(7, seed=3)
    assert [i.id for i in a] == [i.id for i in b] and len(a) == 7
    assert [i.id for i in MMLU(source="bundled").load(7, seed=4)] != [i.id for i in a]
    with pytest.raises(ConfigError, match="astrology"):
        MMLU(source="bundled", subjects=["astrology"]).load()
    with pytest.raises(ConfigError, match="source"):
        MMLU(source="web")


def test_prompts_and_letter_judge():
    item = MMLU(source="bundled").load()[0]
    ctx = loglik_context(item)
    assert ctx.endswith("\nAnswer:") and "\nA. " in ctx and "\nD. " in ctx
    p = chat_prompt(item)
    assert p.task == "mmlu" and p.template == "zero_shot" and "letter" in p.text
    right, wrong = item.correct_answer, next(x for x in LETTERS if x != item.correct_answer)
    verdicts = LetterJudge().judge([p, p, p], [f"The answer is {right}.", f"({wrong})", "no idea"])
    assert [v.verdict for v in verdicts] == ["correct", "incorrect", "unscored"]
    assert verdicts[0].raw == right


def lm_eval_choices(model, tok, contexts: list[str]) -> list[list[float]]:
    """lm-evaluation-harness's HF model class on the same prompts (loglikelihood requests)."""
    pytest.importorskip("lm_eval")
    from lm_eval.api.instance import Instance
    from lm_eval.models.huggingface import HFLM

    lm = HFLM(pretrained=model, tokenizer=tok, batch_size=8, device="cpu")
    reqs = [Instance(request_type="loglikelihood", doc={}, arguments=(c, f" {x}"), idx=k)
            for c in contexts for k, x in enumerate(LETTERS)]
    out = [ll for ll, _ in lm.loglikelihood(reqs, disable_tqdm=True)]
    return [out[i * 4:(i + 1) * 4] for i in range(len(contexts))]


def _parity(model, tok, items):
    contexts = [loglik_context(it) for it in items]
    ours = choice_loglikelihoods(model, tok, contexts, [f" {x}" for x in LETTERS], batch_size=16)
    theirs = lm_eval_choices(model, tok, contexts)
    pick = lambda row: LETTERS[max(range(4), key=lambda i: row[i])]
    assert [pick(r) for r in ours] == [pick(r) for r in theirs]
    acc = lambda rows: sum(pick(r) == it.correct_answer for r, it in zip(rows, items)) / len(items)
    assert acc(ours) == acc(theirs)
    assert [x for r in ours for x in r] == pytest.approx([x for r in theirs for x in r], abs=1e-3)
    return acc(ours)


def test_loglik_choices_and_accuracy_equal_lm_eval_on_tiny():
    model, tok = tiny()
    _parity(model, tok, MMLU(source="bundled").load())


@pytest.mark.slow
def test_loglik_choices_and_accuracy_equal_lm_eval_on_smollm2():
    model, tok = smollm2()
    acc = _parity(model, tok, MMLU(source="bundled").load())
    print(f"SmolLM2-135M bundled MMLU log-likelihood accuracy: {acc:.3f}")


def test_auto_source_falls_back_when_the_hub_fails(monkeypatch):
    from warmth_plugins.tasks._capability_data import hub_or_bundled

    from warmth.errors import DataError

    def hub():
        raise DataError("cannot load x from the hub: offline")

    assert hub_or_bundled("mmlu", "bundled", hub, lambda: [1]) == [1]
    with pytest.raises(DataError, match="offline"):
        hub_or_bundled("mmlu", "hub", hub, lambda: [1])
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_DATASETS_OFFLINE", raising=False)
    assert hub_or_bundled("mmlu", "auto", hub, lambda: [2]) == [2]
