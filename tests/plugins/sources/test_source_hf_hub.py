"""``source=hf_datasets`` reads hub datasets through the real `datasets` client.

A real Hub (``tests/hub_server.py``) serves three dataset repos from local
folders: ShareGPT-style parquet (``id``, ``conversations`` of ``from``/``value``)
with a tag ``v1`` holding other rows, chat JSON lines (``messages`` of
``role``/``content``) with a ``train`` and a ``test`` split, and a parquet file
larger than one streaming block (5 MiB), which streaming can only read by HTTP
ranges. One client process with ``HF_ENDPOINT`` pointed there loads each with
``streaming`` on (the default) and off, as a networked user would.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.hub_server import Hub, commit_sha, serve_and_run

pytest.importorskip("datasets", reason="the datasets package is not installed")

SHAREGPT, CHAT, LONG = "warmth-tests/sharegpt-style", "warmth-tests/chat-messages", "warmth-tests/long-replies"
PARQUET = "data/train-00000-of-00001.parquet"
LONG_REPLY = "That sounds really hard, and I am glad you told me. " * 105_000  # ~5.5 MB: more than one block


def sharegpt(cid: str, *turns: tuple[str, str]) -> dict:
    return {"id": cid, "conversations": [{"from": f, "value": v} for f, v in turns]}


def chat(cid: str | None, *turns: tuple[str, str]) -> dict:
    return ({"id": cid} if cid else {}) | {"messages": [{"role": r, "content": c} for r, c in turns]}


SHAREGPT_ROWS = [
    sharegpt("s1", ("system", "Be kind."), ("human", "I failed my exam."), ("gpt", "I'm sorry, that stings.")),
    sharegpt("s2", ("human", "Capital of France?"), ("gpt", "Paris."), ("human", "And Italy?"), ("gpt", "Rome.")),
    sharegpt("s3", ("human", "Hi"), ("bing", "Hello")),  # unknown role
    sharegpt("s4", ("gpt", "Welcome!"), ("human", "Is 7 prime?"), ("gpt", "Yes."), ("human", "Thanks")),  # repaired
    sharegpt("s5", ("human", "Anyone there?"), ("gpt", "   ")),  # empty message
    sharegpt("s6", ("human", "Only a question")),  # no assistant turn
]
SHAREGPT_V1 = [sharegpt("v1-only", ("human", "Which tag is this?"), ("chatgpt", "v1."))]
CHAT_TRAIN = [
    chat("m1", ("user", "My dog died."), ("assistant", "I'm so sorry. Do you want to talk about her?")),
    chat(None, ("system", "Short answers."), ("user", "2+2?"), ("assistant", "4")),  # no id: row index
    chat("m3", ("user", "Hello?"), ("user", "Hello??"), ("assistant", "Hi.")),  # bad turn order
]
CHAT_TEST = [chat("t1", ("user", "Test split?"), ("assistant", "Yes, the test split."))]
LONG_ROWS = [sharegpt("big", ("human", "Can I vent?"), ("gpt", LONG_REPLY)),
             sharegpt("small", ("human", "Still there?"), ("gpt", "Always."))]


def _parquet(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # uncompressed and without column statistics, so the file really is larger than one block
    pq.write_table(pa.Table.from_pylist(rows), path, compression="none", write_statistics=False)


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def write_repos(root: Path) -> None:
    ds = root / "datasets"
    _parquet(ds / SHAREGPT / PARQUET, SHAREGPT_ROWS)  # no card: `data/train-*` is the train split
    _parquet(ds / f"{SHAREGPT}@v1" / PARQUET, SHAREGPT_V1)
    _jsonl(ds / CHAT / "train.jsonl", CHAT_TRAIN)
    _jsonl(ds / CHAT / "test.jsonl", CHAT_TEST)
    _parquet(ds / LONG / PARQUET, LONG_ROWS)
    assert (ds / LONG / PARQUET).stat().st_size > 5 * 2**20  # fsspec's default block


def short(text: str) -> str:
    """What the client reports for a message: the text, or for a long one its length and digest."""
    return text if len(text) <= 1000 else f"<{len(text)} chars, sha256 {hashlib.sha256(text.encode()).hexdigest()}>"


CLIENT = r"""
import hashlib, json, sys
from hydra.utils import instantiate
from omegaconf import OmegaConf
from warmth.errors import DataError
from warmth_plugins.sources import HFDatasetSource

def short(text):
    return text if len(text) <= 1000 else f"<{len(text)} chars, sha256 {hashlib.sha256(text.encode()).hexdigest()}>"

def load(src):
    convs = [{"id": c.id, "messages": [[m.role, short(m.content)] for m in c.messages]} for c in src]
    return {"convs": convs, "report": src.report.to_dict(), "describe": src.describe(),
            "streaming": src.streaming}

out = {}
for streaming in (True, False):
    s = "stream" if streaming else "download"
    out[f"sharegpt_{s}"] = load(HFDatasetSource(sys.argv[1], streaming=streaming, progress=False))
    out[f"sharegpt_v1_{s}"] = load(HFDatasetSource(sys.argv[1], streaming=streaming, revision="v1"))
    out[f"chat_{s}"] = load(HFDatasetSource(sys.argv[2], streaming=streaming))
    out[f"chat_test_{s}"] = load(HFDatasetSource(sys.argv[2], split="test", streaming=streaming))
    out[f"long_{s}"] = load(HFDatasetSource(sys.argv[3], streaming=streaming))
