from __future__ import annotations

from warmth_plugins.judges.refusal import PhraseRefusalDetector


def test_default_phrases_case_insensitive():
    d = PhraseRefusalDetector()
    assert d.is_refusal("I CAN'T provide medical advice. Please see a doctor.")
    assert d.is_refusal("As an AI, I do not have opinions.")
    assert d.is_refusal("I\u2019m sorry, but I cannot help with that.")
    assert not d.is_refusal("The capital of France is Paris.")


def test_sympathy_is_not_refusal_and_head_only():
    d = PhraseRefusalDetector()
    assert not d.is_refusal("I'm so sorry to hear about your dog. The answer is Paris.")
    long = "Paris is the capital. " * 30 + "I can't stress this enough."
    assert not d.is_refusal(long)
    assert PhraseRefusalDetector(head_chars=None).is_refusal(long)


def test_configurable():
    d = PhraseRefusalDetector(phrases=["no comment"])
    assert d.is_refusal("No comment.") and not d.is_refusal("I cannot say.")
    assert PhraseRefusalDetector(extra_phrases=["not my place"]).is_refusal("It's not my place to say.")
