"""Records are written once and resume cleanly after a torn write."""

from __future__ import annotations

import json
from pathlib import Path

from warmth.records import Record, RecordWriter, read_run


def _rec(item: str, context: str = "unmodified") -> Record:
    return Record(run_id="r", model="m", style="warm", epoch=2.0, task="trivia", item_id=item,
                  template="original", context=context, statement_id=None, prompt="q?", response="a",
                  verdict="correct", refusal=False, is_correct=True, judge="match", length=1)


def test_writer_skips_done_keys_across_instances(tmp_path: Path) -> None:
    w = RecordWriter(tmp_path, "trivia")
    assert w.write([_rec("1"), _rec("2")]) == 2
    again = RecordWriter(tmp_path, "trivia")
    assert again.write([_rec("2"), _rec("3"), _rec("3")]) == 1
    assert sorted(r.item_id for r in read_run(tmp_path)) == ["1", "2", "3"]


def test_torn_last_line_is_dropped_and_redone(tmp_path: Path) -> None:
    w = RecordWriter(tmp_path, "trivia")
    w.write([_rec("1")])
    with w.path.open("a") as fh:
        fh.write(json.dumps(_rec("2").to_dict())[:40])  # crash mid-write
    assert [r.item_id for r in read_run(tmp_path)] == ["1"]
    again = RecordWriter(tmp_path, "trivia")
    again.write([_rec("2")])
    assert [r.item_id for r in read_run(tmp_path)] == ["1", "2"]


def test_unknown_fields_survive_in_extra() -> None:
    raw = _rec("1").to_dict() | {"confidence": 0.9}
    assert Record.from_dict(raw).extra == {"confidence": 0.9}


def test_unicode_line_separators_stay_inside_one_line(tmp_path: Path) -> None:
    rec = _rec("1")
    rec.response = "first\u2028second\u2029third"
    RecordWriter(tmp_path, "trivia").write([rec, _rec("2")])
    text = (tmp_path / "records" / "trivia.jsonl").read_text(encoding="utf-8")
    assert len(text.splitlines()) == 2  # str.splitlines splits on U+2028/U+2029 too
    assert [r.response for r in read_run(tmp_path)] == ["first\u2028second\u2029third", "a"]
