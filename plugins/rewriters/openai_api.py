"""Rewriter backend for any OpenAI-compatible ``/chat/completions`` endpoint.

Works with OpenAI, vLLM, ``transformers serve``, llama.cpp's server and the like.
Requests run on a thread pool bounded by ``concurrency`` through
:class:`warmth.eval.chat_api.ChatAPI`, the client the judge and the API
backend use: transient statuses are retried (``Retry-After`` honoured), a
request that still fails is a counted failure, and a missing or rejected
key, an unreachable server or one that only errors stops the run with one
line (turns already finished are kept in ``turns.jsonl``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

from warmth.errors import ConfigError
from warmth.eval.chat_api import ChatAPI, EndpointUnavailable, RequestFailed
from warmth.styledata.rewriter import Request, Result, RewriterUnavailable


class OpenAIChatRewriter:
    def __init__(self, base_url: str, model: str, api_key_env: str | None = "OPENAI_API_KEY",
                 temperature: float = 0.0, max_tokens: int = 1024, concurrency: int = 4,
                 max_retries: int = 5, backoff_s: float = 1.0, max_backoff_s: float = 60.0,
                 timeout_s: float = 120.0, seed: int | None = None,
                 extra_body: dict[str, Any] | None = None, api_key_file: str | None = None,
                 max_failures_in_a_row: int = 5):
        if not base_url:
            raise ConfigError("rewriter.base_url is not set")
        if not model:
            raise ConfigError("rewriter.model is not set (the API's model name)")
        if int(concurrency) < 1:
            raise ConfigError(f"rewriter.concurrency={concurrency}: must be >= 1")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.model_id = f"api:{model}"
        self.temperature = float(temperature)
        self.max_tokens = int(max_tokens)
        self.concurrency = int(concurrency)
        self.seed = seed
        self.extra_body = dict(extra_body or {})
        self._api_kwargs = {"base_url": base_url, "model": model, "api_key_env": api_key_env,
                            "api_key_file": api_key_file, "timeout": timeout_s, "max_retries": max_retries,
                            "concurrency": self.concurrency, "backoff": backoff_s, "max_backoff": max_backoff_s,
                            "extra_body": self.extra_body, "max_failures_in_a_row": max_failures_in_a_row,
                            "owner": "rewriter", "require_key": True}
        self.api: ChatAPI | None = None

    def settings(self) -> dict[str, Any]:
        return {"max_tokens": self.max_tokens, "seed": self.seed, "extra_body": self.extra_body}

    def check(self) -> None:
        try:
            self.api = ChatAPI(**self._api_kwargs)
            self.api.probe()
        except (EndpointUnavailable, ConfigError) as exc:  # unreachable, key refused or missing: cannot start
            raise RewriterUnavailable(str(exc)) from None

    def _call(self, req: Request) -> Result:
        params: dict[str, Any] = {"temperature": self.temperature, "max_tokens": self.max_tokens}
        if self.seed is not None:
            params["seed"] = self.seed
        try:
            reply = self.api.request(req.messages, params)
        except EndpointUnavailable as exc:
            raise RewriterUnavailable(str(exc)) from None
        except RequestFailed as exc:
            label = f"http_{exc.status}" if exc.status and exc.status >= 400 else "bad_response"
            return Result(req, error=f"{label}: {exc}", retried=exc.retried)
        if not reply.texts:
            return Result(req, error="bad_response: no choices", retried=reply.retried)
        return Result(req, text=reply.texts[0], retried=reply.retried)

    def rewrite(self, requests: Sequence[Request]) -> Iterator[list[Result]]:
        if self.api is None:
            self.check()
        pool = ThreadPoolExecutor(max_workers=self.concurrency)
        todo = iter(requests)
        running = set()
        try:
            for req in todo:  # keep at most `concurrency` requests in flight
                running.add(pool.submit(self._call, req))
                if len(running) >= self.concurrency:
                    done, running = wait(running, return_when=FIRST_COMPLETED)
                    yield from self._drain(done)
            while running:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                yield from self._drain(done)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    @staticmethod
    def _drain(done) -> Iterator[list[Result]]:
        """Hand over every finished result before re-raising a fatal error."""
        error = None
        for fut in done:
            try:
                result = fut.result()
            except RewriterUnavailable as exc:
                error = error or exc
                continue
            yield [result]
        if error is not None:
            raise error

    def close(self) -> None:
        if self.api is not None:
            self.api.close()
            self.api = None
