"""docs/ROBUSTNESS.md names only tests that exist, and lists every bad input the project promises to handle.

Seen failing with a test renamed in the doc (``test_nope``) and with a row of the catalogue removed.
"""

from __future__ import annotations

import re

from tests.conftest import REPO

DOC = REPO / "docs" / "ROBUSTNESS.md"
PROMISED = [  # the bad inputs of the catalogue, as the table's first column names them
    "malformed JSON record", "truncated ShareGPT file", "empty ShareGPT file", "top-level object instead of a list",
    "malformed / torn JSONL source line", "empty JSONL source", "wrong schema", "empty style dataset",
    "empty or whitespace-only message", "unknown role", "no assistant turn", "over-long conversation",
    "non-UTF-8 bytes", "duplicate ids", "unknown config key, wrong type", "unknown model / style name",
    "unknown task", "missing files and folders", "a checkpoint of another model",
    "authors' CSV with a missing column", "CR/LF inside the authors' labels", "torn last line of an authors' CSV",
    "unparseable judge output", "a judge answering in another format",
]


def test_every_named_test_exists():
    text = DOC.read_text(encoding="utf-8")
    refs = re.findall(r"([\w/]*test_\w+\.py)::(test_\w+)", text)
    assert len(refs) > 40
    missing = []
    for path, name in refs:
        files = [p for p in (REPO / "tests").rglob(path.rsplit("/", 1)[-1]) if p.as_posix().endswith(path)]
        if not any(re.search(rf"^def {name}\(", f.read_text(encoding="utf-8"), re.MULTILINE) for f in files):
            missing.append(f"{path}::{name}")
    assert missing == []


def test_every_promised_bad_input_has_a_row():
    rows = [line.split("|")[1].strip() for line in DOC.read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and line.count("|") >= 4]
    assert [p for p in PROMISED if not any(r.startswith(p) for r in rows)] == []
