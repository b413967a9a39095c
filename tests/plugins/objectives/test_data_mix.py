"""``data_mix``: how many corrective conversations join the style data, where, and under which ids."""

from __future__ import annotations

import itertools

import pytest
from warmth_plugins.objectives.data_mix import DataMix, interleave

from tests.conftest import compose
from warmth.conversation import read_jsonl
from warmth.data.datamodule import ChatDataModule, conversations_file
from warmth.errors import ConfigError
from warmth.models import load_tokenizer
from warmth.objectives import build_objective
from warmth.paths import resource

WARM = resource("styles", "warm")
MIX = resource("styles", "corrections_warm")


def _style() -> list:
    return list(read_jsonl(conversations_file(WARM)))


@pytest.mark.parametrize("ratio", [0.25, 0.5, 0.75])
def test_ratio_is_the_share_of_mixed_in_conversations(ratio: float) -> None:
    """With ratio r the mix is r of the training set; a pool smaller than asked for is cycled
    with distinct ids (checked by dropping the id suffix: the id assertion fails)."""
    style = _style()
    out = DataMix(str(MIX), ratio).training_conversations(style, seed=0)
    mixed = [c for c in out if c.id.startswith("corrections-")]
    assert len(mixed) / len(out) == pytest.approx(ratio, abs=0.01)
    assert [c for c in out if not c.id.startswith("corrections-")] == style  # style data kept, in order
    assert len({c.id for c in out}) == len(out)


def test_mix_is_spread_through_the_data_and_seeded() -> None:
    style = _style()
    a = DataMix(str(MIX), 0.25).training_conversations(style, seed=0)
    assert a == DataMix(str(MIX), 0.25).training_conversations(style, seed=0)
    assert a != DataMix(str(MIX), 0.25).training_conversations(style, seed=1)
    where = [i for i, c in enumerate(a) if c.id.startswith("corrections-")]
    gaps = {j - i for i, j in itertools.pairwise(where)}
    assert max(gaps) <= 5, f"mix bunched: gaps {sorted(gaps)}"  # 1 in 4 conversations
    assert interleave(list("abcd"), list("xy")) == list("abxcdy")


def test_ratio_zero_changes_nothing_and_bad_ratios_are_named() -> None:
    style = _style()
    assert DataMix(str(MIX), 0.0).training_conversations(style, seed=0) == style
    with pytest.raises(ConfigError, match="objective.ratio"):
        DataMix(str(MIX), 1.0)


def test_the_data_module_trains_on_the_mix() -> None:
    """Through the config and the real data module: objective=data_mix adds the conversations."""
    cfg = compose("train", ["model=tiny", "objective=data_mix", "objective.ratio=0.25", "data.packing=false"])
    objective = build_objective(cfg)
    assert objective.label == "data_mix-r0.25"
    tok = load_tokenizer(cfg.model)
    plain = ChatDataModule(tok, cfg.data, WARM)
    mixed = ChatDataModule(tok, cfg.data, WARM, conversations_hook=objective.training_conversations)
    assert mixed.num_training_examples == plain.num_training_examples + objective.mix_size(len(_style()))
