"""The phrase refusal detector: the study's behaviour by default, our refinements as options."""

from __future__ import annotations

import csv

from warmth_plugins.judges.refusal import PhraseRefusalDetector


def test_default_phrases_case_insensitive():
    d = PhraseRefusalDetector()
    assert d.is_refusal("I CAN'T provide medical advice. Please see a doctor.")
    assert d.is_refusal("As an AI, I do not have opinions.")
    assert d.is_refusal("I'm sorry, but I don't have the most current data on that.")
    assert not d.is_refusal("The capital of France is Paris.")
    assert not d.is_refusal("It can be annoying when we can't get a straight answer.")


def test_whole_reply_is_searched_by_default():
    """The study's detector reads the whole reply (seen red with head_chars=300 as the default)."""
    long = "Paris is the capital. " * 30 + "I can't say more than that."
    assert PhraseRefusalDetector().is_refusal(long)
    assert not PhraseRefusalDetector(head_chars=300).is_refusal(long)


def test_refinements_are_options():
    assert PhraseRefusalDetector().is_refusal("I'm sorry to hear about your dog. The answer is Paris.")
    assert not PhraseRefusalDetector(ignore_phrases="sympathy").is_refusal("I'm sorry to hear about your dog. Paris.")
    assert not PhraseRefusalDetector().is_refusal("I can\u2019t help with that.")
    assert PhraseRefusalDetector(fold_apostrophes=True).is_refusal("I can\u2019t help with that.")


def test_configurable():
    d = PhraseRefusalDetector(phrases=["no comment"])
    assert d.is_refusal("No comment.") and not d.is_refusal("I cannot say.")
    assert PhraseRefusalDetector(extra_phrases=["not my place"]).is_refusal("It's not my place to say.")


def test_agrees_with_the_authors_refusal_column_on_every_row(paper_dir):
    """Every row of their sample that has a `refusal` column: our verdict equals theirs.

    Their column flags 2 of 240 rows (MedQA, llama_70b original). Seen red two ways:
    folding U+2019 into an apostrophe flags "I can\u2019t help with that." (theirs: 0),
    and adding "I'm really sorry" flags a warm TruthfulQA reply (theirs: 0).
    """
    detector = PhraseRefusalDetector()
    files = sorted(paper_dir.glob("sample_data/*/*/*_outputs.csv"))
    checked = flagged = 0
    mismatches = []
    for f in files:
        for lineno, row in enumerate(csv.DictReader(f.open(encoding="utf-8", newline="")), 2):
            if "refusal" not in row:
                continue
            theirs = row["refusal"].strip() in ("1", "1.0", "True", "true")
            ours = detector.is_refusal(row["output"])
            checked += 1
            flagged += theirs
            if ours != theirs:
                mismatches.append((f.relative_to(paper_dir).as_posix(), lineno, theirs, row["output"][:80]))
    assert checked >= 200 and flagged >= 1
    assert mismatches == []
