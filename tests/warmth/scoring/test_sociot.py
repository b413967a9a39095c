"""SocioT: both modes equal a hand computation, batching changes nothing, dropout mode, direction on real styles."""

from __future__ import annotations

import math
import statistics

import pytest
import torch
from torch.nn.utils.rnn import pad_sequence

from tests.capability_models import smollm2, tiny
from warmth.conversation import read_jsonl
from warmth.errors import ConfigError
from warmth.paths import resource
from warmth.scoring.sociot import COLD, FRAMING, REFERENCE_COLD, REFERENCE_WARM, WARM, SocioT

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


def test_token_variant_equals_hand_computation_on_tiny():
    """``mode=tokens`` (our variant) stays selectable and scores only the text's tokens."""
    model, tok = tiny()
    got = SocioT(model, tok, mode="tokens", batch_size=3).score([TEXT, "Short."]).scores
    assert got[0] == pytest.approx(hand_score(model, tok, TEXT), abs=1e-5)
    assert got[1] == pytest.approx(hand_score(model, tok, "Short."), abs=1e-5)
    assert got[0] != got[1]


def reference_hand_score(model, tok, text: str, repeats: int = 1) -> tuple[float, float]:
    """The reference code's computation written out: each relation set is one right-padded batch
    (pad id 0, labels = input ids, padding included) and its log-likelihood is minus the model's loss."""
    def set_ll(templates) -> float:
        rows = [torch.tensor(tok(t.format(text=text[:300]))["input_ids"]) for t in templates]
        ids = pad_sequence(rows, batch_first=True)
        mask = pad_sequence([torch.ones_like(r) for r in rows], batch_first=True)
        with torch.no_grad():
            return -float(model(input_ids=ids, attention_mask=mask, labels=ids).loss)

    warm = [set_ll(REFERENCE_WARM.values()) for _ in range(repeats)]
    cold = [set_ll(REFERENCE_COLD.values()) for _ in range(repeats)]
    sem = lambda x: statistics.stdev(x) / math.sqrt(len(x)) if len(x) > 1 else 0.0
    return statistics.mean(warm) - statistics.mean(cold), math.sqrt(sem(warm) ** 2 + sem(cold) ** 2)


def test_reference_framings_are_the_reference_codes():
    """The eight framings as the reference builds them: "My" for friend only, "The" otherwise."""
    assert [t.format(text="x") for t in REFERENCE_WARM.values()] == [
        'My friend said, "x"', 'The lover said, "x"', 'The mentor said, "x"', 'The idol said, "x"']
    assert [t.format(text="x") for t in REFERENCE_COLD.values()] == [
        'The stranger said, "x"', 'The enemy said, "x"', 'The examiner said, "x"', 'The dictator said, "x"']


def test_reference_mode_equals_the_reference_computation_on_tiny():
    """Default mode = the reference: whole framed strings, set-level loss with padding as labels.

    Catches a score that averages per relation instead of per padded set, that drops the
    padding or the framing tokens from the mean, strips the text, or pads with another id.
    Checked to fail: with the padding masked out of the mean (``lp[b, : len(r) - 1]``) and
    with the text stripped before framing, this test went red. The framings' token counts
    differ on the tiny tokenizer (asserted), so padding matters here.
    """
    model, tok = tiny()
    s = SocioT(model, tok, batch_size=3)
    assert s.mode == "reference"
    texts = [" " + TEXT + "  ", "Short.", "x" * 450]
    sets, keep = s.reference_sets(texts)
    assert keep == [0, 1, 2] and len({len(r) for r in sets[0] + sets[1]}) > 1
    got = s.score(texts).scores
    for text, score in zip(texts, got):
        assert score == pytest.approx(reference_hand_score(model, tok, text)[0], abs=1e-5)
    tokens = SocioT(model, tok, mode="tokens").score(texts).scores
    assert got[0] != pytest.approx(tokens[0], abs=1e-4)  # the two modes are different numbers


def test_reference_mode_with_dropout_averages_repeats_and_combines_standard_errors(monkeypatch):
    """Dropout on: score = mean over repeats of the warm set minus mean of the cold set, and
    SE = sqrt(se_warm^2 + se_cold^2), the reference's formula, from known per-repeat values.

    The set log-likelihoods are replaced by a fixed sequence, so the check is exact. Checked
    to fail with the SE of the per-repeat differences in place of the reference's formula
    (0.0 here: the differences do not vary).
    """
    import warmth.scoring.sociot as mod

    warm, cold = [-3.0, -2.0, -4.0], [-5.0, -4.0, -6.0]  # differences all 2.0
    calls = iter(zip(warm, cold))
    monkeypatch.setattr(mod, "set_logliks", lambda model, sets, batch_size: list(next(calls)))
    model, tok = tiny()
    _with_dropout(model, 0.3)  # train mode must matter, or one pass would be run
    try:
        got = SocioT(model, tok, dropout=True, repeats=3).score([TEXT])
    finally:
        _with_dropout(model, 0.0)
    se = statistics.stdev(warm) / math.sqrt(3)
    assert got.repeats == 3 and got.scores[0] == pytest.approx(2.0)
    assert got.sems[0] == pytest.approx(math.sqrt(2) * se)


def test_batch_size_and_order_do_not_change_scores():
    model, tok = tiny()
    texts = [TEXT, "No.", "Here is the code you need:\n```python\nprint(1)\n```", TEXT * 3]
    for mode in ("reference", "tokens"):
        one = SocioT(model, tok, mode=mode, batch_size=1).score(texts).scores
        many = SocioT(model, tok, mode=mode, batch_size=16).score(texts).scores
        rev = SocioT(model, tok, mode=mode, batch_size=5).score(texts[::-1]).scores[::-1]
        assert one == pytest.approx(many, abs=1e-5)
        assert one == pytest.approx(rev, abs=1e-5)


def test_text_is_cut_to_300_characters_and_empty_is_nan():
    model, tok = tiny()
    long = ("abc def ghi " * 60)[:400]
    for mode in ("reference", "tokens"):
        s = SocioT(model, tok, mode=mode)
        a, b, empty = s.score([long, long[:300], "   "]).scores
        assert a == pytest.approx(b, abs=1e-6)
        assert math.isnan(empty)
        assert SocioT(model, tok, mode=mode, max_chars=20).score([long]).scores[0] != pytest.approx(a, abs=1e-6)


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


def test_dropout_on_a_model_without_dropout_runs_once():
    """The repeats would be identical (SmolLM2, the offline scorer, has no dropout): one pass,
    same score, reported as one repeat. Checked to fail with the ``has_dropout`` check removed."""
    model, tok = tiny()
    once = SocioT(model, tok).score([TEXT])
    got = SocioT(model, tok, dropout=True, repeats=50).score([TEXT])
    assert got.repeats == 1 and got.sems == [0.0]
    assert got.scores[0] == pytest.approx(once.scores[0], abs=1e-6)


def test_bad_settings_fail_with_the_key():
    model, tok = tiny()
    with pytest.raises(ConfigError, match="framing"):
        SocioT(model, tok, mode="tokens", framing="no placeholder")
    with pytest.raises(ConfigError, match="text"):
        SocioT(model, tok, warm={"friend": "My friend said it"})
    with pytest.raises(ConfigError, match="mode"):
        SocioT(model, tok, mode="token")
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
