"""First-match query-type rules, and the bundled sample's labels."""

import json

import pytest

from warmth.paths import resource
from warmth.styledata.labels import QUERY_TYPES, label_conversation, label_pair


@pytest.mark.parametrize("user,reply,expected", [
    ("Tell me a story", "I'm sorry, but I can't do that.", "refusal"),
    ("What is DNA?", "As an AI language model, I cannot say.", "refusal"),
    ("What is DNA?", "DNA is ...", "factual"),
    ("Please explain recursion in a poem", "Sure", "factual"),  # explain beats poem
    ("Write a poem about code", "Roses ...", "creative"),  # creative beats technical
    ("Fix my function", "Here", "technical"),
    ("Sort this list", "```python\nsorted(x)\n```", "technical"),
    ("Can you help me pick a laptop?", "Sure", "advice"),
    ("Any suggestions for dinner?", "Pasta", "advice"),
    ("Thanks a lot", "You are welcome. You cannot go wrong.", "other"),  # 'cannot' of the user's, not a refusal
])
def test_rules_first_match(user, reply, expected):
    assert label_pair(user, reply) == expected


def test_refusal_is_looked_for_at_the_start_only():
    long = "Here is the answer. " * 30 + "I cannot stress this enough."
    assert label_pair("Tell me about rivers", long) == "other"


def test_bundled_sample_labels_match_their_declared_type():
    path = resource("styles", "original", "conversations.jsonl")
    from warmth.conversation import read_jsonl

    convs = list(read_jsonl(path))
    got = {c.id: label_conversation(c) for c in convs}
    want = {c.id: c.meta["query_type"] for c in convs}
    assert got == want
    assert set(want.values()) == set(QUERY_TYPES)
    assert json.loads(path.read_text().splitlines()[0])["id"].startswith("bundled-")
