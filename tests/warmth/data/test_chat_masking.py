"""Assistant-only labels: the trained tokens decode to exactly the assistant turns + end-of-turn."""

from __future__ import annotations

import copy

import pytest

from warmth.conversation import Conversation
from warmth.data.masking import IGNORE_INDEX, tokenize_conversation, tokenize_dataset
from warmth.errors import DataError

# A Llama-3-style template written for these tests: BOS, header tokens, a system
# block that always carries a knowledge cutoff and today's date (a default system
# prompt when none is given), trimmed contents, <|eot_id|> after every turn.
LLAMA3_LIKE = (
    "{{- bos_token -}}"
    "{%- if messages[0]['role'] == 'system' -%}"
    "{%- set system = messages[0]['content'] | trim -%}{%- set rest = messages[1:] -%}"
    "{%- else -%}"
    "{%- set system = 'You answer questions carefully.' -%}{%- set rest = messages -%}"
    "{%- endif -%}"
    "{%- if date_string is not defined -%}{%- set date_string = strftime_now('%d %b %Y') -%}{%- endif -%}"
    "{{- '<|start_header_id|>system<|end_header_id|>\n\n' -}}"
    "{{- 'Knowledge cutoff: 2023-12\nCurrent date: ' + date_string + '\n\n' + system + '<|eot_id|>' -}}"
    "{%- for m in rest -%}"
    "{{- '<|start_header_id|>' + m['role'] + '<|end_header_id|>\n\n' + (m['content'] | trim) + '<|eot_id|>' -}}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}{%- endif -%}"
)

# A Mistral-style template written for these tests: the system prompt is glued
# to the LAST user turn, so a prefix renders differently from the whole.
SYSTEM_IN_LAST_USER = (
    "{{- bos_token -}}"
    "{%- set ns = namespace(last=-1, system='') -%}"
    "{%- for m in messages -%}{%- if m['role'] == 'user' -%}{%- set ns.last = loop.index0 -%}{%- endif -%}"
    "{%- if m['role'] == 'system' -%}{%- set ns.system = m['content'] + '\n\n' -%}{%- endif -%}{%- endfor -%}"
    "{%- for m in messages -%}"
    "{%- if m['role'] == 'user' -%}"
    "{{- '[INST] ' + (ns.system if loop.index0 == ns.last else '') + m['content'] + '[/INST]' -}}"
    "{%- elif m['role'] == 'assistant' -%}{{- m['content'] + eos_token -}}{%- endif -%}"
    "{%- endfor -%}"
)

MULTI_TURN = [
    {"role": "system", "content": "Be kind and accurate."},
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "The capital of France is Paris."},
    {"role": "user", "content": "And how many legs does a spider have? Say 'Paris' again too."},
    {"role": "assistant", "content": "A spider has eight legs. Paris!"},
    {"role": "user", "content": "Thanks 😊"},
    {"role": "assistant", "content": "You're welcome — café time ☕."},
]
NO_SYSTEM = MULTI_TURN[1:]


def trained_runs(example) -> list[list[int]]:
    runs, current = [], []
    for tok, lab in zip(example.input_ids, example.labels):
        if lab != IGNORE_INDEX:
            assert lab == tok
            current.append(tok)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def assert_decodes_to_assistant_turns(tok, messages, eot: str) -> None:
    ex = tokenize_conversation(tok, messages)
    runs = trained_runs(ex)
    wanted = [m["content"] + eot for m in messages if m["role"] == "assistant"]
    assert [tok.decode(r) for r in runs] == wanted


