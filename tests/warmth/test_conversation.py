"""The conversation schema reports what is wrong and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from warmth.conversation import Conversation, Message, read_jsonl, validate, write_jsonl
from warmth.errors import DataError


def test_round_trip(tmp_path: Path) -> None:
    conv = Conversation.from_dict({"id": "a", "messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello."}]})
    assert conv.system == "Be brief." and conv.assistant_indices() == [2]
    write_jsonl(tmp_path / "c.jsonl", [conv])
    assert next(iter(read_jsonl(tmp_path / "c.jsonl"))) == conv


@pytest.mark.parametrize("messages, problem", [
    ([{"role": "user", "content": "x"}], "no assistant message"),
    ([{"role": "user", "content": "x"}, {"role": "robot", "content": "y"}], "messages[1].role 'robot'"),
    ([{"role": "user", "content": " "}, {"role": "assistant", "content": "y"}], "messages[0].content is empty"),
])
def test_validation_names_the_field(messages, problem) -> None:
    conv = Conversation("x", [Message(m["role"], m["content"]) for m in messages])
    assert any(problem in p for p in validate(conv))


def test_bad_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(b'{"id": "1", "messages": [{"role": "user", "content": "q"}, '
                     b'{"role": "assistant", "content": "a"}]}\n{"id": 2, \xff\n')
    with pytest.raises(DataError, match=r"bad.jsonl:2: not UTF-8"):
        list(read_jsonl(path))
