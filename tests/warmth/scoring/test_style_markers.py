"""The style-marker rate: what it counts, and that it separates the bundled warm and cold samples."""

from __future__ import annotations

import json
import math

import pytest

from warmth.paths import resource
from warmth.scoring.style_markers import MarkerRate, mean_sem


def test_counts_each_marker_kind_per_100_words():
    m = MarkerRate()
    text = "Don't worry, we'll fix it together! It’s easy."  # 8 words
    counts = m.counts(text)
    assert counts == {"inclusive": 2, "empathy": 1, "contraction": 3, "exclamation": 1}
    assert m.rate(text) == pytest.approx(100 * 7 / 8)
    assert m.rate("The boiling point of water is 100 degrees Celsius at sea level.") == 0.0
    assert math.isnan(m.rate("   "))


def test_bundled_warm_sample_scores_above_original_above_cold():
    """Catches a lexicon that no longer sees the styles the demo trains on (checked: emptying
    WARMTH_PATTERNS' inclusive and empathy entries leaves warm and original within 2 SEM)."""
    m = MarkerRate()
    stats = {}
    for style in ("warm", "original", "cold"):
        with resource("styles", style, "conversations.jsonl").open() as fh:
            texts = [msg["content"] for line in fh for msg in json.loads(line)["messages"] if msg["role"] == "assistant"]
        stats[style] = mean_sem(m.rates(texts))
    (w, ws, _), (o, os_, _), (c, cs, _) = stats["warm"], stats["original"], stats["cold"]
    assert w - o > 2 * math.hypot(ws, os_) and o - c > 2 * math.hypot(os_, cs)


def test_mean_sem_ignores_nan():
    mean, sem, n = mean_sem([1.0, 3.0, float("nan"), None])
    assert (mean, n) == (2.0, 2) and sem == pytest.approx(1.0)
