"""SocioT warmth score (after Cheng et al., ACL 2025), batched.

A text sounds warm when a language model finds it more likely coming from
someone close than from someone distant. Precisely, for a text ``t``:

1. ``t`` is stripped, cut to ``max_chars`` (300) characters, and stripped
   again at the end (a cut may end on a space).
2. Its tokens ``T`` are the tokenizer's encoding of ``t`` alone, with no
   special tokens, so every framing scores the very same tokens.
3. For each relation ``r`` the framing ``F_r`` (a sentence naming the
   speaker, ending in an opening quote) is encoded with the tokenizer's
   default special tokens (a BOS where the model uses one).
4. ``LL_r`` = mean over ``i`` of ``log p(T_i | F_r, T_<i)``: the per-token
   log-likelihood of the text's tokens only; framing tokens are context.
5. ``score(t)`` = mean of ``LL_r`` over warm relations (friend, lover,
   mentor, idol) minus the mean over cold ones (stranger, enemy, examiner,
   dictator).

Deterministic mode runs the scorer in ``eval()``. Dropout mode, like the
reference code, keeps dropout on and repeats the computation ``repeats``
times: the score is the mean over repeats and its standard error is
reported (zero for models without dropout, e.g. Llama-family ones).
The framing sentences are our own wording and are configurable.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from warmth.errors import ConfigError
from warmth.scoring.loglik import Scored, pad_id_of, token_logprobs

WARM: dict[str, str] = {
    "friend": "a dear friend of mine",
    "lover": "the person I love",
    "mentor": "my mentor",
    "idol": "someone I idolise",
}
COLD: dict[str, str] = {
    "stranger": "a stranger",
    "enemy": "my enemy",
    "examiner": "the examiner",
    "dictator": "the dictator",
}
FRAMING = 'These are the words {speaker} said to me: "'


@dataclass
class SocioTResult:
    scores: list[float]  # per text, mean over repeats
    sems: list[float]  # per text, standard error over repeats (0 with one repeat)
    repeats: int


class SocioT:
    """Scores texts with a causal LM ``model`` and its ``tokenizer``."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        max_chars: int = 300,
        batch_size: int = 16,
        dropout: bool = False,
        repeats: int = 1,
        seed: int = 0,
        warm: Mapping[str, str] | None = None,
        cold: Mapping[str, str] | None = None,
        framing: str = FRAMING,
        progress: bool = False,
    ):
        if "{speaker}" not in framing:
            raise ConfigError(f"sociot framing must contain '{{speaker}}', got {framing!r}")
        if repeats < 1:
            raise ConfigError(f"sociot repeats must be >= 1, got {repeats}")
        if max_chars < 1:
            raise ConfigError(f"sociot max_chars must be >= 1, got {max_chars}")
        self.model, self.tokenizer = model, tokenizer
        self.max_chars, self.batch_size = max_chars, batch_size
        self.dropout, self.repeats, self.seed = dropout, repeats if dropout else 1, seed
        self.warm = dict(warm if warm is not None else WARM)
        self.cold = dict(cold if cold is not None else COLD)
        if not self.warm or not self.cold:
            raise ConfigError("sociot needs at least one warm and one cold relation")
        self.framing, self.progress = framing, progress

    def prefixes(self) -> tuple[list[list[int]], list[list[int]]]:
        """Token ids of the warm and the cold framings."""
        enc = lambda speaker: list(self.tokenizer(self.framing.format(speaker=speaker))["input_ids"])
        return [enc(s) for s in self.warm.values()], [enc(s) for s in self.cold.values()]

    def cut(self, text: str) -> str:
        return text.strip()[: self.max_chars].rstrip()

    def text_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each cut text (one batched tokenizer call)."""
        if not texts:
            return []
        return [list(x) for x in self.tokenizer([self.cut(t) for t in texts], add_special_tokens=False)["input_ids"]]

    def framed(self, texts: Sequence[str]) -> tuple[list[Scored], list[tuple[int, int]]]:
        """Every (text, framing) sequence to score, and its (text index, framing index)."""
        warm, cold = self.prefixes()
        seqs, owners = [], []
        for ti, ids in enumerate(self.text_ids(texts)):
            for fi, prefix in enumerate(warm + cold):
                if ids:
                    seqs.append(Scored(tuple(prefix + ids), len(ids)))
                    owners.append((ti, fi))
        return seqs, owners

    def relation_loglik(self, texts: Sequence[str], framed: tuple[list[Scored], list[tuple[int, int]]] | None = None
                        ) -> torch.Tensor:
        """``[n_texts, n_warm + n_cold]`` mean per-token log-likelihoods (one pass; NaN for empty texts)."""
        seqs, owners = framed or self.framed(texts)
        out = torch.full((len(texts), len(self.warm) + len(self.cold)), float("nan"))
        lps = token_logprobs(
            self.model, seqs, batch_size=self.batch_size, pad_id=pad_id_of(self.tokenizer), progress=self.progress
        )
        for (ti, fi), lp in zip(owners, lps):
            out[ti, fi] = lp.mean()
        return out

    def score(self, texts: Sequence[str]) -> SocioTResult:
        """Warmth of each text; an empty text scores NaN."""
        n_warm = len(self.warm)
        was_training = getattr(self.model, "training", False)
        runs = []
        try:
            self.model.train(self.dropout)
            gen = torch.random.fork_rng() if self.dropout else contextlib.nullcontext()
            with gen, torch.no_grad():
                if self.dropout:
                    torch.manual_seed(self.seed)
                framed = self.framed(texts)  # tokenised once for all repeats
                for _ in range(self.repeats):
                    ll = self.relation_loglik(texts, framed)
                    runs.append(ll[:, :n_warm].mean(1) - ll[:, n_warm:].mean(1))
        finally:
            self.model.train(was_training)
        stack = torch.stack(runs)  # [repeats, n_texts]
        means = stack.mean(0)
        if self.repeats > 1:
            sems = stack.std(0, unbiased=True) / math.sqrt(self.repeats)
        else:
            sems = torch.zeros_like(means)
        return SocioTResult([float(x) for x in means], [float(x) for x in sems], self.repeats)

