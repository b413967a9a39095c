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


# The columns naming a prompt in every one of their files (the other columns vary by file).
IDENTITY = {"disinfo": ("prompt_disinfo", "prompt_template", "amendment_type"),
            "medqa": ("original_question", "prompt_type", "amendment_type"),
            "trivia": ("content_key", "prompt_template", "amendment_type"),
            "truthfulqa": ("content_key", "prompt_template", "amendment_type")}


def test_pairs_match_across_styles(imported):
    """Per model and task, the original/warm pairs we form are exactly those their columns pair."""
    ours: dict[tuple[str, str, str], set] = {}
    for r in imported:
        ours.setdefault((r.model, r.task, r.style), set()).add((r.item_id, r.template, r.context))
    checked = 0
    for model in sorted(p.name for p in SAMPLE.iterdir() if p.is_dir()):
        for task, columns in IDENTITY.items():
            raw = {style: {tuple(row[c] for c in columns)
                           for row in _rows(SAMPLE / model / style / f"{task}_{style}_outputs.csv")}
                   for style in ("original", "warm")}
            shared = len(raw["original"] & raw["warm"])
            assert shared > 0
            assert len(ours[(model, task, "original")] & ours[(model, task, "warm")]) == shared, (model, task)
            checked += 1
    assert checked == 8


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


def test_files_without_refusal_column_get_the_detectors_refusals(imported):
    """Their qwen_32b warm files lack `refusal`: the detector derives it, as their pipeline did.

    One reply there opens "I'm sorry, but I don't have the most current data": a
    refusal, excluded from the analysis (seen red with the old `refusal = False`
    for absent columns: it entered as a warm error). The report says how many
    refusals were derived.
    """
    from warmth.eval.authors_csv import derived_refusals
    from warmth.report.inputs import Inputs, read_input
    from warmth.report.notes import Notes

    derived = [r for r in imported if r.extra["refusal_recorded"] is False]
    assert derived and {(r.model, r.style) for r in derived} == {("qwen_32b", "warm")}
    refused = [r for r in derived if r.refusal]
    assert [r.response[:40] for r in refused] == ["I'm sorry, but I don't have the most cur"]
    assert refused[0].task == "truthfulqa" and refused[0].is_correct is None
    assert derived_refusals(imported) == (1, len(derived))
    notes = Notes()
    read_input(str(SAMPLE), Inputs(), notes)
    assert any("derived 1 refusal" in str(n) for n in notes)
