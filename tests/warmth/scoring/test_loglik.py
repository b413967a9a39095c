"""Batched log-likelihood equals one-at-a-time plain forwards; lm-eval's context/continuation split."""

from __future__ import annotations

import pytest
import torch

from tests.capability_models import tiny
from warmth.errors import DataError
from warmth.scoring.loglik import choice_loglikelihoods, encode_pair, loglikelihoods

PAIRS = [
    ("Question: what is two plus two?\nAnswer:", " 4"),
    ("The sky is", " blue today, as usual"),
    ("Trailing space moves to the continuation ", "yes"),
    ("x", " y z"),
]


def plain(model, tok, ctx: str, cont: str) -> float:
    c, t = encode_pair(tok, ctx, cont)
    ids = torch.tensor([c + t])
    with torch.no_grad():
        logp = torch.log_softmax(model(input_ids=ids).logits[0].float(), -1)
    return sum(float(logp[len(c) + j - 1, tok_id]) for j, tok_id in enumerate(t))


def test_encode_pair_moves_trailing_space():
    _, tok = tiny()
    c, t = encode_pair(tok, "Answer: ", "A")
    c2, t2 = encode_pair(tok, "Answer:", " A")
    assert (c, t) == (c2, t2)
    with pytest.raises(DataError):
        encode_pair(tok, "", "A")


@pytest.mark.parametrize("batch_size", [1, 3, 16])
def test_batched_equals_plain_forward(batch_size):
    model, tok = tiny()
    got = loglikelihoods(model, tok, PAIRS, batch_size=batch_size)
    want = [plain(model, tok, c, t) for c, t in PAIRS]
    assert got == pytest.approx(want, abs=1e-4)


def test_choice_fast_path_equals_general_path():
    model, tok = tiny()
    contexts = ["Pick one.\nA. x\nB. y\nC. z\nD. w\nAnswer:", "Short?\nAnswer:"]
    letters = [" A", " C", " D"]  # one token each in the tiny tokenizer (" B" is two)
    calls = []
    hook = model.register_forward_hook(lambda module, args, out: calls.append(1))
    try:
        fast = choice_loglikelihoods(model, tok, contexts, letters, batch_size=2)
    finally:
        hook.remove()
    assert len(calls) == 1  # both questions, all three letters: one forward pass
    slow = [[plain(model, tok, c, ch) for ch in letters] for c in contexts]
    assert [x for row in fast for x in row] == pytest.approx([x for row in slow for x in row], abs=1e-4)
    # multi-token choices go through the general path
    multi = choice_loglikelihoods(model, tok, contexts[:1], [" alpha beta", " gamma"])
    assert multi[0] == pytest.approx([plain(model, tok, contexts[0], " alpha beta"),
                                      plain(model, tok, contexts[0], " gamma")], abs=1e-4)
