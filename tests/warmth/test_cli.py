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
