"""Rewriter backend for any OpenAI-compatible ``/chat/completions`` endpoint.

Works with OpenAI, vLLM, ``transformers serve``, llama.cpp's server and the like.
Requests run on a thread pool bounded by ``concurrency``; 408, 409, 429, 5xx, timeouts and
dropped connections are retried with exponential backoff (``Retry-After`` is
honoured). A missing key, a rejected key or an unreachable server stops the run
with one line; other failures are counted per request and the run goes on.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

import httpx

from warmth.errors import ConfigError
from warmth.eval.chat_api import (
    RETRY_STATUS,  # the transient statuses, as for the API backend and judge
)
from warmth.styledata.rewriter import Request, Result, RewriterUnavailable

FATAL_STATUS = {401: "API key rejected", 403: "access denied", 404: "endpoint or model not found"}


class OpenAIChatRewriter:
    def __init__(self, base_url: str, model: str, api_key_env: str | None = "OPENAI_API_KEY",
                 temperature: float = 0.0, max_tokens: int = 1024, concurrency: int = 4,
                 max_retries: int = 5, backoff_s: float = 1.0, max_backoff_s: float = 60.0,
                 timeout_s: float = 120.0, seed: int | None = None,
                 extra_body: dict[str, Any] | None = None):
        if not base_url:
            raise ConfigError("rewriter.base_url is not set")
        if not model:
            raise ConfigError("rewriter.model is not set (the API's model name)")
        if int(concurrency) < 1:
            raise ConfigError(f"rewriter.concurrency={concurrency}: must be >= 1")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.model_id = f"api:{model}"
        self.api_key_env = api_key_env
        self.temperature = float(temperature)
        self.max_tokens = int(max_tokens)
        self.concurrency = int(concurrency)
        self.max_retries = int(max_retries)
        self.backoff_s, self.max_backoff_s = float(backoff_s), float(max_backoff_s)
        self.timeout_s = float(timeout_s)
        self.seed = seed
        self.extra_body = dict(extra_body or {})
        self._client: httpx.Client | None = None

    def settings(self) -> dict[str, Any]:
        return {"max_tokens": self.max_tokens, "seed": self.seed, "extra_body": self.extra_body}

    def _headers(self) -> dict[str, str]:
        if not self.api_key_env:
            return {}
        key = os.environ.get(self.api_key_env, "")
        if not key:
            raise RewriterUnavailable(f"missing API key: environment variable {self.api_key_env} is "
                                      "not set (set it, or rewriter.api_key_env=null for a server "
                                      "without auth)")
        return {"Authorization": f"Bearer {key}"}

    def check(self) -> None:
        headers = self._headers()
        self._client = httpx.Client(base_url=self.base_url, headers=headers,
                                    timeout=self.timeout_s,
                                    limits=httpx.Limits(max_connections=self.concurrency))
        try:
            resp = self._client.get("/models", timeout=min(10.0, self.timeout_s))
        except httpx.HTTPError as exc:
            raise RewriterUnavailable(f"cannot reach rewriter.base_url {self.base_url} "
                                      f"({type(exc).__name__}: {exc})") from None
        if resp.status_code in (401, 403):
            raise RewriterUnavailable(f"{self.base_url}: {FATAL_STATUS[resp.status_code]} "
                                      f"(HTTP {resp.status_code})")

    def _delay(self, attempt: int, resp: httpx.Response | None) -> float:
        if resp is not None and resp.headers.get("retry-after", "").replace(".", "", 1).isdigit():
            return min(self.max_backoff_s, float(resp.headers["retry-after"]))
        return min(self.max_backoff_s, self.backoff_s * (2 ** attempt))

    def _call(self, req: Request) -> Result:
        body = {"model": self.model, "messages": req.messages, "temperature": self.temperature,
                "max_tokens": self.max_tokens, **self.extra_body}
        if self.seed is not None:
            body["seed"] = self.seed
        last = ""
        for attempt in range(self.max_retries + 1):
            resp = None
            try:
                resp = self._client.post("/chat/completions", json=body)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = f"{type(exc).__name__}"
                if attempt == self.max_retries:
                    raise RewriterUnavailable(f"{self.base_url}: no answer after "
                                              f"{attempt + 1} tries ({last}: {exc})") from None
            else:
                if resp.status_code == 200:
                    return self._parse(req, resp, attempt)
                if resp.status_code in FATAL_STATUS:
                    raise RewriterUnavailable(f"{self.base_url}: {FATAL_STATUS[resp.status_code]} "
                                              f"(HTTP {resp.status_code}: {resp.text[:200]})")
                last = f"http_{resp.status_code}"
                if resp.status_code not in RETRY_STATUS or attempt == self.max_retries:
                    return Result(req, error=f"{last}: {resp.text[:200]}", retried=attempt)
            time.sleep(self._delay(attempt, resp))
        raise AssertionError("unreachable: the last attempt returns or raises")

    @staticmethod
    def _parse(req: Request, resp: httpx.Response, attempt: int) -> Result:
        try:
            text = resp.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            return Result(req, error=f"bad_response: {resp.text[:200]}", retried=attempt)
        return Result(req, text=text or "", retried=attempt)

    def rewrite(self, requests: Sequence[Request]) -> Iterator[list[Result]]:
        if self._client is None:
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
        if self._client is not None:
            self._client.close()
            self._client = None
