"""A scripted LLM judge on loopback for paper-preset tests, and the overrides that point a preset at it."""

from __future__ import annotations

import hashlib
import re

from tests.local_chat_server import ChatServer

JUDGE_MODEL = "loopback-judge"
TASKS = ("trivia", "truthfulqa", "disinfo", "medqa")
_QUESTION = re.compile(r"^Question: (?P<q>.*?)\n\nReference answer:", re.DOTALL)


def verdict_for(prompt_text: str) -> str:
    """The judge's scripted verdict for a prompt: a hash, so both verdicts occur and the test can recompute it."""
    return "CORRECT" if hashlib.sha256(prompt_text.encode()).digest()[0] % 2 == 0 else "INCORRECT"


def judge_server() -> ChatServer:
    def reply(body: dict) -> tuple[int, str]:
        m = _QUESTION.match(body["messages"][-1]["content"])
        return 200, verdict_for(m.group("q")) if m else "unparseable"

    return ChatServer(reply)


def paper_overrides(base_url: str) -> list[str]:
    """A paper preset with the loopback judge and the bundled items (no hub in tests)."""
    return [f"judge.base_url={base_url}", f"judge.model={JUDGE_MODEL}", "judge.api_key_env=null", "judge.cache=false",
            *[f"eval.tasks.{t}.source=bundled" for t in TASKS]]
