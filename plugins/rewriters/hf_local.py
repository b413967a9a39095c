"""Rewriter backend on a local Hugging Face causal LM, with batched generation.

Takes the ``model`` config group (``conf/model/*.yaml``) and loads it through
``warmth.models``. Greedy decoding by default, so reruns are reproducible.
Batches are consecutive slices of the request list; since the engine resumes
at batch boundaries, an interrupted run regenerates each batch with the same
members and gets the same outputs as an uninterrupted one.

A reply must not come back empty: ``min_new_tokens`` keeps a model from ending
at once, special tokens (other than end-of-sequence) are suppressed, and until a
reply has a visible character, whitespace-only tokens are banned (a greedy,
untrained model otherwise repeats a newline forever). If a reply still decodes
to nothing, it is retried alone, sampled with a seed derived from the request
key (deterministic), up to ``empty_retries`` times.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

from warmth.errors import ConfigError
from warmth.styledata.rewriter import Request, Result, RewriterUnavailable


class _NoBlankStart:
    """Logits processor: ban whitespace-only tokens while a row has produced only those."""

    def __init__(self, blank_ids: list[int], prompt_len: int):
        import torch

        self.blank = torch.tensor(blank_ids, dtype=torch.long)
        self.prompt_len = prompt_len

    def __call__(self, input_ids, scores):
        import torch

        if not len(self.blank):
            return scores
        gen = input_ids[:, self.prompt_len:]
        blank_so_far = torch.isin(gen, self.blank.to(gen.device)).all(dim=1)
        if blank_so_far.any():
            scores[blank_so_far.nonzero(as_tuple=True)[0][:, None], self.blank.to(scores.device)] = float("-inf")
        return scores


class HFLocalRewriter:
    def __init__(self, model: Any, batch_size: int = 16, max_new_tokens: int = 1024,
                 length_factor: float = 1.5, min_new_tokens: int = 8, temperature: float = 0.0,
                 top_p: float = 1.0, max_input_tokens: int = 4096, empty_retries: int = 2,
                 device: str = "auto", seed: int = 0):
        if model is None or not model.get("pretrained"):
            raise ConfigError("rewriter=hf needs the model group (e.g. model=tiny or model=smollm2_135m)")
        if int(batch_size) < 1:
            raise ConfigError(f"rewriter.batch_size={batch_size}: must be >= 1")
        self.model_cfg = model
        self.model_id = f"hf:{model.get('name')}:{model.get('pretrained')}@{model.get('revision')}"
        self.batch_size = int(batch_size)
        self.max_new_tokens, self.min_new_tokens = int(max_new_tokens), int(min_new_tokens)
        self.length_factor = float(length_factor)
        self.temperature, self.top_p = float(temperature), float(top_p)
        self.max_input_tokens = int(max_input_tokens)
        self.empty_retries = int(empty_retries)
        self.device_name, self.seed = device, int(seed)
        self._model = self._tok = None

    def settings(self) -> dict[str, Any]:
        return {"max_new_tokens": self.max_new_tokens, "min_new_tokens": self.min_new_tokens,
                "length_factor": self.length_factor, "top_p": self.top_p,
                "max_input_tokens": self.max_input_tokens, "batch_size": self.batch_size,
                "seed": self.seed}

    def check(self) -> None:
        if self._model is not None:
            return
        import torch

        from warmth.models import load_model, load_tokenizer

        try:
            self._tok = load_tokenizer(self.model_cfg)
            self._model = load_model(self.model_cfg).eval()
        except OSError as exc:
            raise RewriterUnavailable(f"cannot load model {self.model_cfg.get('name')}: {exc}") from None
        dev = self.device_name
        if dev == "auto":
            dev = "cuda" if torch.cuda.is_available() else "cpu"
        self._device = torch.device(dev)
        self._model.to(self._device)
        tok = self._tok
        tok.padding_side, tok.truncation_side = "left", "left"
        if tok.pad_token_id is None:
            tok.pad_token = tok.eos_token
        gen_eos = getattr(self._model.generation_config, "eos_token_id", None)
        eos = {tok.eos_token_id} | set(gen_eos if isinstance(gen_eos, list) else [gen_eos])
        self._suppress = sorted(set(tok.all_special_ids) - eos - {None})
        pieces = tok.batch_decode([[i] for i in range(len(tok))])
        self._blank = [i for i, p in enumerate(pieces) if not p.strip() and i not in eos]

    def _budget(self, batch: Sequence[Request]) -> int:
        longest = max(len(self._tok(r.source_text, add_special_tokens=False).input_ids) for r in batch)
        return max(self.min_new_tokens + 1, min(self.max_new_tokens,
                                                math.ceil(longest * self.length_factor) + 16))

    def _generate(self, batch: Sequence[Request], sample_seed: int | None = None) -> list[str]:
        import torch

        texts = [self._tok.apply_chat_template(r.messages, tokenize=False, add_generation_prompt=True)
                 for r in batch]
        budget = self._budget(batch)
        limit = self.max_input_tokens
        ctx = getattr(self._model.config, "max_position_embeddings", None)
        if ctx:  # prompt + reply must fit the model's context
            limit = max(16, min(limit, int(ctx) - budget))
        enc = self._tok(texts, return_tensors="pt", padding=True, truncation=True,
                        max_length=limit, add_special_tokens=False).to(self._device)
        sample = sample_seed is not None or self.temperature > 0
        kwargs: dict[str, Any] = {"do_sample": sample}
        if sample:
            torch.manual_seed(sample_seed if sample_seed is not None else self.seed)
            kwargs.update(temperature=self.temperature or 1.0, top_p=self.top_p)
        from transformers import LogitsProcessorList

        procs = LogitsProcessorList([_NoBlankStart(self._blank, enc.input_ids.shape[1])])
        with torch.no_grad():
            out = self._model.generate(**enc, max_new_tokens=budget,
                                       logits_processor=procs,
                                       min_new_tokens=self.min_new_tokens,
                                       pad_token_id=self._tok.pad_token_id,
                                       suppress_tokens=self._suppress or None, **kwargs)
        new = out[:, enc.input_ids.shape[1]:]
        return [t.strip() for t in self._tok.batch_decode(new, skip_special_tokens=True)]

    def rewrite(self, requests: Sequence[Request]) -> Iterator[list[Result]]:
        self.check()
        for start in range(0, len(requests), self.batch_size):
            batch = requests[start:start + self.batch_size]
            results = [Result(r, text=t) for r, t in zip(batch, self._generate(batch))]
            for res in results:
                while not res.text and res.retried < self.empty_retries:
                    res.retried += 1
                    seed = int(res.request.key[:8], 16) + res.retried
                    res.text = self._generate([res.request], sample_seed=seed)[0]
            yield results

    def close(self) -> None:
        pass
