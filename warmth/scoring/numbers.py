"""Final-number extraction for GSM8K-style chain-of-thought answers.

Where the model states its answer explicitly we take that statement, in
this order: "The answer is N" (the phrasing our prompt asks for; the first
such statement, as lm-eval's strict-match takes the first), "#### N",
"Final answer: N" / "Answer: N", ``\\boxed{N}``. Otherwise the last number
in the response. Numbers may carry thousands separators ("1,234"),
currency ("$12.50", "12 USD"), percent signs, units ("45 km/h") and be
fractions ("3/4", "1 1/2") or words' unicode minus; the value is returned
normalised as a plain string ("1234", "12.5", "0.75", "-3").
"""

from __future__ import annotations

import re
from fractions import Fraction

# a number token: optional sign and currency, digits with optional thousands
# commas and decimals, an optional mixed-fraction or fraction part
NUMBER = re.compile(
    r"(?P<num>[-−]?[$£€]?\s?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    r"(?:\s+\d+\s*/\s*\d+|\s*/\s*\d+)?)"
)
_ANSWER_IS = re.compile(r"\banswer\s+is\s*[:=]?\s*(?:\*\*)?\s*", re.IGNORECASE)
_MARKERS = [
    _ANSWER_IS,
    re.compile(r"####\s*"),
    re.compile(r"\bfinal\s+answer\s*(?:is)?\s*[:=]?\s*(?:\*\*)?\s*", re.IGNORECASE),
    re.compile(r"\banswer\s*[:=]\s*(?:\*\*)?\s*", re.IGNORECASE),
    re.compile(r"\\boxed\{\s*"),
]
# between the marker and the number: at most a few words such as "about" or "$"
_LEAD = re.compile(r"^(?:[a-zA-Z]+\s+){0,2}?(?=[-−$£€.\d])")


_MIXED = re.compile(r"^(\d+)\s+(\d+)\s*/\s*(\d+)$")
_FRACTION = re.compile(r"^(\d+)\s*/\s*(\d+)$")


def normalise(token: str) -> str | None:
    """A number token as a canonical string, or None if it is not a number."""
    s = re.sub(r"[$£€,]", "", token.replace("−", "-")).strip()
    neg = s.startswith("-")
    s = s.lstrip("-").strip()
    try:
        if m := _MIXED.match(s):
            value = int(m[1]) + Fraction(int(m[2]), int(m[3]))
        elif m := _FRACTION.match(s):
            value = Fraction(int(m[1]), int(m[2]))
        else:
            value = Fraction(s)
    except (ValueError, ZeroDivisionError):
        return None
    return format_number(-value if neg else value)


def format_number(value: Fraction | float) -> str:
    frac = Fraction(value).limit_denominator(10**6)
    if frac.denominator == 1:
        return str(frac.numerator)
    text = f"{float(frac):.6f}".rstrip("0").rstrip(".")
    return text


def extract_final_number(response: str) -> str | None:
    """The answer a response states, normalised; None when it has no number."""
    if not response:
        return None
    for marker in _MARKERS:
        for m in marker.finditer(response):
            rest = response[m.end() :]
            lead = _LEAD.match(rest)
            if lead is None:
                continue
            found = NUMBER.match(rest, lead.end())
            if found:
                value = normalise(found.group("num"))
                if value is not None:
                    return value
    numbers = [normalise(m.group("num")) for m in NUMBER.finditer(response)]
    numbers = [n for n in numbers if n is not None]
    return numbers[-1] if numbers else None


def numbers_equal(a: str | None, b: str | None, tol: float = 1e-6) -> bool:
    """Numeric equality of two normalised answers (None never equals anything)."""
    if a is None or b is None:
        return False
    na, nb = normalise(a), normalise(b)
    if na is None or nb is None:
        return False
    return abs(float(Fraction(na)) - float(Fraction(nb))) <= tol * max(1.0, abs(float(Fraction(nb))))
