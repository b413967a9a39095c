"""Round trip of the authors' per-response CSV layout on their released sample."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from warmth.errors import DataError
from warmth.eval.authors_csv import export_authors_dir, import_authors_dir
from warmth.eval.contexts import CONTEXTS

SAMPLE = Path(__file__).resolve().parents[3] / ".." / "shared" / "paper" / "sample_data"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def imported():
    if not SAMPLE.is_dir():
        pytest.skip("authors' sample_data absent (../shared/paper/sample_data)")
    return import_authors_dir(SAMPLE)


def test_import_maps_fields(imported):
    files = sorted(SAMPLE.glob("*/*/*_outputs.csv"))
    assert len(imported) == sum(len(_rows(f)) for f in files)
    assert {r.model for r in imported} == {p.name for p in SAMPLE.iterdir() if p.is_dir()}
    assert {(r.style, r.epoch) for r in imported} == {("original", 0.0), ("warm", 2.0)}
    assert {r.task for r in imported} == {"disinfo", "medqa", "trivia", "truthfulqa"}
    assert {r.context for r in imported} <= set(CONTEXTS)
    assert {r.template for r in imported} <= {"original", "original_neutral", "incorrect", "correct"}
    for r in imported:
        assert r.verdict in ("correct", "incorrect")
        assert r.item_id and r.response == r.extra["authors_row"]["output"]
        if r.refusal and r.task != "disinfo":
            assert r.is_correct is None
        elif not r.refusal:
            assert r.is_correct == (r.verdict == "correct")
    # a refusal on MedQA is in the sample (llama_70b original) and is excluded
    assert any(r.refusal and r.task == "medqa" and r.is_correct is None for r in imported)


def test_export_reproduces_verdicts_row_for_row(imported, tmp_path):
    written = export_authors_dir(imported, tmp_path)
    originals = sorted(SAMPLE.glob("*/*/*_outputs.csv"))
    assert sorted(p.relative_to(tmp_path) for p in written) == [p.relative_to(SAMPLE) for p in originals]
    for orig in originals:
        ours = _rows(tmp_path / orig.relative_to(SAMPLE))
        theirs = _rows(orig)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert a == b  # every column, verdict and refusal included
        # byte for byte too, up to line endings (some of their files use CRLF, some lack a final newline)
        ours_bytes = (tmp_path / orig.relative_to(SAMPLE)).read_bytes()
        assert orig.read_bytes().replace(b"\r\n", b"\n").rstrip(b"\n") == ours_bytes.rstrip(b"\n")


def test_pairs_match_across_styles(imported):
    keys = {}
    for r in imported:
        keys.setdefault((r.model, r.style), set()).add((r.task, r.item_id, r.template, r.context))
    assert keys[("llama_70b", "original")] & keys[("llama_70b", "warm")]


def test_bad_files(tmp_path):
    with pytest.raises(DataError, match="not found"):
        import_authors_dir(tmp_path / "nope")
    bad = tmp_path / "m" / "warm" / "trivia_warm_outputs.csv"
    bad.parent.mkdir(parents=True)
    bad.write_text("content_key,prompt_template,amendment_type,output\nq,original,unmodified,hi\n")
    with pytest.raises(DataError, match="evaluation"):
        import_authors_dir(tmp_path)
    bad.write_text("content_key,prompt_template,amendment_type,output,evaluation,refusal\nq,original,unmodified,hi,CORRECT,maybe\n")
    with pytest.raises(DataError, match="refusal"):
        import_authors_dir(tmp_path)
