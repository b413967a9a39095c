"""Style-marker rate: how often a text uses the surface markers of a style, per 100 words.

A second warmth measure beside SocioT, for scales where SocioT's scorer is
too small to be sensitive (a 135M model scoring a 135M model's replies). It
counts what the study's warm rewrite asks for and its cold rewrite removes
(paper/NOTES.md, "Fine-tuning data"; conf/style/warm.yaml and cold.yaml):

- ``inclusive``: an inclusive "we" (we, us, our, let's, together);
- ``empathy``: words that acknowledge feelings or reassure (glad, hope,
  sorry, worry, understand, totally, ...);
- ``contraction``: contractions (it's, don't, you're, we'll, ...), the
  relaxed register the warm rewrite uses and the cold one spells out;
- ``exclamation``: exclamation marks, which the cold rewrite removes.

``rate(text)`` = all matches per 100 words (words = whitespace-separated
tokens), so length does not drive it; an empty text has no rate (NaN).
Higher means warmer-sounding; it measures phrasing, not whether the model
cares or is right. The lexicon is ours and configurable (``patterns``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

WARMTH_PATTERNS: dict[str, str] = {
    "inclusive": r"\b(?:we|us|our|ours|ourselves|let's|together|we're|we'll|we've|we'd)\b",
    "empathy": (
        r"\b(?:glad|happy to|hope|hoping|sorry|worr(?:y|ied|ying)|understand(?:able)?|totally|"
        r"honestly|genuinely|lovely|love|delight(?:ed|ful)?|gentle|gently|reassur\w*|"
        r"frustrat\w*|feel(?:s|ing|ings)?|care|caring|you've got this|no worries|"
        r"makes (?:complete |total )?sense|great question|good news|you're not alone)\b"
    ),
    "contraction": r"\b\w+(?:n't|'re|'ll|'ve|'m|'d)\b|\b(?:it|that|there|here|what|who|let|he|she)'s\b",
    "exclamation": r"!",
}


class MarkerRate:
    """Counts regex ``patterns`` (name -> regex, case-insensitive) per 100 words."""

    def __init__(self, patterns: Mapping[str, str] | None = None):
        self.patterns = dict(patterns if patterns is not None else WARMTH_PATTERNS)
        self._compiled = {k: re.compile(v, re.IGNORECASE) for k, v in self.patterns.items()}

    @staticmethod
    def _normalise(text: str) -> str:
        return text.replace("\u2019", "'")  # typographic apostrophes count as contractions too

    def counts(self, text: str) -> dict[str, int]:
        text = self._normalise(text)
        return {k: len(rx.findall(text)) for k, rx in self._compiled.items()}

    def rate(self, text: str) -> float:
        words = len(text.split())
        if not words:
            return float("nan")
        return 100.0 * sum(self.counts(text).values()) / words

    def rates(self, texts: Sequence[str]) -> list[float]:
        return [self.rate(t) for t in texts]


def mean_sem(values: Sequence[float]) -> tuple[float, float, int]:
    """Mean, standard error of the mean and count of the finite ``values``."""
    xs = [v for v in values if v is not None and math.isfinite(v)]
    n = len(xs)
    if not n:
        return float("nan"), float("nan"), 0
    mean = sum(xs) / n
    sem = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1) / n) if n > 1 else float("nan")
    return mean, sem, n
