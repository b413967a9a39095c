"""Model, task and context names from every source map to one spelling."""

from __future__ import annotations

import csv

import pytest

from warmth.report.names import normalise_context, prompt_group, split_model_name, task_name


@pytest.mark.parametrize("raw, base, cond", [
    ("llama-70b", "llama-70b", None), ("70b-cold", "llama-70b", "cold"),
    ("70b-sys-prompt", "llama-70b", "warm_sysprompt"), ("llama-70b-sys-prompt", "llama-70b", "warm_sysprompt"),
    ("Llama-70B", "llama-70b", None), ("llama_70b", "llama-70b", None), ("qwen-32-cold", "qwen-32b", "cold"),
    ("Qwen-32B", "qwen-32b", None), ("gpt-4o-sys-prompt", "gpt-4o", "warm_sysprompt"),
    ("Mistral-small", "mistral-small", None), ("meta-llama/Llama-3.1-8B-Instruct", "llama-8b", None),
    ("Qwen/Qwen2.5-32B-Instruct", "qwen-32b", None), ("tiny", "tiny", None),
])
def test_model_names(raw, base, cond):
    assert split_model_name(raw) == (base, cond)


def test_every_model_name_in_the_authors_files_maps_to_the_five_models(paper_dir):
    names = set()
    for f in (paper_dir / "summary_data").glob("*.csv"):
        with f.open() as fh:
            for row in csv.DictReader(fh):
                names.add(row.get("Model") or row.get("model"))
    names |= {p.name for p in (paper_dir / "sample_data").iterdir() if p.is_dir()}
    bases = {split_model_name(n)[0] for n in names}
    assert bases == {"llama-70b", "llama-8b", "qwen-32b", "mistral-small", "gpt-4o"}, names


def test_contexts_tasks_and_templates():
    assert normalise_context("emotion: sad") == "emotion:sad"
    assert normalise_context("Emotion:Anger") == "emotion:angry"  # the authors' spelling -> ours
    assert normalise_context("stake:high") == "stakes:high"
    assert normalise_context("") == "unmodified"
    assert task_name("TriviaQA") == "trivia"
    assert [prompt_group(t) for t in ("original", "original_neutral", "correct", "incorrect")] == [
        "original", "original", "user_opinion", "user_opinion"]
