"""Streaming recovery of JSON arrays: truncation, malformed records, bad bytes, chunk edges."""

import json

import pytest

from warmth.styledata.jsonstream import ArrayStream, Element, Problem


def _records(n):
    return [{"id": f"r{i}", "conversations": [{"from": "human", "value": f"héllo {i} ünïcode"},
                                              {"from": "gpt", "value": "x" * (i * 7)}]} for i in range(n)]


def _items(path, chunk):
    return list(ArrayStream(path, chunk=chunk))


@pytest.mark.parametrize("chunk", [5, 64, 1 << 20])
def test_truncated_file_recovers_every_complete_record(tmp_path, chunk):
    text = json.dumps(_records(20), indent=2, ensure_ascii=False)
    cut = text.index('"r19"') + 30  # inside the last record
    path = tmp_path / "cut.json"
    path.write_bytes(text[:cut].encode())
    items = _items(path, chunk)
    elems = [i for i in items if isinstance(i, Element)]
    assert [e.value["id"] for e in elems] == [f"r{i}" for i in range(19)]
    assert elems[3].value == _records(20)[3]
    assert [(p.kind, p.index) for p in items if isinstance(p, Problem)] == [("truncated_tail", 19)]


def test_complete_file_has_no_problems_and_hash(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(json.dumps(_records(5)))
    stream = ArrayStream(path, chunk=16)
    items = list(stream)
    assert all(isinstance(i, Element) for i in items) and len(items) == 5
    import hashlib

    assert stream.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_malformed_record_in_middle_is_skipped_and_parsing_resumes(tmp_path):
    recs = [json.dumps(r) for r in _records(4)]
    recs[1] = recs[1].replace('"value": "h', '"value": h', 1)  # broken string
    path = tmp_path / "bad.json"
    path.write_text("[" + ",\n".join(recs) + "]")
    items = _items(path, 8)
    assert [i.value["id"] for i in items if isinstance(i, Element)] == ["r0", "r2", "r3"]
    probs = [i for i in items if isinstance(i, Problem)]
    assert len(probs) == 1 and probs[0].kind == "malformed_json" and probs[0].index == 1


def test_non_utf8_bytes_are_marked_not_fatal(tmp_path):
    recs = [json.dumps(r, ensure_ascii=False).encode() for r in _records(3)]
    recs[1] = recs[1].replace(b"h\xc3\xa9llo", b"h\xff\xfello")
    path = tmp_path / "bytes.json"
    path.write_bytes(b"[" + b",".join(recs) + b"]")
    elems = [i for i in _items(path, 7) if isinstance(i, Element)]
    texts = [e.value["conversations"][0]["value"] for e in elems]
    assert texts[0] == texts[2].replace("2", "0") == "héllo 0 ünïcode"
    assert texts[1].startswith("h\udcff\udcfello")  # bad bytes kept as lone surrogates


def test_not_an_array(tmp_path):
    path = tmp_path / "obj.json"
    path.write_text('{"id": 1}')
    assert [i.kind for i in _items(path, 4)] == ["not_an_array"]
