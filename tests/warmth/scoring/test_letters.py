"""Answer-letter extraction for MMLU generations."""

from __future__ import annotations

import pytest

from warmth.scoring.letters import extract_letter

CHOICES = ["London", "Berlin", "Rome", "Paris"]


@pytest.mark.parametrize("text,expected", [
    ("B", "B"),
    ("The answer is (C).", "C"),
    ("Answer: d", "D"),
    ("**A**", "A"),
    ("I think option B is right.", "B"),
    ("(D) Paris", "D"),
    ("C. Because Rome is the capital.", "C"),
    ("The capital of France is Paris.", "D"),  # only one option's text quoted
    ("Either London or Berlin.", None),  # two options: no guess
    ("I don't know.", None),
    ("", None),
])
def test_extract_letter(text, expected):
    assert extract_letter(text, CHOICES) == expected
