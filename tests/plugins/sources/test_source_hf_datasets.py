"""Hugging Face datasets loader, offline through the `json` builder."""

import json

import pytest

from warmth.errors import DataError

pytest.importorskip("datasets", reason="the datasets package is not installed")


def test_hf_json_builder_offline(tmp_path):
    from warmth_plugins.sources import HFDatasetSource

    path = tmp_path / "d.jsonl"
    rows = [{"id": f"r{i}", "messages": [{"role": "user", "content": f"q{i}"},
                                          {"role": "assistant", "content": f"a{i}"}]} for i in range(3)]
    rows.append({"id": "bad", "messages": [{"role": "user", "content": "q"},
                                          {"role": "assistant", "content": ""}]})
    path.write_text("\n".join(json.dumps(r) for r in rows))
    src = HFDatasetSource("json", data_files=str(path), streaming=False)
    assert [c.id for c in src] == ["r0", "r1", "r2"]
    assert src.report.skipped == {"empty_message": 1}
    assert list(src) and src.report.read == 4  # a second pass counts afresh
    with pytest.raises(DataError, match="cannot load"):
        list(HFDatasetSource("json", data_files=str(tmp_path / "missing.jsonl"), streaming=False))
