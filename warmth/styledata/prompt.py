"""What the rewriter is asked: the style instruction, the earlier turns, the reply.

The earlier turns are the *source* turns (not earlier rewrites), so every request
is known up front: requests run in parallel, resume cleanly and cache by content.
Long histories are cut from the oldest end to ``context_chars`` characters.
"""

from __future__ import annotations

import hashlib
import json

from warmth.conversation import Conversation

ROLE_NAMES = {"system": "System", "user": "User", "assistant": "Assistant"}


def instruction_hash(instruction: str) -> str:
    return hashlib.sha256(instruction.encode("utf-8")).hexdigest()


def build_messages(conv: Conversation, index: int, instruction: str,
                   context_chars: int = 6000) -> list[dict[str, str]]:
    """Chat messages asking to rewrite ``conv.messages[index]`` (an assistant turn)."""
    history = []
    for m in conv.messages[:index]:
        history.append(f"[{ROLE_NAMES[m.role]}]\n{m.content.strip()}")
    context = "\n\n".join(history)
    if len(context) > context_chars:
        context = "[...]\n" + context[-context_chars:]
    reply = conv.messages[index].content
    user = (
        "Earlier turns of the conversation, for context only (do not rewrite them):\n"
        f"<context>\n{context}\n</context>\n\n"
        "Rewrite the following assistant reply as instructed. Reply with the rewritten text only.\n"
        f"<reply>\n{reply}\n</reply>"
    )
    return [{"role": "system", "content": instruction.strip()}, {"role": "user", "content": user}]


def cache_key(instr_hash: str, model: str, temperature: float, settings: dict,
              messages: list[dict[str, str]]) -> str:
    """Identity of one request: instruction hash, model, temperature, settings, input."""
    blob = json.dumps({"instruction": instr_hash, "model": model, "temperature": float(temperature),
                       "settings": settings, "input": messages},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()
