"""Bad input ends in a warning that names what was left out and why, never a crash or NaN."""

from __future__ import annotations

import json
import shutil

import pytest

from warmth.errors import DataError
from warmth.report.build import build_report


def test_bad_inputs_are_named_in_the_report(tmp_path, synth, paper_dir):
    kw = {"n_items": 10, "contexts": ["unmodified", "emotion:sad"]}
    base = synth.make("m1", "original", 0.0, p_correct=0.7, seed=1, **kw)
    # The warm run was given different statements for item 0 of trivia.
    warm = synth.make("m1", "warm", 2.0, p_correct=0.6, seed=2, **kw,
                      prompt_fn=lambda t, i, c, tpl: f"OTHER {t}{i}" if (t, i) == ("trivia", 0) else f"{c} | {t} q{i} | {tpl}")
    # disinfo: every response correct in both runs -> perfect separation in the regressions.
    for r in base + warm:
        if r.task == "disinfo":
            r.is_correct, r.verdict = True, "correct"
    # An empty group: the warm run has no belief templates for trivia.
    warm = [r for r in warm if not (r.task == "trivia" and r.template == "incorrect")]
    lonely = synth.make("lonely", "warm", 2.0, **kw)  # a model with only one style
    runs = [synth.write(tmp_path, n, recs) for n, recs in (("o", base), ("w", warm), ("lonely", lonely))]
    summaries = tmp_path / "summaries"
    summaries.mkdir()
    src = (paper_dir / "summary_data" / "results_cold_ft.csv").read_text().splitlines()
    (summaries / "results_cold_ft.csv").write_text(
        "\n".join([src[0] + ",Foo"] + [line + ",1" for line in src[1:]]) + "\n")
    (summaries / "notes.csv").write_text("a,b\n1,2\n")
    shutil.copy(paper_dir / "summary_data" / "results_warm_ft.csv", summaries)

    rep = build_report([*map(str, runs), str(summaries)], tmp_path / "out", mixed=False)
    text = "\n".join(m for _, m in rep.notes)
    assert "disagree on the prompt" in text and "m1/warm" in text
    assert "'lonely' has only ['warm']" in text
    assert "unknown columns ignored: ['Foo']" in text
    assert "notes.csv: CSV of unknown layout" in text
    assert "m1/warm/trivia: no Sycophancy pairs" in text
    assert "m1/warm: 20 scored original responses have no partner" in text  # items the warm run lacks
    assert "dataset='disinfo': every response correct (perfect separation)" in text
    assert "prompt_group='user_opinion' has only original responses (empty group)" in text
    # The warnings reach the HTML report.
    html = (tmp_path / "out" / "index.html").read_text()
    assert "perfect separation" in html and "lonely" in html
    # Disagreeing pairs were left out: trivia item 0 contributes no pair.
    cond = rep.conditions[(rep.conditions["source"] == "records") & (rep.conditions["dataset"] == "trivia")]
    assert (cond["n_pairs"] == 9).all()
    reg = (tmp_path / "out" / "regressions.json").read_text()
    assert "NaN" not in reg and "Infinity" not in reg
    m1 = json.loads(reg)["warm"]["model1_main"]
    # disinfo stays in the AME average (at its limit) and stays the reference; only trivia is fitted
    assert m1["datasets"] == ["disinfo", "trivia"] and m1["separated"] == ["dataset='disinfo': every response correct"]
    assert "reference='disinfo'" in m1["formula"] and m1["nobs_fitted"] < m1["nobs"]


def test_missing_input_is_one_clear_error(tmp_path):
    with pytest.raises(DataError, match="report input not found"):
        build_report([str(tmp_path / "nope")], tmp_path / "out")
    with pytest.raises(DataError, match="no report inputs"):
        build_report([], tmp_path / "out")


def test_wandb_input_offline_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WANDB_MODE", "offline")
    with pytest.raises(DataError, match="needs network access"):
        build_report(["wandb:someone/warmth"], tmp_path / "out")
