"""A deterministic backend that answers from a table: for judge and evaluator tests.

``responses`` maps a substring of the user message to the reply; requests
matching none get ``default``. The ``{correct}``/``{incorrect}`` answer
slots are not known to a backend, so tables name the literal reply. It is a
real backend plugin (``backend=canned``), not a mocked client.
"""

from __future__ import annotations

from collections.abc import Sequence

from warmth.eval.interfaces import GenerationParams


class CannedBackend:
    name = "canned"

    def __init__(self, responses: dict[str, str] | None = None, default: str = "I don't know.",
                 fail_on: Sequence[str] = ()):
        self.responses = dict(responses or {})
        self.default = default
        self.fail_on = list(fail_on)
        self.calls = 0

    def reply(self, messages: list[dict[str, str]], sample: int) -> str:
        text = messages[-1]["content"]
        for needle in self.fail_on:
            if needle in text:
                raise RuntimeError(f"canned backend told to fail on {needle!r}")
        for needle, answer in self.responses.items():
            if needle in text:
                return answer
        return self.default

    def generate(self, requests: Sequence[list[dict[str, str]]], params: GenerationParams) -> list[list[str]]:
        self.calls += 1
        return [[self.reply(m, s) for s in range(max(1, params.n_samples))] for m in requests]
