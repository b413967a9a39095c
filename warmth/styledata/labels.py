"""Query-type labels with first-match rules, after the study's description.

The study labels every (user, assistant) pair with regular expressions into six
types, the first rule that matches winning. The patterns below are our own:

1. refusal   - the reply opens with an apology or says it cannot / is unable to
               (only the first ``REFUSAL_WINDOW`` characters are looked at, since a
               long answer may say "you cannot ..." in passing)
2. factual   - the user starts with a wh-word, or asks to explain / define /
               describe, or for the difference between things
3. creative  - the user mentions a story, poem, writing, creating, generating, imagining
4. technical - the reply holds a code fence, or the user mentions code, a program,
               a function, an algorithm or debugging
5. advice    - the user asks for advice, help, guidance, a recommendation or suggestion
6. other
A conversation's label is the label of its first pair.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from warmth.conversation import Conversation

QUERY_TYPES = ("refusal", "factual", "creative", "technical", "advice", "other")
REFUSAL_WINDOW = 300

_REFUSAL = re.compile(
    r"\b(?:I(?:'m|’m| am) (?:so |really |very )?sorry|I apologi[sz]e|my apologies|"
    r"I(?:'m|’m| am) (?:unable|not able) to|I (?:cannot|can't|can’t|can not|won't be able to)|"
    r"as an AI\b)", re.IGNORECASE)
_FACTUAL_START = re.compile(r"^\W*(?:what|who|whom|whose|where|when|why|how|which)\b", re.IGNORECASE)
_FACTUAL_ASK = re.compile(r"\b(?:explain|define|describe|difference between|differences between)\b", re.IGNORECASE)
_CREATIVE = re.compile(r"\b(?:stor(?:y|ies)|poems?|poetry|writ(?:e|ing)|create|generate|imagine)\b", re.IGNORECASE)
_TECH_USER = re.compile(r"\b(?:code|coding|program(?:s|ming)?|functions?|algorithms?|debug(?:ging)?)\b", re.IGNORECASE)
_ADVICE = re.compile(r"\b(?:advice|advise|help me|guide|recommend\w*|suggest\w*)\b", re.IGNORECASE)


def label_pair(user: str, assistant: str) -> str:
    """Query type of one exchange; the first matching rule wins."""
    if _REFUSAL.search(assistant[:REFUSAL_WINDOW]):
        return "refusal"
    if _FACTUAL_START.search(user) or _FACTUAL_ASK.search(user):
        return "factual"
    if _CREATIVE.search(user):
        return "creative"
    if "```" in assistant or _TECH_USER.search(user):
        return "technical"
    if _ADVICE.search(user):
        return "advice"
    return "other"


def _pairs(conv: Conversation) -> Iterator[tuple[str, str]]:
    """Every (user, assistant) exchange, in order."""
    msgs = conv.messages
    for i in range(1, len(msgs)):
        if msgs[i].role == "assistant" and msgs[i - 1].role == "user":
            yield msgs[i - 1].content, msgs[i].content


def pair_labels(conv: Conversation) -> list[str]:
    """Labels of every (user, assistant) pair, in order."""
    return [label_pair(u, a) for u, a in _pairs(conv)]


def label_conversation(conv: Conversation) -> str:
    """The label of the first (user, assistant) pair."""
    return next((label_pair(u, a) for u, a in _pairs(conv)), "other")
