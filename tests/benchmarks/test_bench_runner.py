"""``--markdown``: one section per benchmark, replaced on a rerun, others kept."""

from __future__ import annotations

from benchmarks.__main__ import write_section


def test_sections_are_replaced_not_duplicated(tmp_path) -> None:
    """Catches appending a second copy on rerun (checked: always appending turns it red)."""
    path = tmp_path / "BENCHMARKS.md"
    write_section(path, "a", "| x |\n|---|\n| 1 |", True, "python -m benchmarks a")
    write_section(path, "b", "plain text", False, "python -m benchmarks b")
    write_section(path, "a", "| x |\n|---|\n| 2 |", True, "python -m benchmarks a")
    text = path.read_text()
    assert text.startswith("# Benchmarks")
    assert text.count("## a") == 1 and "| 2 |" in text and "| 1 |" not in text
    assert "```\nplain text\n```" in text
