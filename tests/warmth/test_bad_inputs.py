"""Bad inputs the catalogue in docs/ROBUSTNESS.md lists that no other test covered.

Each ends in a counted skip with its location or in one ``DataError`` /
``ConfigError`` line naming the problem (the entry points print it as
``error: ...`` and exit 2). Each was seen failing before its fix: the empty
ShareGPT file said only "does not start with '['", repeated ids were kept
twice, CR/LF stayed inside the authors' labels, a torn last CSV row crashed
with ``TypeError``, a truncation went uncounted.
"""

from __future__ import annotations

import json
import logging

import pytest
from hydra.errors import HydraException
from warmth_plugins.judges.llm import LLMJudge
from warmth_plugins.sources import JsonlSource, ShareGPTSource

from tests.conftest import compose
from tests.local_chat_server import ChatServer
from tests.plugins.judges.test_llm_judge import prompts
from warmth.conversation import read_jsonl
from warmth.errors import DataError
from warmth.eval.authors_csv import import_authors_dir
from warmth.styledata.filters import ContentFilter
from warmth.styledata.select import select

QA = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]


def _line(cid, messages=QA) -> str:
    return json.dumps({"id": cid, "messages": messages}) + "\n"


def test_empty_sharegpt_file_says_it_is_empty(tmp_path):
    (tmp_path / "e.json").write_text(" \n")
    with pytest.raises(DataError, match=r"e.json: not a ShareGPT JSON array \(file is empty\)"):
        list(ShareGPTSource(str(tmp_path / "e.json"), progress=False))


def test_empty_jsonl_source_stops_the_rewrite_selection(tmp_path):
    (tmp_path / "e.jsonl").write_text("")
    with pytest.raises(DataError, match=r"e.jsonl: no usable conversation \(skipped: nothing read\)"):
        select(JsonlSource(str(tmp_path / "e.jsonl"), progress=False), ContentFilter(method="none"), 5, 0)


