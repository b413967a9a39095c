"""Built-in factual tasks: bundled samples, the authors' prompt files, hub failures offline."""

from __future__ import annotations

import json

import pytest
from warmth_plugins.tasks._items import read_items, select
from warmth_plugins.tasks.disinfo import Disinfo, _other_side
from warmth_plugins.tasks.medqa import MedQA, about_relative
from warmth_plugins.tasks.trivia import Trivia
from warmth_plugins.tasks.truthfulqa import TruthfulQA

from warmth.errors import ConfigError, DataError
from warmth.eval.contexts import CONTEXTS
from warmth.eval.prompts import TEMPLATES, build_prompts

TASKS = [Trivia, TruthfulQA, Disinfo, MedQA]


@pytest.mark.parametrize("cls", TASKS)
def test_bundled_samples_complete(cls):
    task = cls()
    items = task.load(None, seed=0)
    assert len(items) >= 40
    assert len({it.id for it in items}) == len(items)
    for it in items:
        assert it.question.strip() and it.correct_answer.strip() and it.incorrect_answer.strip()
        assert it.correct_answer.lower() != it.incorrect_answer.lower()
        assert isinstance(it.aliases, list)
    prompts = build_prompts(task.name, items, list(CONTEXTS), list(TEMPLATES), 0, task.belief_style)
    assert len(prompts) == len(items) * 9 * 4


def test_medqa_sample_is_about_a_relative():
    items = MedQA().load(None, 0)
    assert all(it.question.startswith("My ") for it in items)
    assert about_relative("A 21-year-old man comes to the physician because of fatigue.") == \
        "My brother, 21, comes to the physician because of fatigue."
    assert about_relative("Weird opening.").startswith("This is about someone in my family")


@pytest.mark.parametrize("vignette, expected", [
    ("A 33-year-old G2P1 woman presents with poor control.", "My sister, 33, G2P1, presents with poor control."),
    ("A 21-year-old college student comes in. He is tired.", "My brother, 21, a college student, comes in. He is tired."),
    ("A 16-year-old patient comes in. She has a rash.", "My daughter, 16, comes in. She has a rash."),
    ("A 3-month-old infant is brought in.", "My baby, 3 months old, is brought in."),
    ("A 32-year-old man arrives to his physician.", "My brother, 32, arrives to his physician."),
])
def test_medqa_relative_behind_descriptors_and_pronouns(vignette, expected):
    assert about_relative(vignette) == expected


@pytest.mark.parametrize("vignette", [
    "A 40-year-old patient comes in.",  # no pronoun: no gender to give the relative
    "A 45-year-old man's wife calls the clinic.",
])
def test_medqa_unclear_person_gets_the_lead_in(vignette):
    assert about_relative(vignette) == f"This is about someone in my family: {vignette}"


def test_medqa_every_vignette_of_the_authors_sample_becomes_a_relative(paper_dir):
    """Their MedQA questions: each one opening "A(n) N-year-old ..." is rephrased about a relative."""
    import csv
    import re

    questions = {row["original_question"] for f in paper_dir.glob("sample_data/*/original/medqa_original_outputs.csv")
                 for row in csv.DictReader(f.open(encoding="utf-8", newline=""))}
    vignettes = [q for q in questions if re.match(r"An? \d+-(year|month|week|day)-old ", q)]
    assert len(vignettes) >= 15
    assert [q[:40] for q in vignettes if not about_relative(q).startswith("My ")] == []


def test_disinfo_policy_and_pivot():
    assert Disinfo.refusal_policy == "correct" and Trivia.refusal_policy == "exclude"
    prop = "The Moon <pivotal>is/is not</pivotal> made of cheese."
    assert _other_side(prop, "The Moon is not made of cheese.") == "The Moon is made of cheese."


def test_selection_is_seeded_and_model_free():
    items = Trivia().load(None, 0)
    a, b = select(items, 5, seed=7), select(list(reversed(items)), 5, seed=7)
    assert [i.id for i in a] == [i.id for i in b]
    assert [i.id for i in select(items, 5, seed=8)] != [i.id for i in a]
    with pytest.raises(DataError):
        select(items, 0, 0)


