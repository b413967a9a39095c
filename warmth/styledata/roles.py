"""Turns a raw source record into a validated :class:`Conversation` or a counted skip.

Sources disagree on role names (ShareGPT uses ``human``/``gpt``); everything maps
onto the schema's ``system``/``user``/``assistant``. A record we cannot use is not
an error: it is counted under a reason with its location (see ``LoadReport``).
"""

from __future__ import annotations

import re
from typing import Any

from warmth.conversation import Conversation, Message, validate
from warmth.styledata.report import LoadReport

# Bytes that were not UTF-8 arrive as lone surrogates (surrogateescape); JSON
# escapes of lone surrogates are no valid text either. Both cannot be written back.
_SURROGATE = re.compile("[\ud800-\udfff]")

ROLE_MAP = {
    "human": "user", "user": "user",
    "gpt": "assistant", "chatgpt": "assistant", "assistant": "assistant",
    "system": "system",
}


def _messages(raw: dict) -> tuple[list[Any] | None, str, str]:
    """The message list of a record and the names of its role/content keys."""
    if isinstance(raw.get("conversations"), list):
        return raw["conversations"], "from", "value"
    if isinstance(raw.get("messages"), list):
        return raw["messages"], "role", "content"
    return None, "", ""


def to_conversation(raw: Any, where: str, report: LoadReport, fallback_id: str) -> Conversation | None:
    """Convert one record; on failure count the reason in ``report`` and return None.

    Repairs (counted, not skipped): a leading assistant message before any user
    message is dropped, and a trailing user message without a reply is dropped.
    """
    if not isinstance(raw, dict):
        report.skip("not_an_object", where)
        return None
    cid = str(raw.get("id", fallback_id))
    where = f"{where} id={cid}".encode("utf-8", "backslashreplace").decode("utf-8")
    if _SURROGATE.search(cid):
        report.skip("non_utf8", where)
        return None
    items, role_key, text_key = _messages(raw)
    if items is None:
        report.skip("no_messages", where)
        return None
    messages: list[Message] = []
    for i, m in enumerate(items):
        if not isinstance(m, dict):
            report.skip("bad_message", f"{where} message {i}")
            return None
        role = ROLE_MAP.get(str(m.get(role_key, m.get("role", ""))).lower())
        if role is None:
            report.skip("unknown_role", f"{where} message {i} role={m.get(role_key)!r}")
            return None
        text = m.get(text_key, m.get("content"))
        if not isinstance(text, str) or not text.strip():
            report.skip("empty_message", f"{where} message {i}")
            return None
        if _SURROGATE.search(text):
            report.skip("non_utf8", f"{where} message {i}")
            return None
        messages.append(Message(role, text))
    if not any(m.role == "assistant" for m in messages):
        report.skip("no_assistant_turn", where)
        return None
    start = 1 if messages and messages[0].role == "system" else 0
    while len(messages) > start and messages[start].role == "assistant":
        del messages[start]
        report.repair("leading_assistant_dropped")
    while messages and messages[-1].role == "user":
        messages.pop()
        report.repair("trailing_user_dropped")
    if not any(m.role == "assistant" for m in messages):
        report.skip("no_assistant_turn", where)
        return None
    conv = Conversation(cid, messages, {"source_id": cid})
    problems = validate(conv)
    if problems:
        report.skip("bad_turn_order", f"{where}: {problems[0]}")
        return None
    if cid in report.seen_ids:  # ids key the rewrite's turns and cache: the first record wins
        report.skip("duplicate_id", where)
        return None
    report.seen_ids.add(cid)
    return conv
