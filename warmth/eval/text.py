"""Text normalisation for answer matching (used by the match judge and metrics).

Lowercase, strip accents, punctuation -> space, drop articles (a, an, the),
number words up to twenty -> digits, collapse whitespace. Matching is on
whole tokens, so "art" does not match inside "start".
"""

from __future__ import annotations

import re
import unicodedata

_ARTICLES = {"a", "an", "the"}
_NUMBERS = {w: str(i) for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"])}
_NUMBERS["twentyfour"] = "24"
_NEGATIONS = {"not", "no", "never", "nor", "isnt", "wasnt", "arent", "werent", "doesnt", "dont", "didnt",
              "cannot", "cant", "wont", "instead", "rather", "neither", "incorrect", "wrong", "mistaken",
              "myth", "misconception"}


_CLAUSE = re.compile(r"[,.;:!?()\n]|\s[-\u2013\u2014]\s|\bbut\b", re.IGNORECASE)


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DECIMAL = re.compile(r"(?<=\d)\.(?=\d)")


def _numbers(text: str) -> str:
    """Keep numbers whole: "1,000" -> "1000", "0.10" -> "0point10" (not "0" and "10")."""
    return _DECIMAL.sub("point", _THOUSANDS.sub("", text))


def tokenize(text: str) -> tuple[list[str], set[int]]:
    """Tokens plus the indices of tokens that start a new clause (after , . ; : ! ? but)."""
    toks: list[str] = []
    breaks: set[int] = set()
    for segment in _CLAUSE.split(_numbers(text or "")):
        seg = tokens(segment)
        if seg:
            breaks.add(len(toks))
            toks.extend(seg)
    return toks, breaks


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", _numbers(text or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("\u2019", "")  # don't -> dont, Parkinson's -> parkinsons
    text = re.sub(r"[^\w\s]|_", " ", text)
    out = []
    for tok in text.split():
        if tok in _ARTICLES:
            continue
        out.append(_NUMBERS.get(tok, tok))
    return out


def normalize(text: str) -> str:
    return " ".join(tokens(text))


def find_spans(haystack: list[str], needle: list[str]) -> list[tuple[int, int]]:
    """Token spans where ``needle`` occurs in ``haystack``."""
    n = len(needle)
    if n == 0:
        return []
    return [(i, i + n) for i in range(len(haystack) - n + 1) if haystack[i : i + n] == needle]


def negated(haystack: list[str], start: int, window: int = 3, breaks: set[int] | None = None) -> bool:
    """A negation word among the ``window`` tokens before ``start`` within the same clause
    ("not Paris", "isnt Paris"; but not "not Lyon, its Paris")."""
    lo = max(0, start - window)
    for b in breaks or ():
        if lo < b <= start:
            lo = b
    return any(tok in _NEGATIONS for tok in haystack[lo:start])


def asserted(response: str, answers: list[str], others: list[str] = ()) -> tuple[bool, bool]:
    """(found, asserted) for any of ``answers`` in a response.

    An occurrence inside a longer occurrence of one of ``others`` does not
    count; one preceded by a negation in the same clause is found but not asserted.
    """
    response_tokens, breaks = tokenize(response)
    other_spans = [s for o in others for s in find_spans(response_tokens, tokens(o))]
    found = is_asserted = False
    for ans in answers:
        for start, end in find_spans(response_tokens, tokens(ans)):
            if any(os <= start and end <= oe and (oe - os) > (end - start) for os, oe in other_spans):
                continue
            found = True
            if not negated(response_tokens, start, breaks=breaks):
                is_asserted = True
    return found, is_asserted