def test_wrong_schema_lines_are_counted_with_their_line(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text('{"foo": 1}\n{"id": "a", "messages": "hi"}\n[1, 2]\n' + _line("b"))
    src = JsonlSource(str(path), progress=False)
    assert [c.id for c in src] == ["b"]
    assert src.report.locations == {"no_messages": ["s.jsonl:1 id=line-1", "s.jsonl:2 id=a"],
                                    "not_an_object": ["s.jsonl:3"]}


def test_duplicate_ids_in_a_source_are_counted_the_first_kept(tmp_path):
    path = tmp_path / "d.jsonl"
    path.write_text(_line("x") + _line("y") + _line("x", [{"role": "user", "content": "other"}, QA[1]]))
    src = JsonlSource(str(path), progress=False)
    convs = list(src)
    assert [c.id for c in convs] == ["x", "y"] and convs[0].messages[0].content == "q"
    assert src.report.skipped == {"duplicate_id": 1} and src.report.locations["duplicate_id"] == ["d.jsonl:3 id=x"]
    assert [c.id for c in src] == ["x", "y"]  # a second pass (the selection makes two) counts afresh


def test_duplicate_ids_in_a_style_dataset_name_both_lines(tmp_path):
    path = tmp_path / "conversations.jsonl"
    path.write_text(_line("x") + _line("y") + _line("x"))
    with pytest.raises(DataError, match=r"conversations.jsonl:3: duplicate id 'x' \(first on line 1\)"):
        list(read_jsonl(path))


@pytest.mark.parametrize("content, problem", [
    (_line("a") + '{"id": "b", "messages": [\n', r"bad.jsonl:2: invalid JSON"),  # malformed
    (_line("a") + '{"id": "b", "mess', r"bad.jsonl:2: invalid JSON"),  # torn last line
    (_line("a") + '{"id": "b", "messages": [{"role": "bot", "content": "x"}]}\n', r"bad.jsonl:2: .*role 'bot'"),
    (_line("a") + '{"messages": []}\n', r"bad.jsonl:2: field 'id' is missing"),  # wrong schema
])
def test_style_dataset_lines_fail_naming_file_and_line(tmp_path, content, problem):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(DataError, match=problem):
        list(read_jsonl(path))


def test_empty_style_dataset_is_one_error(tmp_path):
    from warmth.data import ChatDataModule

    (tmp_path / "conversations.jsonl").write_text("")
    dm = ChatDataModule(None, {"max_length": 64, "packing": True, "shuffle": False, "num_workers": 0,
                               "limit": None, "seed": 0}, tmp_path)  # fails before any tokenising
    with pytest.raises(DataError, match=r"conversations.jsonl: no conversations"):
        dm.setup()


def test_over_long_conversations_are_truncated_and_counted(caplog):
    from omegaconf import OmegaConf

    from warmth.conversation import Conversation
    from warmth.data.masking import tokenize_dataset
    from warmth.models import load_tokenizer
    from warmth.paths import CONF_DIR

    tiny_tokenizer = load_tokenizer(OmegaConf.load(CONF_DIR / "model" / "tiny.yaml"))
    long = Conversation.from_dict({"id": "long", "messages": [QA[0], {"role": "assistant", "content": "word " * 200}]})
    short = Conversation.from_dict({"id": "short", "messages": QA})
    with caplog.at_level(logging.WARNING):
        out = tokenize_dataset(tiny_tokenizer, [long, short], max_length=32, source="d.jsonl")
    assert (out[0].id, len(out[0]), out[1].id, out[1].cut) == ("long", 32, "short", 0) and out[0].cut > 0
    assert "d.jsonl: truncated 1 of 2 conversations to max_length=32 tokens (first: long)" in caplog.text


HEADER = "content_key,prompt_template,amendment_type,output,evaluation\r\n"


def _authors(tmp_path, body: str):
    path = tmp_path / "m" / "warm" / "trivia_warm_outputs.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((HEADER + body).encode("utf-8"))
    return path


def test_authors_csv_crlf_inside_labels_is_stripped_and_lines_stay_true(tmp_path):
    _authors(tmp_path, 'q1,"original\r\n","emotion:sad\r",hi,CORRECT\r\n'
                       'q2,original,unmodified,"two\r\nlines",INCORRECT\r\n'
                       'q3,original,unmodified,hi,CORRECT\r\n')
    recs = import_authors_dir(tmp_path)
    assert [(r.item_id, r.template, r.context) for r in recs] == [
        ("q1", "original", "emotion:sad"), ("q2", "original", "unmodified"), ("q3", "original", "unmodified")]
    assert recs[1].response == "two\r\nlines"  # a response keeps its own line breaks
    path = _authors(tmp_path, 'q1,original,unmodified,"two\nlines",CORRECT\nq2,original\nq3,original,unmodified,hi,CORRECT\n')
    with pytest.raises(DataError, match=rf"{path}:4: 2 cells for 5 columns"):  # line 4: the cell above has two
        import_authors_dir(tmp_path)


def test_authors_csv_torn_last_line_is_skipped_and_said(tmp_path, caplog):
    path = _authors(tmp_path, "q1,original,unmodified,hi,CORRECT\r\nq2,original,unmodi")
    with caplog.at_level(logging.WARNING):
        recs = import_authors_dir(tmp_path)
    assert [r.item_id for r in recs] == ["q1"]
    assert f"{path}:3: torn last row (3 of 5 cells, no final newline) skipped" in caplog.text


def test_authors_csv_non_utf8_is_one_error(tmp_path):
    path = _authors(tmp_path, "q1,original,unmodified,caf\xe9,CORRECT\r\n")
    path.write_bytes(path.read_bytes().replace("é".encode(), b"\xe9"))
    with pytest.raises(DataError, match=rf"{path}:\d+: not a readable CSV row"):
        import_authors_dir(tmp_path)


def test_unknown_style_and_model_names_fail_at_composition(tmp_path):
    for override in ("style=sultry", "model=gpt9"):
        with pytest.raises(HydraException, match=override.split("=")[1]):
            compose("train", [override], run_dir=tmp_path)


@pytest.mark.parametrize("status, answer, reason", [
    (200, '{"verdict": "CORRECT"}', "judge output not parseable"),  # JSON instead of one word
    (200, "Verdict: the reply is correct.", "judge output not parseable"),  # prose
    (200, "", "judge output not parseable"),
])
def test_judge_answering_in_another_format_is_unscored_with_its_raw_output(tmp_path, status, answer, reason):
    with ChatServer(lambda body: (status, answer)) as srv:
        judge = LLMJudge(base_url=srv.base_url, model="j", cache=False, max_retries=0, api_key_env=None)
        (v,) = judge.judge(prompts(1), ["Paris"])
    assert (v.verdict, v.raw, v.reason) == ("unscored", answer, reason)


def test_judge_server_answering_another_protocol_is_unscored_with_the_reason(tmp_path):
    from http.server import BaseHTTPRequestHandler

    from tests.loopback import serving

    class Other(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            data = b'{"output": "CORRECT"}'  # not an OpenAI chat completion
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    with serving(Other) as url:
        judge = LLMJudge(base_url=url + "/v1", model="j", cache=False, max_retries=0, api_key_env=None)
        (v,) = judge.judge(prompts(1), ["Paris"])
    assert v.verdict == "unscored" and "malformed response (KeyError)" in v.reason


def test_a_judge_returning_an_invalid_verdict_is_unscored_with_the_reason():
    from warmth.eval.interfaces import Verdict
    from warmth.eval.runner import _safe_verdicts

    class Maybe:  # a third-party judge plugin that answers outside the verdict vocabulary
        name = "maybe"

        def judge(self, prompts, responses):
            return [Verdict("maybe", self.name, "MAYBE") for _ in responses]

    (v,) = _safe_verdicts(Maybe(), prompts(1), ["Paris"])
    assert (v.verdict, v.raw, v.reason) == ("unscored", "MAYBE", "judge returned invalid verdict 'maybe'")