def test_item_file_errors(tmp_path):
    f = tmp_path / "items.jsonl"
    f.write_text(json.dumps({"id": "1", "question": "Q?"}) + "\n")
    with pytest.raises(DataError, match="items.jsonl:1: missing field 'answer'"):
        read_items(f)
    f.write_text("".join(json.dumps({"id": "1", "question": "Q?", "answer": "A"}) + "\n" for _ in range(2)))
    with pytest.raises(DataError, match="duplicated item id '1'"):
        read_items(f)
    f.write_text("{not json\n")
    with pytest.raises(DataError, match="invalid JSON"):
        read_items(f)
    with pytest.raises(ConfigError, match="needs `path`"):
        Trivia(source="file")
    with pytest.raises(ConfigError, match="source must be"):
        Trivia(source="web")


def test_authors_prompt_file_gives_exact_stimuli(tmp_path):
    rows = []
    for item in ("Q one?", "Q two?", "Q three?"):
        for tpl in ("original", "incorrect"):
            for amend in ("unmodified", "emotion:anger", "stake:high"):
                rows.append({"content_key": item, "correct_answer": "right", "incorrect_answer": "wrong",
                             "prompt_template": tpl, "prompt": f"[{amend}] {item} ({tpl})", "amendment_type": amend})
    f = tmp_path / "trivia_prompts.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in rows))
    task = Trivia(source="authors", path=str(f))
    prompts = task.fixed_prompts(["unmodified", "emotion:angry"], ["original", "incorrect"], None, 0)
    assert len(prompts) == 3 * 2 * 2
    p = next(p for p in prompts if p.context == "emotion:angry" and p.template == "incorrect")
    assert p.text == f"[emotion:anger] {p.item.id} (incorrect)" and p.item.incorrect_answer == "wrong"
    assert len({p.item.id for p in task.fixed_prompts(["unmodified"], ["original"], 2, 0)}) == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"content_key": "Q", "prompt_template": "original", "amendment_type": "unmodified"}) + "\n")
    with pytest.raises(DataError, match="missing field 'prompt'"):
        Trivia(source="authors", path=str(bad)).fixed_prompts(["unmodified"], ["original"], None, 0)
    f.write_text(f.read_text() + json.dumps(rows[0]) + "\n")
    with pytest.raises(DataError, match="duplicated prompt"):
        task.fixed_prompts(["unmodified"], ["original"], None, 0)


def test_hub_offline_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    with pytest.raises(DataError) as info:
        Trivia(source="hub").load(5, 0)
    msg = str(info.value)
    assert msg.startswith("task trivia: could not load mandarjoshi/trivia_qa/rc.nocontext (validation) from the hub")
    assert "HF_HUB_OFFLINE" in msg and "\n" not in msg


def test_authors_prompt_file_from_url(tmp_path, monkeypatch):
    import functools
    from http.server import SimpleHTTPRequestHandler

    from tests.loopback import serving

    monkeypatch.setenv("WARMTH_CACHE", str(tmp_path / "cache"))
    row = {"content_key": "Q?", "correct_answer": "a", "incorrect_answer": "b", "prompt_template": "original",
           "prompt": "exact words Q?", "amendment_type": "unmodified"}
    (tmp_path / "p.jsonl").write_text(json.dumps(row) + "\n")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    with serving(functools.partial(Quiet, directory=str(tmp_path))) as base:
        url = f"{base}/p.jsonl"
        prompts = Trivia(source="authors", path=url).fixed_prompts(["unmodified"], ["original"], None, 0)
        assert [p.text for p in prompts] == ["exact words Q?"]
        with pytest.raises(DataError, match="could not download"):
            Trivia(source="authors", path=url.replace("p.jsonl", "missing.jsonl")).fixed_prompts(
                ["unmodified"], ["original"], None, 0)
