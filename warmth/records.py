"""Per-response records: the source of truth every metric and figure derives from.

Each generated response is one JSON line in ``<run>/records/<task>.jsonl``,
written once, as it is produced. A re-run reads the keys already present
and skips them, so interrupted work resumes without duplicates.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from warmth.errors import DataError

VERDICTS = ("correct", "incorrect", "unscored")


@dataclass
class Record:
    run_id: str
    model: str
    style: str  # the training condition: original, warm, cold, warm_sysprompt, ...
    epoch: float  # checkpoint epoch; 0 is the untrained model
    task: str
    item_id: str
    template: str  # original | original_neutral | incorrect | correct | task-specific
    context: str  # "unmodified" or "<group>:<name>", e.g. "emotion:sad"
    statement_id: int | None
    prompt: str  # the full user message sent to the model
    response: str
    verdict: str  # judge's verdict: correct | incorrect | unscored
    refusal: bool
    is_correct: bool | None  # what analysis counts; None = excluded (refusal on factual, unscored)
    judge: str
    judge_output: str | None = None
    length: int = 0  # response length in characters (the study's length control)
    seed: int = 0
    sample: int = 0  # index when several samples are drawn per prompt
    correct_answer: str | None = None
    incorrect_answer: str | None = None
    system_prompt: str | None = None
    reason: str | None = None  # why unscored or excluded
    score: float | None = None  # numeric score (e.g. SocioT warmth) where the task has one
    objective: str = "sft"  # training objective with its settings (conf/objective label), e.g. sft_kl-b1
    extra: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple:
        return record_key(self.task, self.item_id, self.template, self.context, self.sample, self.epoch)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Record:
        names = {f.name for f in fields(cls)}
        known = {k: v for k, v in raw.items() if k in names}
        extra = {k: v for k, v in raw.items() if k not in names}
        if extra:
            known.setdefault("extra", {}).update(extra)
        return cls(**known)


def dumps_line(obj: Any) -> str:
    """JSON for one line: UTF-8 kept readable, but Unicode line separators escaped
    so tools that split on them (``str.splitlines``) still see one record per line."""
    return json.dumps(obj, ensure_ascii=False).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def record_key(task: str, item_id: str, template: str, context: str, sample: int = 0, epoch: float = 0.0) -> tuple:
    """Identity of one prompt's response: what resume and pairing match on."""
    return (task, str(item_id), template, context, int(sample), float(epoch))


def repair_tail(path: Path) -> None:
    """Drop a partial last line left by a crash so appends to a JSONL file stay valid."""
    if not path.exists() or path.stat().st_size == 0:
        return
    data = path.read_bytes()
    if data.endswith(b"\n"):
        return
    with path.open("r+b") as fh:
        fh.truncate(data.rfind(b"\n") + 1)


def read_records(path: str | Path) -> Iterator[Record]:
    """Records from one JSONL file; a torn last line (crash mid-write) is skipped."""
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        lines = fh.readlines()
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError:
            if lineno == len(lines):
                continue  # interrupted write; the prompt is redone on resume
            raise DataError(f"{path}:{lineno}: invalid JSON record") from None
        yield Record.from_dict(raw)


def read_run(run_dir: str | Path) -> list[Record]:
    """All records under ``<run_dir>/records/``."""
    rec_dir = Path(run_dir) / "records"
    out: list[Record] = []
    for path in sorted(rec_dir.glob("*.jsonl")):
        out.extend(read_records(path))
    return out


class RecordWriter:
    """Appends records to ``records/<task>.jsonl``; knows which keys are done."""

    def __init__(self, run_dir: str | Path, task: str):
        self.path = Path(run_dir) / "records" / f"{task}.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_tail(self.path)
        self.done: set[tuple] = set()
        if self.path.exists():
            self.done = {r.key() for r in read_records(self.path)}

    def write(self, records: Iterable[Record]) -> int:
        n = 0
        with self.path.open("a", encoding="utf-8") as fh:
            for rec in records:
                if rec.key() in self.done:
                    continue
                fh.write(dumps_line(rec.to_dict()) + "\n")
                self.done.add(rec.key())
                n += 1
            fh.flush()
            os.fsync(fh.fileno())
        return n
