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
