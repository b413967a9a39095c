"""Chat JSONL loader: both key styles, bad lines counted with file:line."""

import json

from warmth_plugins.sources import JsonlSource


def test_jsonl_lines_counted(tmp_path):
    good = {"id": "a", "messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "r"}]}
    share = {"id": "b", "conversations": [{"from": "human", "value": "q"}, {"from": "gpt", "value": "r"}]}
    lines = [json.dumps(good).encode(), json.dumps(share).encode(), b"{not json",
             json.dumps({"id": "c", "messages": [{"role": "user", "content": "q"}]}).encode(),
             "{\"id\": \"d\", \"messages\": [{\"role\": \"user\", \"content\": \"caf\xe9\"}]}".encode("latin-1"),
             b"", json.dumps({"id": "e", "messages": [{"role": "robot", "content": "x"}]}).encode()]
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\n".join(lines) + b'\n{"id": "f", "mess')
    src = JsonlSource(str(path))
    assert [c.id for c in src] == ["a", "b"]
    rep = src.report.to_dict()
    assert rep["skipped"] == {"malformed_json": 1, "no_assistant_turn": 1, "non_utf8": 1,
                              "truncated_tail": 1, "unknown_role": 1}
    assert rep["locations"]["malformed_json"][0].startswith("c.jsonl:3")
    assert rep["locations"]["non_utf8"] == ["c.jsonl:5"]
    assert rep["read"] == 7
