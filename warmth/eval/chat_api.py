"""A small client for OpenAI-compatible ``/v1/chat/completions`` endpoints.

Used by the API backend and the LLM judge: concurrent requests (a thread
pool over one ``httpx.Client``), retries with exponential backoff on
timeouts, connection errors, 429 and 5xx, and a per-request timeout. A
request that still fails comes back as an exception object in its slot,
so one bad prompt never loses a batch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from warmth.errors import ConfigError

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}


class ChatAPIError(RuntimeError):
    pass


class ChatAPI:
    def __init__(self, base_url: str, model: str, api_key_env: str | None = "OPENAI_API_KEY",
                 timeout: float = 120.0, max_retries: int = 3, concurrency: int = 8, backoff: float = 1.0,
                 extra_body: dict[str, Any] | None = None):
        if not base_url:
            raise ConfigError("an OpenAI-compatible endpoint needs `base_url` (e.g. http://127.0.0.1:8000/v1)")
        if not model:
            raise ConfigError("an OpenAI-compatible endpoint needs `model`")
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        key = os.environ.get(api_key_env) if api_key_env else None
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.timeout, self.max_retries, self.backoff = timeout, max_retries, backoff
        self.concurrency = max(1, int(concurrency))
        self.extra_body = dict(extra_body or {})
        self._client = httpx.Client(timeout=timeout, headers=self.headers)

    def _one(self, messages: list[dict[str, str]], params: dict[str, Any]) -> list[str]:
        body = {"model": self.model, "messages": messages, **self.extra_body, **params}
        last = ChatAPIError("request failed")
        for attempt in range(self.max_retries + 1):
            try:
                resp = self._client.post(self.url, json=body)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                last = ChatAPIError(f"{type(exc).__name__}: {exc}")
            else:
                if resp.status_code < 400:
                    try:
                        return [str((c.get("message") or {}).get("content") or "") for c in resp.json()["choices"]]
                    except (ValueError, KeyError, TypeError, AttributeError) as exc:
                        raise ChatAPIError(f"malformed response: {exc}") from None
                last = ChatAPIError(f"HTTP {resp.status_code}: {resp.text[:200]}")
                if resp.status_code not in RETRY_STATUS:
                    break
            if attempt < self.max_retries:
                time.sleep(self.backoff * (2**attempt))
        raise last

    def complete_many(self, requests: Sequence[list[dict[str, str]]], params: dict[str, Any]) -> list[list[str] | Exception]:
        def run(msgs: list[dict[str, str]]) -> list[str] | Exception:
            try:
                return self._one(msgs, params)
            except Exception as exc:  # noqa: BLE001 - returned in its slot
                return exc

        if len(requests) <= 1 or self.concurrency == 1:
            return [run(m) for m in requests]
        with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
            return list(pool.map(run, requests))

    def close(self) -> None:
        self._client.close()
