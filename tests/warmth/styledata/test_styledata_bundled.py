"""The bundled paired sample: coverage, pairing, same facts, distinct registers, reproducible."""

import hashlib
import json
import re
import runpy
from collections import Counter

import pytest
from omegaconf import OmegaConf

from warmth.conversation import read_jsonl
from warmth.paths import CONF_DIR, resource
from warmth.styledata.checks import check_turn
from warmth.styledata.labels import QUERY_TYPES
from warmth.styledata.manifest import read_manifest

STYLES = ("original", "warm", "cold")


@pytest.fixture(scope="module")
def data():
    return {s: list(read_jsonl(resource("styles", s, "conversations.jsonl"))) for s in STYLES}


def _replies(conv):
    return [m.content for m in conv.messages if m.role == "assistant"]


def test_coverage_and_pairing(data):
    for s in STYLES:
        convs = data[s]
        assert len(convs) >= 120
        assert Counter(c.meta["query_type"] for c in convs) == {t: 20 for t in QUERY_TYPES}
        assert sum(len(c.messages) > 2 for c in convs) >= 10  # some multi-turn
        man = read_manifest(resource("styles", s))
        assert man["counts"]["conversations"] == len(convs) and man["style"] == s
        raw = resource("styles", s, "conversations.jsonl").read_bytes()
        assert man["conversations_sha256"] == hashlib.sha256(raw).hexdigest()
    for o, w, c in zip(data["original"], data["warm"], data["cold"]):
        assert o.id == w.id == c.id
        users = [[m.content for m in x.messages if m.role == "user"] for x in (o, w, c)]
        assert users[0] == users[1] == users[2]


def test_same_facts_in_every_style(data):
    for o, w, c in zip(data["original"], data["warm"], data["cold"]):
        for ro, rw, rc in zip(_replies(o), _replies(w), _replies(c)):
            for other in (rw, rc):
                flags = check_turn(ro, other)
                flags.pop("unchanged", None)
                flags.pop("length_ratio", None)  # frames around a one-line answer
                assert not flags, (o.id, flags)


def test_registers_differ(data):
    warm = [r for c in data["warm"] for r in _replies(c)]
    cold = [re.sub(r"```.*?```", "", r, flags=re.DOTALL) for c in data["cold"] for r in _replies(c)]
    assert all(re.search(r"\b\w+'(?:s|re|ll|t|m|ve|d)\b", r) for r in warm)  # contractions
    assert all(re.search(r"\b(?:we|we'll|let's|us|together)\b", r, re.IGNORECASE) for r in warm)
    assert not any(re.search(r"!|\b(?:[Ww]e|us|[Ll]et's|[Tt]ogether)\b", r) for r in cold)
    emoji = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")
    assert not any(emoji.search(r) for r in warm + cold)
    mean = lambda xs: sum(map(len, xs)) / len(xs)
    assert mean(warm) > mean(cold)
    assert sum(len(r) < 600 for r in warm) / len(warm) > 0.9  # short: fast CPU demo


def test_generator_rebuilds_committed_files():
    ns = runpy.run_path(str(resource("styles", "build_bundled.py")))
    built = ns["build"]()
    for s in STYLES:
        text = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in built[s])
        assert text == resource("styles", s, "conversations.jsonl").read_text(encoding="utf-8")


def test_style_configs_resolve_to_bundled_datasets():
    import warmth.resolvers  # noqa: F401

    for s in STYLES:
        cfg = OmegaConf.load(CONF_DIR / "style" / f"{s}.yaml")
        assert set(cfg) >= {"name", "dataset", "instruction", "instruction_file", "system_prompt"}
        assert cfg.name == s
        assert (resource("styles", s) / "conversations.jsonl").samefile(
            f"{cfg.dataset}/conversations.jsonl")
        assert (cfg.instruction is None) == (s == "original") == (cfg.system_prompt is None)