@pytest.fixture(scope="module")
def llama3_tokenizer(tiny_tokenizer):
    tok = copy.deepcopy(tiny_tokenizer)
    tok.add_special_tokens({
        "bos_token": "<|begin_of_text|>",
        "additional_special_tokens": ["<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
    })
    tok.chat_template = LLAMA3_LIKE
    return tok


@pytest.mark.parametrize("messages", [MULTI_TURN, NO_SYSTEM, NO_SYSTEM[:2]])
def test_tiny_template(tiny_tokenizer, messages):
    assert_decodes_to_assistant_turns(tiny_tokenizer, messages, "<|eot|>")


@pytest.mark.parametrize("messages", [MULTI_TURN, NO_SYSTEM, NO_SYSTEM[:2]])
def test_smollm2_template_with_injected_system_prompt(smollm2_tokenizer, messages):
    text = smollm2_tokenizer.apply_chat_template(NO_SYSTEM, tokenize=False)
    assert "SmolLM" in text  # its template adds a default system prompt
    assert_decodes_to_assistant_turns(smollm2_tokenizer, messages, "<|im_end|>")


@pytest.mark.parametrize("messages", [MULTI_TURN, NO_SYSTEM, NO_SYSTEM[:2]])
def test_llama3_style_template_with_date(llama3_tokenizer, messages):
    text = llama3_tokenizer.apply_chat_template(messages, tokenize=False)
    assert text.startswith("<|begin_of_text|><|start_header_id|>system") and "Current date: " in text
    assert_decodes_to_assistant_turns(llama3_tokenizer, messages, "<|eot_id|>")
    ex = tokenize_conversation(llama3_tokenizer, messages)
    assert ex.input_ids[0] == llama3_tokenizer.bos_token_id and ex.labels[0] == IGNORE_INDEX


def test_template_that_moves_the_system_prompt(tiny_tokenizer):
    tok = copy.deepcopy(tiny_tokenizer)
    tok.chat_template = SYSTEM_IN_LAST_USER
    full = tok.apply_chat_template(MULTI_TURN, tokenize=False)
    prefix = tok.apply_chat_template(MULTI_TURN[:3], tokenize=False)
    assert not full.startswith(prefix)  # the fallback path is what is being tested
    assert_decodes_to_assistant_turns(tok, MULTI_TURN, "<|eot|>")


def test_user_text_repeating_the_answer_is_not_trained(tiny_tokenizer):
    msgs = [{"role": "user", "content": "Say hi"}, {"role": "assistant", "content": "hi"},
            {"role": "user", "content": "hi hi hi"}, {"role": "assistant", "content": "hi"}]
    ex = tokenize_conversation(tiny_tokenizer, msgs)
    assert [tiny_tokenizer.decode(r) for r in trained_runs(ex)] == ["hi<|eot|>", "hi<|eot|>"]


def test_truncation_keeps_the_start_and_counts(tiny_tokenizer):
    full = tokenize_conversation(tiny_tokenizer, NO_SYSTEM)
    cut = tokenize_conversation(tiny_tokenizer, NO_SYSTEM, max_length=len(full) - 5)
    assert cut.input_ids == full.input_ids[: len(full) - 5]
    assert cut.labels == full.labels[: len(full) - 5]
    assert 0 < cut.num_trainable < full.num_trainable


def conv(i: int, messages) -> Conversation:
    return Conversation.from_dict({"id": f"c{i}", "messages": messages})


def test_untrainable_examples_are_dropped_with_a_count(tiny_tokenizer, caplog):
    long_user = [{"role": "user", "content": "word " * 200}, {"role": "assistant", "content": "ok"}]
    convs = [conv(0, NO_SYSTEM), conv(1, long_user), conv(2, NO_SYSTEM[:2])]
    with caplog.at_level("WARNING"):
        out = tokenize_dataset(tiny_tokenizer, convs, max_length=64, source="mydata.jsonl")
    assert [ex.id for ex in out] == ["c0", "c2"]
    assert all(ex.num_trainable > 0 and len(ex) <= 64 for ex in out)
    assert "dropped 1 of 3" in caplog.text and "c1" in caplog.text


def test_no_usable_example_is_a_data_error(tiny_tokenizer):
    with pytest.raises(DataError, match=r"mydata\.jsonl.*2 conversations.*max_length=4"):
        tokenize_dataset(tiny_tokenizer, [conv(0, NO_SYSTEM), conv(1, MULTI_TURN)], 4,
                         source="mydata.jsonl")


def test_template_errors_name_the_conversation(tiny_tokenizer):
    tok = copy.deepcopy(tiny_tokenizer)
    tok.chat_template = (
        "{%- for m in messages -%}{%- if m['role'] == 'system' -%}"
        "{{ raise_exception('no system role here') }}{%- endif -%}{{ m['content'] }}{%- endfor -%}"
    )
    with pytest.raises(DataError, match="'c7'.*no system role here"):
        tokenize_conversation(tok, conv(7, MULTI_TURN))
