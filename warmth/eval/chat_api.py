"""The one client for OpenAI-compatible ``/v1/chat/completions`` endpoints.

Serves the API backend, the LLM judge and the API rewriter, so they fail
alike. Per request: retries with exponential backoff (``Retry-After`` wins
when the server sends it) on 408, 409, 429, 5xx, timeouts and dropped
connections, at most ``max_retries`` times.

- A request whose retries on a transient status run out fails alone: it
  comes back as a :class:`RequestFailed` in its slot (counted by the caller:
  an unscored verdict, an empty response, a failed turn).
- The endpoint itself failing stops the run with one line naming it and the
  cause (:class:`EndpointUnavailable`, a ``WarmthError``): a missing key file
  (or variable, with ``require_key``), 401,
  403 or 404, no connection or no answer after the retries, or
  ``max_failures_in_a_row`` requests in a row that failed (a server that
  only errors). Callers write what finished before re-raising.

The waits are decided by :meth:`ChatAPI.delay` and kept in ``waits``;
``sleep`` is injectable so tests check the decision, not the clock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from warmth.api_key import read_api_key
from warmth.errors import ConfigError, WarmthError

RETRY_STATUS = {408, 409, 429, 500, 502, 503, 504}
FATAL_STATUS = {401: "API key rejected", 403: "access denied", 404: "endpoint or model not found"}


class EndpointUnavailable(WarmthError):
    """The endpoint cannot serve requests (no key, key rejected, unreachable, only errors): stop the run."""


class RequestFailed(RuntimeError):
    """One request failed after its retries; the run goes on and counts it."""

    def __init__(self, message: str, status: int | None = None, retried: int = 0):
        super().__init__(message)
        self.status, self.retried = status, retried


ChatAPIError = RequestFailed  # the name callers used before the fatal/transient split


@dataclass
class Reply:
    texts: list[str]
    retried: int = 0


def _retry_after(resp: httpx.Response | None) -> float | None:
    value = resp.headers.get("retry-after", "").strip() if resp is not None else ""
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


class ChatAPI:
    def __init__(self, base_url: str, model: str, api_key_env: str | None = "OPENAI_API_KEY",
                 timeout: float = 120.0, max_retries: int = 3, concurrency: int = 8, backoff: float = 1.0,
                 extra_body: dict[str, Any] | None = None, *, api_key_file: str | None = None,
                 max_backoff: float = 60.0, max_failures_in_a_row: int = 5, owner: str = "endpoint",
                 require_key: bool = False, sleep: Callable[[float], None] = time.sleep):
        if not base_url:
            raise ConfigError(f"{owner}.base_url is not set (an OpenAI-compatible endpoint, "
                              "e.g. http://127.0.0.1:8000/v1)")
        if not model:
            raise ConfigError(f"{owner}.model is not set (the API's model name)")
        if int(concurrency) < 1:
            raise ConfigError(f"{owner}.concurrency={concurrency}: must be >= 1")
        self.base_url = base_url.rstrip("/")
        self.url = self.base_url + "/chat/completions"
        self.model, self.owner = model, owner
        key = read_api_key(api_key_env, api_key_file, owner, required=require_key)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.headers = headers  # for a caller's own cheap probe (the judge's check)
        self.timeout, self.max_retries = float(timeout), int(max_retries)
        self.backoff, self.max_backoff = float(backoff), float(max_backoff)
        self.max_failures_in_a_row = max(1, int(max_failures_in_a_row))
        self.concurrency = int(concurrency)
        self.extra_body = dict(extra_body or {})
        self.sleep = sleep
        self.waits: list[float] = []  # every wait decided, in order (tests read it)
        self._lock = threading.Lock()
        self._failed_in_a_row = 0
        self._client = httpx.Client(timeout=self.timeout, headers=headers,
                                    limits=httpx.Limits(max_connections=self.concurrency))

    # -- one request ---------------------------------------------------------------
    def delay(self, attempt: int, resp: httpx.Response | None) -> float:
        """Seconds to wait before retry ``attempt + 1``: the server's Retry-After, else our backoff."""
        asked = _retry_after(resp)
        return min(self.max_backoff, asked if asked is not None else self.backoff * (2**attempt))

    def _wait(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)
        self.sleep(seconds)

    def _unavailable(self, why: str) -> EndpointUnavailable:
        return EndpointUnavailable(f"{self.owner} endpoint {self.url}: {why}")

    def _failed(self, message: str, status: int | None, retried: int) -> RequestFailed:
        with self._lock:
            self._failed_in_a_row += 1
            many = self._failed_in_a_row >= self.max_failures_in_a_row
        if many:
            raise self._unavailable(f"{self.max_failures_in_a_row} requests in a row failed, "
                                    f"the last with {message}")
        return RequestFailed(message, status, retried)

    def request(self, messages: list[dict[str, str]], params: dict[str, Any] | None = None) -> Reply:
        """One chat completion: its choices' texts, or :class:`RequestFailed`; raises :class:`EndpointUnavailable`."""
        body = {"model": self.model, "messages": messages, **self.extra_body, **(params or {})}
        for attempt in range(self.max_retries + 1):
            resp = None
            try:
                resp = self._client.post(self.url, json=body)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                if attempt == self.max_retries:
                    raise self._unavailable(f"no answer after {attempt + 1} tries "
                                            f"({type(exc).__name__}: {exc})") from None
            else:
                if resp.status_code < 400:
                    return self._parse(resp, attempt)
                if resp.status_code in FATAL_STATUS:
                    raise self._unavailable(f"HTTP {resp.status_code}, {FATAL_STATUS[resp.status_code]} "
                                            f"({resp.text[:200]})")
                if resp.status_code not in RETRY_STATUS or attempt == self.max_retries:
                    raise self._failed(f"HTTP {resp.status_code}: {resp.text[:200]}", resp.status_code, attempt)
            self._wait(self.delay(attempt, resp))
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _parse(self, resp: httpx.Response, attempt: int) -> Reply:
        try:
            texts = [str((c.get("message") or {}).get("content") or "") for c in resp.json()["choices"]]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self._failed(f"malformed response ({type(exc).__name__}): {resp.text[:200]}",
                               resp.status_code, attempt) from None
        with self._lock:
            self._failed_in_a_row = 0
        return Reply(texts, attempt)

    def probe(self) -> None:
        """``GET /models``: raise :class:`EndpointUnavailable` now if the server is unreachable or refuses the key."""
        try:
            resp = self._client.get(self.base_url + "/models", timeout=min(10.0, self.timeout))
        except httpx.HTTPError as exc:
            raise EndpointUnavailable(f"cannot reach {self.owner}.base_url {self.base_url} "
                                      f"({type(exc).__name__}: {exc})") from None
        if resp.status_code in (401, 403):
            raise self._unavailable(f"HTTP {resp.status_code}, {FATAL_STATUS[resp.status_code]}")

    # -- many requests -------------------------------------------------------------
    def complete_many(self, requests: Sequence[list[dict[str, str]]], params: dict[str, Any],
                      raise_fatal: bool = True) -> list[list[str] | Exception]:
        """Each request's texts or its :class:`RequestFailed`, in order. An unavailable endpoint raises
        once every request in flight has ended; with ``raise_fatal=False`` its error is in the slots
        instead, so the caller can keep what succeeded first."""
        def run(msgs: list[dict[str, str]]) -> list[str] | Exception:
            try:
                return self.request(msgs, params).texts
            except (RequestFailed, EndpointUnavailable) as exc:
                return exc

        if len(requests) <= 1 or self.concurrency == 1:
            out = []
            for m in requests:  # sequential: stop at the first fatal error
                out.append(run(m))
                if isinstance(out[-1], EndpointUnavailable):
                    out += [out[-1]] * (len(requests) - len(out))
                    break
        else:
            with ThreadPoolExecutor(max_workers=self.concurrency) as pool:
                out = list(pool.map(run, requests))
        fatal = next((r for r in out if isinstance(r, EndpointUnavailable)), None)
        if fatal is not None and raise_fatal:
            raise fatal
        return out

    def close(self) -> None:
        self._client.close()