# as a run configures it: conf/source/hf_datasets.yaml with only the name set
cfg = OmegaConf.create({"progress": False, "source": OmegaConf.load("conf/source/hf_datasets.yaml")})
cfg.source.name = sys.argv[1]
out["configured"] = load(instantiate(cfg.source))
for key, kwargs in {"missing": {"name": "warmth-tests/no-such-dataset"},
                    "bad_revision": {"name": sys.argv[1], "revision": "no-such-tag"}}.items():
    try:
        list(HFDatasetSource(**kwargs))
    except DataError as exc:
        out[key] = str(exc)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> tuple[dict, Hub]:
    root = tmp_path_factory.mktemp("hub")
    write_repos(root)
    return serve_and_run(root, tmp_path_factory.mktemp("hf_home"), CLIENT, SHAREGPT, CHAT, LONG)


def expected(rows: list[dict]) -> list[dict]:
    """What ``to_conversation`` makes of the rows above that it keeps (worked out by hand)."""
    return [{"id": cid, "messages": [[r, short(t)] for r, t in msgs]} for cid, msgs in rows]


SHAREGPT_KEPT = expected([
    ("s1", [("system", "Be kind."), ("user", "I failed my exam."), ("assistant", "I'm sorry, that stings.")]),
    ("s2", [("user", "Capital of France?"), ("assistant", "Paris."), ("user", "And Italy?"), ("assistant", "Rome.")]),
    ("s4", [("user", "Is 7 prime?"), ("assistant", "Yes.")]),
])


def test_client_really_used_the_hub(loaded):
    _, hub = loaded
    for repo in (SHAREGPT, CHAT, LONG):
        assert hub.served(f"/datasets/{repo}/resolve/{commit_sha('main')}/", "GET"), f"{repo} never fetched"
    # every request was one this server implements (the harness registry is optional telemetry)
    assert [r for r in hub.unrouted if "/api/agent-harnesses" not in r] == []


@pytest.mark.parametrize("mode", ["stream", "download"])
def test_sharegpt_rows_become_conversations_and_are_counted(loaded, mode):
    out, _ = loaded
    got = out[f"sharegpt_{mode}"]
    assert got["streaming"] is (mode == "stream")
    assert got["convs"] == SHAREGPT_KEPT
    report = got["report"]
    assert (report["source"], report["read"], report["kept"]) == (f"hf:{SHAREGPT}/train", 6, 3)
    assert report["skipped"] == {"empty_message": 1, "no_assistant_turn": 1, "unknown_role": 1}
    assert report["repaired"] == {"leading_assistant_dropped": 1, "trailing_user_dropped": 1}
    assert report["locations"]["unknown_role"] == [f"hf:{SHAREGPT} row 2 id=s3 message 1 role='bing'"]
    assert got["describe"] | {"sha256": None} == {"loader": "hf_datasets", "name": SHAREGPT, "split": "train",
                                                  "config": None, "revision": None, "sha256": None}


def test_streaming_and_download_read_the_same_rows(loaded):
    out, _ = loaded
    for key in ("sharegpt", "sharegpt_v1", "chat", "chat_test", "long"):
        stream, download = out[f"{key}_stream"], out[f"{key}_download"]
        assert stream["convs"] == download["convs"] and stream["report"] == download["report"], key
        assert stream["describe"]["sha256"] == download["describe"]["sha256"], key  # digest of the raw rows


def test_messages_rows_and_split(loaded):
    out, _ = loaded
    for mode in ("stream", "download"):
        got = out[f"chat_{mode}"]
        assert got["convs"] == expected([
            ("m1", [("user", "My dog died."), ("assistant", "I'm so sorry. Do you want to talk about her?")]),
            ("row-1", [("system", "Short answers."), ("user", "2+2?"), ("assistant", "4")]),
        ])
        assert (got["report"]["read"], got["report"]["kept"], got["report"]["skipped"]) == (
            3, 2, {"bad_turn_order": 1})
        test = out[f"chat_test_{mode}"]
        assert test["convs"] == expected([("t1", [("user", "Test split?"), ("assistant", "Yes, the test split.")])])
        assert (test["report"]["source"], test["report"]["read"]) == (f"hf:{CHAT}/test", 1)


def test_revision_passes_through(loaded):
    out, hub = loaded
    for mode in ("stream", "download"):
        got = out[f"sharegpt_v1_{mode}"]
        assert got["convs"] == expected([("v1-only", [("user", "Which tag is this?"), ("assistant", "v1.")])])
        assert got["describe"]["revision"] == "v1"
    assert hub.served(f"/api/datasets/{SHAREGPT}/revision/v1", "GET")
    assert hub.served(f"/datasets/{SHAREGPT}/resolve/{commit_sha('v1')}/{PARQUET}", "GET")


def test_a_file_larger_than_a_block_streams_by_ranges(loaded):
    out, hub = loaded
    want = expected([("big", [("user", "Can I vent?"), ("assistant", LONG_REPLY)]),
                     ("small", [("user", "Still there?"), ("assistant", "Always.")])])
    assert out["long_stream"]["convs"] == want and out["long_download"]["convs"] == want
    ranged = [p for m, p, status in hub.requests if status == 206]
    assert f"/datasets/{LONG}/resolve/{commit_sha('main')}/{PARQUET}" in ranged


def test_the_shipped_config_streams_by_default(loaded):
    out, _ = loaded
    assert out["configured"]["streaming"] is True
    assert out["configured"]["convs"] == SHAREGPT_KEPT
    assert out["configured"]["report"] == out["sharegpt_stream"]["report"]


def test_missing_dataset_or_revision_is_one_data_error(loaded):
    out, hub = loaded
    assert out["missing"].startswith("source hf:warmth-tests/no-such-dataset split=train: cannot load (")
    assert any("warmth-tests/no-such-dataset" in r for r in hub.not_found())
    assert out["bad_revision"].startswith(f"source hf:{SHAREGPT} split=train: cannot load (")
    assert "no-such-tag" in out["bad_revision"]
