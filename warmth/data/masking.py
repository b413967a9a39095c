"""Token ids and assistant-only labels for a conversation, from any chat template.

We do not rely on ``{% generation %}`` markers (few templates have them).
For each assistant message ``i`` we render two prefixes of the conversation:
``messages[:i]`` with the generation prompt, and ``messages[:i+1]``. What the
second adds to the first is exactly what the model must produce for that
turn: the message content and its end-of-turn marker (trailing whitespace,
e.g. ChatML's newline after ``<|im_end|>``, is not part of it). Anything a
template injects (a default system prompt, today's date) lands in both
prefixes and so is never trained on. The text spans are located in the full
rendering and mapped to tokens with the fast tokenizer's offsets.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tqdm.auto import tqdm

from warmth.conversation import Conversation
from warmth.errors import DataError

IGNORE_INDEX = -100
log = logging.getLogger(__name__)


@dataclass
class Example:
    """One tokenised conversation; ``labels`` is ``IGNORE_INDEX`` outside assistant turns."""

    id: str
    input_ids: list[int]
    labels: list[int]
    cut: int = 0  # tokens dropped from the end by ``max_length``

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def num_trainable(self) -> int:
        return sum(1 for x in self.labels if x != IGNORE_INDEX)


def render(tokenizer, messages: Sequence[dict], add_generation_prompt: bool = False,
           conv_id: str = "?") -> str:
    from jinja2 import TemplateError

    try:
        return tokenizer.apply_chat_template(
            list(messages), tokenize=False, add_generation_prompt=add_generation_prompt
        )
    except TemplateError as exc:  # e.g. a template that rejects system messages
        raise DataError(f"conversation {conv_id!r}: the chat template refused it: {exc}") from None


def assistant_spans(tokenizer, messages: Sequence[dict], conv_id: str = "?") -> tuple[str, list[tuple[int, int]]]:
    """The full rendered text and the character span of each assistant turn in it."""
    full = render(tokenizer, messages, conv_id=conv_id)
    spans: list[tuple[int, int]] = []
    cursor = 0
    for i, msg in enumerate(messages):
        if msg["role"] != "assistant":
            continue
        prompt = render(tokenizer, messages[:i], add_generation_prompt=True, conv_id=conv_id)
        through = render(tokenizer, messages[: i + 1], conv_id=conv_id)
        if through.startswith(prompt):
            start = len(prompt)
        else:  # generation prompt differs from a finished turn's header
            start = through.rfind(msg["content"].strip())
            if start < 0:
                raise DataError(
                    f"conversation {conv_id!r}: the chat template does not render assistant "
                    f"message {i} verbatim; cannot tell its tokens apart"
                )
        segment = through[start:]
        lead = len(segment) - len(segment.lstrip())
        segment = segment.strip()
        if full.startswith(through):  # the usual case: rendering is prefix-stable
            begin = start + lead
        else:  # e.g. templates that move the system prompt into the last user turn
            begin = full.find(segment, cursor)
            if begin < 0:
                raise DataError(
                    f"conversation {conv_id!r}: assistant message {i} renders differently inside "
                    "the whole conversation than after its prefix; cannot mark its tokens"
                )
        spans.append((begin, begin + len(segment)))
        cursor = begin + len(segment)
    return full, spans


def tokenize_conversation(tokenizer, conv: Conversation | Sequence[dict], max_length: int | None = None,
                          conv_id: str | None = None) -> Example:
    """Token ids of the rendered conversation, labels on assistant turns only, truncated to ``max_length``."""
    if isinstance(conv, Conversation):
        messages, conv_id = conv.chat(), conv_id or conv.id
    else:
        messages = list(conv)
    conv_id = conv_id or "?"
    if not getattr(tokenizer, "is_fast", False):
        raise DataError("assistant-only labels need a fast tokenizer (character offsets)")
    full, spans = assistant_spans(tokenizer, messages, conv_id)
    enc = tokenizer(full, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = list(enc["input_ids"])
    labels = [IGNORE_INDEX] * len(ids)
    k = 0
    for j, (s, e) in enumerate(enc["offset_mapping"]):
        if e <= s:
            continue
        while k < len(spans) and spans[k][1] <= s:
            k += 1
        if k < len(spans) and s < spans[k][1] and e > spans[k][0]:
            labels[j] = ids[j]
    cut = max(0, len(ids) - max_length) if max_length is not None else 0
    if cut:
        ids, labels = ids[:max_length], labels[:max_length]
    return Example(conv_id, ids, labels, cut)


def tokenize_dataset(tokenizer, conversations: Iterable[Conversation], max_length: int,
                     source: str = "dataset") -> list[Example]:
    """Tokenise every conversation; drop (and count) those left with no trainable token.

    Raises ``DataError`` if none remains, since training on nothing is a mistake.
    """
    examples, dropped, cut, total = [], [], [], 0
    for conv in tqdm(conversations, desc="tokenising", unit="conv", leave=False):
        total += 1
        ex = tokenize_conversation(tokenizer, conv, max_length)
        if ex.num_trainable == 0:
            dropped.append(ex.id)
        else:
            examples.append(ex)
            if ex.cut:
                cut.append(ex.id)
    if dropped:
        log.warning(
            "%s: dropped %d of %d conversations with no assistant token left within max_length=%d "
            "(first: %s)", source, len(dropped), total, max_length, ", ".join(dropped[:3]),
        )
    if cut:
        log.warning("%s: truncated %d of %d conversations to max_length=%d tokens (first: %s)",
                    source, len(cut), total, max_length, ", ".join(cut[:3]))
    if not examples:
        raise DataError(
            f"{source}: none of its {total} conversations has an assistant token within "
            f"max_length={max_length}; raise data.max_length or check the data"
        )
    return examples
