"""SocioT warmth score (Cheng et al., ACL 2025, "HumT DumT"), batched, in two modes.

A text sounds warm when a language model finds it more likely coming from
someone close than from someone distant. Warm relations: friend, lover,
mentor, idol; cold ones: stranger, enemy, examiner, dictator.

``mode="reference"`` (default) computes what the reference code
(github.com/myracheng/humtdumt, ``compute_humt_sociot.py``) computes:

1. ``t`` = the text's first ``max_chars`` (300) characters, not stripped.
2. Each relation frames the whole text: ``My friend said, "<t>"`` (only
   friend takes "My"), ``The lover said, "<t>"``, ``The mentor said, ...``,
   ``The idol said, ...``, ``The stranger said, ...`` and so on. Each framed
   string is encoded with the tokenizer's defaults, at most 1024 tokens.
3. A relation set (the four warm ones, or the four cold ones) is one batch:
   its sequences are right-padded with token id 0 to the set's longest, and
   its log-likelihood is minus the language-model loss with the input ids
   as labels, i.e. the mean log-probability over every predicted position
   of every sequence in the set, framing tokens and padding included (the
   reference passes its padded ids as labels, so padding counts).
4. ``score(t)`` = warm set's log-likelihood minus the cold set's.
5. With ``dropout=True`` the scorer stays in train mode and the two sets
   are scored ``repeats`` times (the reference: 100); the score is the
   difference of the two means and its standard error
   ``sqrt(sem_warm^2 + sem_cold^2)``, as the reference computes it.

``mode="tokens"`` is our variant, which scores only the text itself:
the text is stripped and cut, its tokens (encoded alone, no special
tokens) follow each framing ``These are the words <speaker> said to me: "``
(our wording), ``LL_r`` is the mean log-probability of the text's tokens
only, and the score is the mean ``LL_r`` of the warm relations minus that
of the cold ones; the standard error is that of the per-repeat differences.
Framings and padding then never enter the score.

In both modes an empty (or blank) text scores NaN; the reference would
score its framings alone.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from warmth.errors import ConfigError
from warmth.scoring.loglik import Scored, pad_id_of, token_logprobs

log = logging.getLogger(__name__)
MODES = ("reference", "tokens")
# The reference's framings (facts of the method, as its code builds them).
REFERENCE_WARM: dict[str, str] = {
    "friend": 'My friend said, "{text}"',
    "lover": 'The lover said, "{text}"',
    "mentor": 'The mentor said, "{text}"',
    "idol": 'The idol said, "{text}"',
}
REFERENCE_COLD: dict[str, str] = {
    "stranger": 'The stranger said, "{text}"',
    "enemy": 'The enemy said, "{text}"',
    "examiner": 'The examiner said, "{text}"',
    "dictator": 'The dictator said, "{text}"',
}
REFERENCE_PAD_ID = 0  # the reference pads with 0 and scores the padding as labels
REFERENCE_MAX_TOKENS = 1024
# Our token-only variant: speaker phrases in our own framing sentence.
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


def set_logliks(model: Any, sets: Sequence[Sequence[Sequence[int]]], *, batch_size: int = 16,
                pad_id: int = REFERENCE_PAD_ID) -> list[float]:
    """Per set of token sequences, minus the causal-LM loss of the set as one right-padded batch.

    That loss averages ``-log p`` over every predicted position (1..L-1) of
    every row, the padding (``pad_id``, up to the set's longest row ``L``)
    included, as ``model(ids, attention_mask, labels=ids).loss`` does. Rows
    of several sets share a forward pass: extra right padding is masked and,
    the model being causal, changes no position a set scores.
    """
    rows = [(si, list(r)) for si, rs in enumerate(sets) for r in rs]
    width_of = [max(len(r) for r in rs) for rs in sets]
    totals = [0.0] * len(sets)
    device = next(model.parameters()).device
    order = sorted(range(len(rows)), key=lambda i: -width_of[rows[i][0]])
    for start in range(0, len(order), batch_size):
        batch = [rows[i] for i in order[start:start + batch_size]]
        width = max(width_of[si] for si, _ in batch)
        ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
        mask = torch.zeros((len(batch), width), dtype=torch.long)
        for b, (_, r) in enumerate(batch):
            ids[b, : len(r)] = torch.tensor(r, dtype=torch.long)
            mask[b, : len(r)] = 1
        logits = model(input_ids=ids.to(device), attention_mask=mask.to(device), use_cache=False).logits.float()
        lp = logits[:, :-1].gather(-1, ids[:, 1:, None].to(device))[..., 0] - torch.logsumexp(logits[:, :-1], -1)
        for b, (si, _) in enumerate(batch):
            totals[si] += float(lp[b, : width_of[si] - 1].double().sum())
    return [totals[si] / (len(rs) * (width_of[si] - 1)) for si, rs in enumerate(sets)]


def has_dropout(model: Any) -> bool:
    """Whether train mode changes the model's output: a dropout layer or attention dropout above 0."""
    for m in model.modules():
        if isinstance(m, torch.nn.Dropout) and m.p > 0:
            return True
        p = getattr(m, "attention_dropout", 0.0)
        if isinstance(p, (int, float)) and p > 0:
            return True
    return False


def _sem(x: torch.Tensor) -> torch.Tensor:
    """Standard error of the mean over dim 0 (zero with one repeat)."""
    if x.shape[0] < 2:
        return torch.zeros(x.shape[1:], dtype=x.dtype)
    return x.std(0, unbiased=True) / math.sqrt(x.shape[0])


class SocioT:
    """Scores texts with a causal LM ``model`` and its ``tokenizer`` (see the module docstring)."""

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        *,
        mode: str = "reference",
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
        if mode not in MODES:
            raise ConfigError(f"sociot mode must be one of {MODES}, got {mode!r}")
        if repeats < 1:
            raise ConfigError(f"sociot repeats must be >= 1, got {repeats}")
        if max_chars < 1:
            raise ConfigError(f"sociot max_chars must be >= 1, got {max_chars}")
        reference = mode == "reference"
        self.mode, self.model, self.tokenizer = mode, model, tokenizer
        self.max_chars, self.batch_size = max_chars, batch_size
        self.dropout, self.repeats, self.seed = dropout, repeats if dropout else 1, seed
        self.warm = dict(warm if warm is not None else REFERENCE_WARM if reference else WARM)
        self.cold = dict(cold if cold is not None else REFERENCE_COLD if reference else COLD)
        if not self.warm or not self.cold:
            raise ConfigError("sociot needs at least one warm and one cold relation")
        if reference:
            bad = [k for k, v in {**self.warm, **self.cold}.items() if "{text}" not in v]
            if bad:
                raise ConfigError(f"sociot (mode=reference) warm/cold framings must contain '{{text}}': {bad}")
        elif "{speaker}" not in framing:
            raise ConfigError(f"sociot framing must contain '{{speaker}}', got {framing!r}")
        self.framing, self.progress = framing, progress

    # --- tokens mode ----------------------------------------------------------------------
    def prefixes(self) -> tuple[list[list[int]], list[list[int]]]:
        """Token ids of the warm and the cold framings (tokens mode)."""
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

    # --- reference mode -------------------------------------------------------------------
    def reference_sets(self, texts: Sequence[str]) -> tuple[list[list[list[int]]], list[int]]:
        """Per scorable text, its warm set then its cold set of framed token ids; and the texts' indices."""
        keep = [i for i, t in enumerate(texts) if t[: self.max_chars].strip()]
        framed = [tpl.format(text=texts[i][: self.max_chars]) for i in keep
                  for tpl in (*self.warm.values(), *self.cold.values())]
        ids = [list(x)[:REFERENCE_MAX_TOKENS] for x in self.tokenizer(framed)["input_ids"]] if framed else []
        n_w, n = len(self.warm), len(self.warm) + len(self.cold)
        sets = []
        for k in range(len(keep)):
            rows = ids[k * n:(k + 1) * n]
            sets += [rows[:n_w], rows[n_w:]]
        return sets, keep

    def _reference(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        sets, keep = self.reference_sets(texts)
        runs = [set_logliks(self.model, sets, batch_size=self.batch_size) for _ in range(self.repeats)]
        ll = torch.tensor(runs, dtype=torch.float64).reshape(self.repeats, len(keep), 2)
        means = torch.full((len(texts),), float("nan"), dtype=torch.float64)
        sems = means.clone()
        idx = torch.tensor(keep, dtype=torch.long)
        means[idx] = ll[:, :, 0].mean(0) - ll[:, :, 1].mean(0)
        sems[idx] = (_sem(ll[:, :, 0]) ** 2 + _sem(ll[:, :, 1]) ** 2).sqrt()
        return means, sems

    def _tokens(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        n_warm = len(self.warm)
        framed = self.framed(texts)  # tokenised once for all repeats
        runs = []
        for _ in range(self.repeats):
            ll = self.relation_loglik(texts, framed)
            runs.append(ll[:, :n_warm].mean(1) - ll[:, n_warm:].mean(1))
        stack = torch.stack(runs)  # [repeats, n_texts]
        return stack.mean(0), _sem(stack)

    def score(self, texts: Sequence[str]) -> SocioTResult:
        """Warmth of each text; an empty text scores NaN.

        With dropout on a model that has none (e.g. the SmolLM2 fallback), every repeat
        would give the same numbers: one pass is run and ``repeats`` is reported as 1.
        """
        was_training = getattr(self.model, "training", False)
        repeats = self.repeats
        if self.dropout and repeats > 1 and not has_dropout(self.model):
            log.warning("SocioT: dropout requested but the scorer has no dropout; one pass instead of %d", repeats)
            self.repeats = 1
        try:
            self.model.train(self.dropout)
            gen = torch.random.fork_rng() if self.dropout else contextlib.nullcontext()
            with gen, torch.no_grad():
                if self.dropout:
                    torch.manual_seed(self.seed)
                means, sems = (self._reference if self.mode == "reference" else self._tokens)(list(texts))
        finally:
            self.model.train(was_training)
            used, self.repeats = self.repeats, repeats
        return SocioTResult([float(x) for x in means], [float(x) for x in sems], used)
