"""Generation through an OpenAI-compatible chat endpoint (API models, served checkpoints).

Works with OpenAI, vLLM's server, ``transformers serve`` and others. Each
request asks for ``n_samples`` choices (``n``); servers that ignore ``n``
are asked again until enough samples arrive. A request that fails after
its retries yields an empty response, which the runner records as
unscored ("empty response"); the error is logged and kept in ``errors``.
An endpoint that cannot serve (bad key, unreachable, only errors) stops
the run with one line; records written before stay (see ``warmth.eval.chat_api``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from warmth.eval.chat_api import ChatAPI
from warmth.eval.interfaces import GenerationParams

log = logging.getLogger(__name__)


class OpenAIBackend:
    name = "openai"

    def __init__(self, base_url: str, model: str, api_key_env: str | None = "OPENAI_API_KEY",
                 timeout: float = 120.0, max_retries: int = 3, concurrency: int = 8,
                 send_seed: bool = True, extra_body: dict[str, Any] | None = None,
                 api_key_file: str | None = None, **_: Any):
        self.api = ChatAPI(base_url, model, api_key_env, timeout, max_retries, concurrency, extra_body=extra_body,
                           api_key_file=api_key_file, owner="backend")
        self.send_seed = send_seed
        self.errors: list[str] = []

    def generate(self, requests: Sequence[list[dict[str, str]]], params: GenerationParams) -> list[list[str]]:
        n = max(1, int(params.n_samples))
        body: dict[str, Any] = {"temperature": float(params.temperature), "max_tokens": int(params.max_new_tokens),
                                "top_p": float(params.top_p)}
        if n > 1:
            body["n"] = n
        if self.send_seed:
            body["seed"] = int(params.seed)
        out: list[list[str]] = [[] for _ in requests]
        pending = list(range(len(requests)))
        for _ in range(n):  # top up when a server returns fewer choices than asked
            if not pending:
                break
            got = self.api.complete_many([requests[i] for i in pending], body)
            still = []
            for i, res in zip(pending, got):
                if isinstance(res, Exception):
                    self.errors.append(str(res))
                    log.warning("generation request failed (recorded as an empty response): %s", res)
                    out[i] += [""] * (n - len(out[i]))
                    continue
                out[i] += res[: n - len(out[i])]
                if len(out[i]) < n:
                    still.append(i)
            pending = still
        for i in pending:
            out[i] += [""] * (n - len(out[i]))
        return out
