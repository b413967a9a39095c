"""Error messages are folded to one line and keep the key they name."""

from __future__ import annotations

from warmth.cli import _one_line


def test_one_line_keeps_cause_and_key() -> None:
    cause = KeyError("Key 'max_stepz' is not in struct\n    full_key: trainer.max_stepz\n    object_type=dict")
    try:
        try:
            raise cause
        except KeyError as inner:
            raise RuntimeError("Could not override 'trainer.max_stepz'.\nTo append use +trainer.max_stepz=5") from inner
    except RuntimeError as exc:
        line = _one_line(exc)
    assert "\n" not in line
    assert "trainer.max_stepz" in line and "not in struct" in line


def test_entry_points_compose_before_the_heavy_stack_loads() -> None:
    """Importing an entry point loads no torch: a mistyped override fails before it would."""
    import subprocess
    import sys

    from tests.conftest import REPO

    code = ("import sys, warmth.train, warmth.evaluate, warmth.rewrite, warmth.plan, warmth.report; "
            "print(sorted(m for m in ('torch', 'transformers', 'lightning', 'torchmetrics') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_error_line_never_shares_a_line_with_a_progress_bar(monkeypatch) -> None:
    """Text left mid-line (a bar's ``\\r`` redraw) and a tqdm bar left open: the error starts a line of
    its own and nothing redraws after it. Fails with report()'s fresh-line write removed
    ("...50%error: ...") and with its closing of open bars removed (the bar redraws after the error)."""
    import io
    import sys

    from tqdm import tqdm

    from warmth.cli import _QuietJobErrors, report
    from warmth.errors import DataError

    raw = io.StringIO()
    monkeypatch.setattr(sys, "stderr", _QuietJobErrors(raw))
    sys.stderr.write("\rdownloading:  50%")
    report(DataError("records.jsonl:3: invalid JSON"))
    assert raw.getvalue() == "\rdownloading:  50%\nerror: records.jsonl:3: invalid JSON\n"

    raw.truncate(0)
    raw.seek(0)
    bar = tqdm(total=4, desc="eval trivia", file=sys.stderr, mininterval=0)
    bar.update(2)
    report(DataError("records.jsonl:3: invalid JSON"))
    bar.refresh()  # closed by report(): draws nothing more
    assert raw.getvalue().endswith("\nerror: records.jsonl:3: invalid JSON\n") and "eval trivia" in raw.getvalue()
