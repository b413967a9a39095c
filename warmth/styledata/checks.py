"""Cheap content-preservation checks of a rewritten turn against its original.

A rewrite must keep the facts. We cannot verify facts, but we can check what is
easy to spot: numbers, code blocks, URLs, quoted text, capitalised names, and
that the length stayed in range. A failed check *flags* the turn (in the
conversation's ``meta.flags`` and the manifest summary); nothing is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

CHECKS = ("numbers", "code_blocks", "urls", "quotes", "entities", "length_ratio", "unchanged")

_CODE = re.compile(r"```.*?```", re.DOTALL)
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_QUOTE = re.compile(r"\"([^\"\n]{8,300})\"|“([^”\n]{8,300})”")
_CAP = re.compile(r"\b[A-Z][a-z]+(?:[ -][A-Z][a-z]+)*\b")
_SENT_START = re.compile(r"(?:^|[.!?:;]\s+|\n\s*(?:[-*]\s+|\d+[.)]\s+)?|[\"“(]\s*)$")
_STOP = {"I", "The", "A", "An", "This", "That", "It", "You", "Yes", "No", "If", "In", "On", "For",
         "And", "But", "Or", "So", "Here", "There", "We", "They", "He", "She", "Note", "Also"}


def _norm_number(s: str) -> str:
    return s.replace(",", "").rstrip(".")


def _entities(text: str) -> set[str]:
    """Capitalised words that are not merely sentence-initial."""
    out = set()
    for m in _CAP.finditer(text):
        if m.group(0) in _STOP:
            continue
        if _SENT_START.search(text[max(0, m.start() - 40):m.start()]) and " " not in m.group(0):
            continue
        out.add(m.group(0))
    return out


def check_turn(original: str, rewritten: str, min_ratio: float = 0.5,
               max_ratio: float = 2.0) -> dict[str, Any]:
    """Flags for one turn: ``{check: details}``; empty when everything is preserved."""
    flags: dict[str, Any] = {}
    if rewritten.strip() == original.strip():
        flags["unchanged"] = True
    code_o = [c.strip() for c in _CODE.findall(original)]
    missing_code = [c[:60] for c in code_o if c not in rewritten]
    if missing_code:
        flags["code_blocks"] = missing_code
    prose_o, prose_r = _CODE.sub(" ", original), _CODE.sub(" ", rewritten)
    nums_r = {_norm_number(n) for n in _NUMBER.findall(rewritten)}
    missing = sorted({_norm_number(n) for n in _NUMBER.findall(prose_o)} - nums_r)
    if missing:
        flags["numbers"] = missing[:10]
    urls = [u.rstrip(".,;:") for u in _URL.findall(original)]
    missing = [u for u in urls if u not in rewritten]
    if missing:
        flags["urls"] = missing[:5]
    flat_r = " ".join(rewritten.split())
    quotes = [" ".join((a or b).split()) for a, b in _QUOTE.findall(prose_o)]
    missing = [q[:60] for q in quotes if q not in flat_r]
    if missing:
        flags["quotes"] = missing[:5]
    missing = sorted(e for e in _entities(prose_o) if e not in prose_r)
    if missing:
        flags["entities"] = missing[:10]
    ratio = len(rewritten.strip()) / max(1, len(original.strip()))
    if not min_ratio <= ratio <= max_ratio:
        flags["length_ratio"] = round(ratio, 3)
    return flags


def summarize(per_turn: list[tuple[str, int, dict[str, Any]]], max_examples: int = 20) -> dict[str, Any]:
    """Manifest summary: counts per check, flagged turns, first locations."""
    counts: Counter = Counter()
    examples = []
    flagged = 0
    for cid, turn, flags in per_turn:
        if not flags:
            continue
        flagged += 1
        counts.update(flags.keys())
        if len(examples) < max_examples:
            examples.append({"id": cid, "turn": turn, "flags": sorted(flags)})
    return {"turns_checked": len(per_turn), "turns_flagged": flagged,
            "by_check": {c: counts.get(c, 0) for c in CHECKS}, "examples": examples}
