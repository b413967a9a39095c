"""Answer-letter extraction for multiple-choice responses (MMLU, generation scorer).

Explicit statements win over loose letters: "answer is (B)", "Answer: B",
"**B**", a reply that starts with the letter ("B", "B.", "(B) ..."). If none
is found, a reply quoting exactly one option's text picks that option.
Returns the upper-case letter or None (counted as unscored, never wrong
by accident of parsing).
"""

from __future__ import annotations

import re
from collections.abc import Sequence


def _patterns(letters: str) -> list[re.Pattern[str]]:
    L = f"[{letters}{letters.lower()}]"
    return [
        re.compile(rf"answer\s*(?:is|would be|:)?\s*[:\-]?\s*(?:\*\*)?\s*(?:option\s+)?\(?({L})\)?(?![a-zA-Z])", re.IGNORECASE),
        re.compile(rf"\b(?:option|choice)\s+\(?([{letters}])\)?(?![a-zA-Z])"),
        re.compile(rf"\*\*\(?([{letters}])\)?[.):]?\*\*"),
        re.compile(rf"^\s*\(?([{letters}])\)?(?:[.):,]|\s|$)"),
        re.compile(rf"(?<![a-zA-Z])\(([{letters}])\)"),
    ]


def extract_letter(response: str, choices: Sequence[str] = (), letters: str = "ABCD") -> str | None:
    """The option letter a response gives, or None."""
    if not response:
        return None
    for pattern in _patterns(letters):
        m = pattern.search(response)
        if m:
            return m.group(1).upper()
    text = response.lower()
    hits = [letters[i] for i, c in enumerate(choices[: len(letters)]) if c and c.lower() in text]
    return hits[0] if len(hits) == 1 else None
