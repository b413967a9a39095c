"""Content-preservation checks flag what a rewrite lost."""

from warmth.styledata.checks import check_turn, summarize

ORIG = ('Paris has 2,100,000 people (see https://example.org/paris). Marie Curie said "nothing in life is '
        'to be feared". Use:\n```python\nprint(1)\n```')


def test_faithful_rewrite_is_not_flagged():
    good = ("Honestly, it's lovely: Paris has 2100000 people (see https://example.org/paris), and Marie Curie "
            'once said "nothing in life is to be feared". We can use:\n```python\nprint(1)\n```')
    assert check_turn(ORIG, good) == {}


def test_each_loss_is_flagged():
    bad = "Paris is big. Someone said something. Use:\n```python\nprint(2)\n```"
    flags = check_turn(ORIG, bad)
    assert flags["numbers"] == ["2100000"]
    assert flags["urls"] == ["https://example.org/paris"]
    assert flags["quotes"] and flags["code_blocks"] and "Marie Curie" in flags["entities"]
    assert check_turn(ORIG, ORIG) == {"unchanged": True}
    assert check_turn("short text here", "x" * 100)["length_ratio"] > 2


def test_summary_counts():
    s = summarize([("a", 1, {}), ("a", 3, {"numbers": ["1"]}), ("b", 1, {"numbers": ["2"], "urls": ["u"]})])
    assert s["turns_checked"] == 3 and s["turns_flagged"] == 2
    assert s["by_check"]["numbers"] == 2 and s["by_check"]["urls"] == 1
    assert s["examples"][0] == {"id": "a", "turn": 3, "flags": ["numbers"]}
