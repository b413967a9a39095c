"""Truncation and balanced seeded sampling."""

from collections import Counter

from warmth.conversation import Conversation, Message
from warmth.styledata.labels import QUERY_TYPES
from warmth.styledata.sampling import balanced_sample, quotas, truncate


def _conv(n_msgs, system=False):
    msgs = [Message("system", "s")] if system else []
    msgs += [Message("user" if i % 2 == 0 else "assistant", f"m{i}") for i in range(n_msgs)]
    return Conversation("c", msgs)


def test_truncate_keeps_prefix_ending_on_assistant():
    c = _conv(30, system=True)
    assert truncate(c, 20)
    assert len(c.messages) == 21 and c.messages[0].role == "system" and c.messages[-1].role == "assistant"
    c = _conv(30)
    assert truncate(c, 7) and len(c.messages) == 6
    c = _conv(6)
    assert not truncate(c, 20) and len(c.messages) == 6


def test_quotas_even_and_redistributed():
    avail = {"refusal": 2, "factual": 100, "creative": 100, "technical": 100, "advice": 5, "other": 100}
    q = quotas(avail, 60, QUERY_TYPES)
    assert sum(q.values()) == 60 and q["refusal"] == 2 and q["advice"] == 5
    assert max(q[t] for t in ("factual", "creative", "technical", "other")) - \
        min(q[t] for t in ("factual", "creative", "technical", "other")) <= 1
    assert sum(quotas(avail, 10_000, QUERY_TYPES).values()) == sum(avail.values())


def test_balanced_sample_reproducible_and_balanced():
    cands = {t: list(range(i * 1000, i * 1000 + 300)) for i, t in enumerate(QUERY_TYPES)}
    a = balanced_sample(cands, 1617, 0, QUERY_TYPES)
    b = balanced_sample({t: list(reversed(v)) for t, v in cands.items()}, 1617, 0, QUERY_TYPES)
    c = balanced_sample(cands, 1617, 1, QUERY_TYPES)
    assert a == b  # input order does not matter, only the seed
    assert a != c and len(set(a)) == 1617
    per = Counter(k // 1000 for k in a)
    assert sorted(per.values()) == [269, 269, 269, 270, 270, 270]
    first12 = Counter(k // 1000 for k in a[:12])
    assert set(first12.values()) == {2}  # any prefix is balanced
