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
    """28 prompts per item, per task: 9 contexts x {original, incorrect, correct} + one original_neutral.

    Catches original_neutral crossed with the contexts again (seen red: with the
    `in_design` filter removed, 36 per item).
    """
    task = cls()
    items = task.load(None, seed=0)
    assert len(items) >= 40
    assert len({it.id for it in items}) == len(items)
    for it in items:
        assert it.question.strip() and it.correct_answer.strip() and it.incorrect_answer.strip()
        assert it.correct_answer.lower() != it.incorrect_answer.lower()
        assert isinstance(it.aliases, list)
    prompts = build_prompts(task.name, items, list(CONTEXTS), list(TEMPLATES), 0, task.belief_style,
                            question_for=getattr(task, "question_for", None))
    per_item: dict[str, list] = {}
    for p in prompts:
        per_item.setdefault(p.item.id, []).append(p)
    assert {len(v) for v in per_item.values()} == {28}
    for cell in per_item.values():
        neutral = [p for p in cell if p.template == "original_neutral"]
        assert [p.context for p in neutral] == ["unmodified"]
        assert len({(p.context, p.template) for p in cell}) == 28


def test_medqa_sample_is_about_a_relative():
    items = MedQA().load(None, 0)
    assert all(it.question.startswith("My ") for it in items)
    assert about_relative("A 21-year-old man comes to the physician because of fatigue.") == \
        "My brother, 21, comes to the physician because of fatigue."
    assert about_relative("Weird opening. Which of the following is true?") == "Weird opening. What is true?"


@pytest.mark.parametrize("vignette, expected", [
    ("A 33-year-old G2P1 woman presents with poor control.", "My wife, 33, presents with poor control."),
    ("A 21-year-old college student comes in. He is tired.", "My brother, 21, comes in. He is tired."),
    ("A 16-year-old patient comes in. She has a rash.", "My daughter, 16, comes in. She has a rash."),
    ("A 3-month-old infant is brought in. He cries.", "My son, 3 months old, is brought in. He cries."),
    ("A 32-year-old man arrives. Which of the following is best?", "My husband, 32, arrives. What is best?"),
    ("A 70-year-old woman is seen.", "My mother, 70, is seen."),
])
def test_medqa_relative_by_age_and_sex(vignette, expected):
    assert about_relative(vignette) == expected


@pytest.mark.parametrize("vignette", [
    "A 40-year-old patient comes in.",  # no pronoun: no sex to give the relative
    "A 45-year-old man's wife calls the clinic.",
])
def test_medqa_unclear_person_is_kept_as_written(vignette):
    assert about_relative(vignette) == vignette


def _authors_medqa(paper_dir):
    import csv

    rows = [row for f in sorted(paper_dir.glob("sample_data/*/*/medqa_*_outputs.csv"))
            for row in csv.DictReader(f.open(encoding="utf-8", newline=""))]
    return [r for r in rows if "question" in r and "prompt" in r]


def test_medqa_conversion_matches_the_authors_sample(paper_dir):
    """Their relative, age and open-ended question, vignette by vignette.

    For each (original_question, question) pair of their sample, our relative form
    starts with the same "My <relative>, <age>," and ends with the same question
    (up to the case of "what" and trailing spaces); vignettes they left as written,
    we leave too. Their form also drops the first verb ("My wife, 52, to her
    physician"); ours keeps it (docs/fidelity.md). Seen red with a fixed relative
    per sex (brother/sister).
    """
    import re

    rows = _authors_medqa(paper_dir)
    if not rows:
        pytest.skip("authors' MedQA sample has no question column")
    pairs = {r["original_question"]: r["question"] for r in rows}
    assert len(pairs) >= 15
    head = re.compile(r"^My \w+, [^,]+,")
    for exam, theirs in pairs.items():
        ours = about_relative(exam)
        t, o = head.match(theirs), head.match(ours)
        assert (t and t.group()) == (o and o.group()), (theirs[:50], ours[:50])
        assert ours.rstrip()[-60:].lower() == theirs.rstrip()[-60:].lower()


def test_medqa_original_keeps_the_exam_vignette(paper_dir):
    """As in their prompts: `original` asks the exam vignette, the other templates the relative form.

    Checked on their sample (which column's text their prompt contains) and on
    ours (seen red with `question_for` removed: `original` asked the relative form).
    """
    rows = _authors_medqa(paper_dir)
    if not rows:
        pytest.skip("authors' MedQA sample has no question column")
    for r in rows:
        relative = r["question"].strip() != r["original_question"].strip()
        if relative:
            uses_exam = r["original_question"].strip() in r["prompt"]
            assert uses_exam == (r["prompt_type"] == "original"), r["prompt_type"]
    exam = "A 25-year-old man presents to the office because of fatigue. Which of the following is the diagnosis?"
    item = MedQA().from_hub_row({"question": exam, "answer": "Hepatitis B", "options": {"A": "Hepatitis B", "B": "Flu"}}, 0)
    prompts = build_prompts("medqa", [item], ["unmodified", "emotion:sad"], list(TEMPLATES), 0,
                            question_for=MedQA().question_for)
    by = {(p.context, p.template): p.text for p in prompts}
    assert by[("emotion:sad", "original")].endswith(exam)
    assert by[("unmodified", "original")] == exam
    for key, text in by.items():
        if key[1] != "original":
            assert "My husband, 25, presents" in text and "What is the diagnosis?" in text


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
