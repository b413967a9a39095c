"""SocioT: equals a hand computation, batching changes nothing, dropout mode, direction on real styles."""

from __future__ import annotations

import math
import statistics

import pytest
import torch

from tests.capability_models import smollm2, tiny
from warmth.conversation import read_jsonl
from warmth.errors import ConfigError
from warmth.paths import resource
from warmth.scoring.sociot import COLD, FRAMING, WARM, SocioT

TEXT = "Oh, I'm so glad you asked! Let's work through it together; you're doing great."


def hand_score(model, tok, text: str) -> float:
    """The definition, one framed string at a time: mean over the text's tokens of log p."""
    text_ids = tok(text.strip()[:300].rstrip(), add_special_tokens=False)["input_ids"]
    per_relation = []
    for speaker in list(WARM.values()) + list(COLD.values()):
        prefix = tok(FRAMING.format(speaker=speaker))["input_ids"]
        ids = torch.tensor([prefix + text_ids])
        with torch.no_grad():
            logits = model(input_ids=ids).logits[0]
        total = 0.0
        for j, token in enumerate(text_ids):
            row = logits[len(prefix) + j - 1].double()
            total += float(row[token] - torch.logsumexp(row, dim=0))
        per_relation.append(total / len(text_ids))
    n_warm = len(WARM)
    return sum(per_relation[:n_warm]) / n_warm - sum(per_relation[n_warm:]) / len(COLD)


def test_score_equals_hand_computation_on_tiny():
    model, tok = tiny()
    got = SocioT(model, tok, batch_size=3).score([TEXT, "Short."]).scores
    assert got[0] == pytest.approx(hand_score(model, tok, TEXT), abs=1e-5)
    assert got[1] == pytest.approx(hand_score(model, tok, "Short."), abs=1e-5)
    assert got[0] != got[1]


def test_batch_size_and_order_do_not_change_scores():
    model, tok = tiny()
    texts = [TEXT, "No.", "Here is the code you need:\n```python\nprint(1)\n```", TEXT * 3]
    one = SocioT(model, tok, batch_size=1).score(texts).scores
    many = SocioT(model, tok, batch_size=16).score(texts).scores
    rev = SocioT(model, tok, batch_size=5).score(texts[::-1]).scores[::-1]
    assert one == pytest.approx(many, abs=1e-5)
    assert one == pytest.approx(rev, abs=1e-5)


def test_text_is_cut_to_300_characters_and_empty_is_nan():
    model, tok = tiny()
    long = ("abc def ghi " * 60)[:400]
    s = SocioT(model, tok)
    a, b, empty = s.score([long, long[:300], "   "]).scores
    assert a == pytest.approx(b, abs=1e-6)
    assert math.isnan(empty)
    assert SocioT(model, tok, max_chars=20).score([long]).scores[0] != pytest.approx(a, abs=1e-6)


def _with_dropout(model, p: float) -> None:
    for m in model.modules():
        if hasattr(m, "attention_dropout"):
            m.attention_dropout = p


def test_dropout_mode_repeats_and_reports_standard_error():
    model, tok = tiny()
    det = SocioT(model, tok).score([TEXT])
    assert det.repeats == 1 and det.sems == [0.0]
    _with_dropout(model, 0.3)
    try:
        a = SocioT(model, tok, dropout=True, repeats=6, seed=1).score([TEXT, "Fine."])
        b = SocioT(model, tok, dropout=True, repeats=6, seed=1).score([TEXT, "Fine."])
        c = SocioT(model, tok, dropout=True, repeats=6, seed=2).score([TEXT, "Fine."])
        assert a.repeats == 6 and all(s > 0 for s in a.sems)
        assert a.scores == b.scores  # seeded: reproducible
        assert a.scores != c.scores
        assert not model.training  # mode restored
        assert SocioT(model, tok).score([TEXT]).scores[0] == pytest.approx(det.scores[0], abs=1e-6)
    finally:
        _with_dropout(model, 0.0)


def test_bad_settings_fail_with_the_key():
    model, tok = tiny()
    with pytest.raises(ConfigError, match="framing"):
        SocioT(model, tok, framing="no placeholder")
    with pytest.raises(ConfigError, match="repeats"):
        SocioT(model, tok, repeats=0)


def paired_assistant_turns() -> tuple[list[str], list[str], list[str]]:
    def first_turns(style: str) -> dict[str, str]:
        path = resource("styles", style, "conversations.jsonl")
        if not path.exists():
            pytest.skip(f"bundled style sample {path.name} ({style}) is absent")
        return {c.id: c.messages[c.assistant_indices()[0]].content for c in read_jsonl(path)}

    warm, cold = first_turns("warm"), first_turns("cold")
    ids = sorted(set(warm) & set(cold))
    return ids, [warm[i] for i in ids], [cold[i] for i in ids]


def _directional(every: int, record_property) -> float:
    model, tok = smollm2()
    _, warm, cold = paired_assistant_turns()
    warm, cold = warm[::every], cold[::every]
    scorer = SocioT(model, tok, batch_size=16)
    w, c = scorer.score(warm).scores, scorer.score(cold).scores
    diffs = [a - b for a, b in zip(w, c)]
    margin = statistics.mean(diffs)
    share = sum(d > 0 for d in diffs) / len(diffs)
    msg = (f"SocioT (SmolLM2) on {len(diffs)} paired responses: warm {statistics.mean(w):.4f}, "
           f"cold {statistics.mean(c):.4f}, margin {margin:+.4f}, warm higher in {share:.0%} of pairs")
    print(msg)
    record_property("sociot_margin", margin)
    assert margin > 0, msg
    return share


def test_warm_scores_higher_than_cold_on_a_subset(record_property):
    """Fast version: every 20th pair of the bundled sample (6 pairs)."""
    _directional(20, record_property)


@pytest.mark.slow
def test_warm_scores_higher_than_cold_on_the_whole_sample(record_property):
    share = _directional(1, record_property)
    assert share > 0.5


def test_scorer_falls_back_offline_and_names_itself(monkeypatch):
    from warmth.errors import WarmthError
    from warmth.scoring.scorer_model import load_scorer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    missing = "warmth-tests/no-such-scorer"
    model, tok, name = load_scorer(missing, fallback="builtin:tiny")
    assert name == "builtin:tiny" and not model.training and tok is not None
    with pytest.raises(WarmthError, match="no-such-scorer"):
        load_scorer(missing, fallback=None)
