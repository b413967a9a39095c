"""W&B input read by the real ``wandb`` client from a real W&B server on loopback.

Runs carry their records as files ``records/<task>.jsonl``; the server
(:mod:`tests.wandb_server`) matches the filters itself, so these tests see
what a networked user would: which runs a query selects, which files are
fetched, and the one error a bad key, a dead server or a record-less project
gives. Each client is a fresh process (wandb keeps settings per process);
they run side by side, each against its own server, to keep the file short:
``python -m warmth.report`` alone spends ~9 s importing.
"""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.wandb_server import FakeRun, finish_client, start_client, wandb_server
from warmth.records import read_run

from .conftest import build_synthetic_runs, make_records, warmth_records, write_run

# Reads each (path, filters) query with records_from_wandb; prints the outcomes as one JSON list.
CLIENT = """
import json, sys
from warmth.errors import DataError
from warmth.report.wandb_input import records_from_wandb
out = []
for path, filters in json.loads(sys.argv[1]):
    try:
        out.append({"records": [r.to_dict() for r in records_from_wandb(path, filters)]})
    except DataError as exc:
        out.append({"error": str(exc)})
print(json.dumps({"outcomes": out, "wandb_imported_here": "wandb" in sys.modules}))
"""

QUERIES = {  # name: (path, filters), read in this order by one client process
    "sweep": ("lab/warmth", {"group": "sweep-1"}),
    "warm_final": ("lab/warmth", {"$and": [{"config.style.name": "warm"}, {"tags": "final"}]}),
    "final": ("lab/warmth", {"tags": "final"}),
    "bare": ("lab/warmth", {"display_name": "bare"}),
    "none": ("lab/warmth", {"group": "sweep-9"}),
    # After "sweep" read lab/warmth's r-warm: a run of the same id elsewhere, without records.
    "same_id": ("lab/scratch", {"group": "sweep-1"}),
}


def _outcomes(proc: subprocess.Popen, timeout: int = 300) -> list[dict]:
    """The client's outcomes, once it has exited.

    wandb stops its service at exit and, after a timed-out request, sometimes waits forever (the dead-server
    client hung CI this way), so the client must never import wandb itself: the reads run in a child
    (``warmth.report.wandb_child``). Seen red with ``records_from_wandb`` calling ``_fetch`` in-process."""
    done = finish_client(proc, timeout)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["wandb_imported_here"] is False
    return got["outcomes"]


def _rows(records) -> list[str]:
    """Records as comparable, order-free rows."""
    return sorted(json.dumps(r if isinstance(r, dict) else r.to_dict(), sort_keys=True) for r in records)


def _calls(calls: list[tuple[str, dict]], op: str) -> list[dict]:
    return [v for o, v in calls if o == op]


def _project(runs: dict[str, Path]) -> list[FakeRun]:
    return [
        FakeRun("r-warm", "warm-2", group="sweep-1", config={"style": {"name": "warm"}}, tags=["final"],
                files=runs["warm"]),
        FakeRun("r-orig", "orig-0", group="sweep-1", config={"style": {"name": "original"}}, files=runs["orig"]),
        FakeRun("r-bare", "bare", group="sweep-1", config={"style": {"name": "warm"}}, files=runs["bare"]),
        FakeRun("r-other", "cold-2", group="sweep-2", config={"style": {"name": "cold"}}, tags=["final"],
                files=runs["other"]),
    ]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Path]:
    """Run folders: three with records, one with only a log file."""
    root = tmp_path_factory.mktemp("wandb_runs")
    kw = {"n_items": 3, "contexts": ["unmodified"]}
    folders = {
        "warm": write_run(root, "warm", make_records("m1", "warm", 2.0, seed=1, **kw)
                          + warmth_records("m1", "warm", 2.0, 0.03, n=3)),
        "orig": write_run(root, "orig", make_records("m1", "original", 0.0, seed=2, **kw)),
        "other": write_run(root, "other", make_records("m2", "cold", 2.0, seed=3, **kw)),
        "bare": root / "bare",
    }
    folders["bare"].mkdir()
    (folders["bare"] / "output.log").write_text("evaluation crashed before writing records\n")
    return folders


@pytest.fixture(scope="module")
def report_cli(tmp_path_factory):
    """``python -m warmth.report`` on four served runs of sweep-1 (and a decoy of sweep-2), started
    before the other clients so its imports overlap them; call the yielded function to wait for it."""
    root = tmp_path_factory.mktemp("cli")
    folders = [Path(p) for p in build_synthetic_runs(root / "runs")]
    decoy = write_run(root / "runs", "decoy", make_records("decoy", "warm", 2.0, n_items=3))
    served = [FakeRun(f"r{i}", p.name, group="sweep-1", files=p) for i, p in enumerate(folders)]
    served.append(FakeRun("r-decoy", "decoy", group="sweep-2", files=decoy))
    out = root / "report"
    with wandb_server({"lab/warmth": served}) as srv:
        # `+`: Hydra refuses new keys in the (empty) filters node without it, and says so.
        proc = start_client(srv.url, root, "-m", "warmth.report", "inputs=[wandb:lab/warmth]", f"out={out}",
                            "mixed=false", "wandb.enabled=false", "wandb.filters={group: sweep-1}")
        yield lambda: SimpleNamespace(proc=finish_client(proc, timeout=300), srv=srv, folders=folders, out=out)


@pytest.fixture(scope="module")
def served(runs, report_cli, tmp_path_factory) -> SimpleNamespace:
    """Each query's outcome with the GraphQL calls it made; a bad key's and a dead server's outcome."""
    home = tmp_path_factory.mktemp("home")
    projects = {"lab/warmth": _project(runs), "lab/scratch": [FakeRun("r-warm", group="sweep-1", files=runs["bare"])]}
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    query = json.dumps([("lab/warmth", {})])
    with wandb_server(projects) as srv, wandb_server(projects) as guarded:
        procs = [start_client(srv.url, home, "-c", CLIENT, json.dumps(list(QUERIES.values()))),
                 start_client(guarded.url, home / "bad-key", "-c", CLIENT, query, api_key="0" * 40),
                 # The client retries until its HTTP timeout (19 s by default); 1 s keeps the test short.
                 start_client(dead, home / "dead", "-c", CLIENT, query, env={"WANDB_HTTP_TIMEOUT": "1"})]
        results, (bad_key,), (down,) = (_outcomes(p) for p in procs)
    assert srv.unknown == [] and guarded.unknown == []
    per_query: list[list[tuple[str, dict]]] = []
    for op, variables in srv.calls:  # each records_from_wandb call starts with wandb.Api()'s key check
        if op == "Viewer":
            per_query.append([])
        per_query[-1].append((op, variables))
    assert len(per_query) == len(QUERIES)
    return SimpleNamespace(query=dict(zip(QUERIES, zip(results, per_query, strict=True), strict=True)),
                           downloads=srv.downloads, bad_key=bad_key, bad_key_calls=guarded.calls, down=down)


def test_records_of_the_matched_runs(served, runs):
    got, calls = served.query["sweep"]
    assert _rows(got["records"]) == _rows(read_run(runs["warm"]) + read_run(runs["orig"]))
    # The filters reached the server as given; only the matched runs were looked into.
    (variables,) = _calls(calls, "Runs")
    assert (variables["entity"], variables["project"]) == ("lab", "warmth")
    assert json.loads(variables["filters"]) == {"group": "sweep-1"}
    assert [v["name"] for v in _calls(calls, "RunFiles")] == ["r-warm", "r-orig", "r-bare"]
    # The run without record files was also checked for a records artifact, then skipped.
    assert [v["run"] for v in _calls(calls, "RunOutputArtifacts")] == ["r-bare"]
    # Only record files were ever downloaded (r-bare's log never was).
    assert served.downloads and not [d for d in served.downloads if "/records/" not in d]
    assert {d for d in served.downloads if d.startswith("lab/warmth/r-warm/")} == {
        f"lab/warmth/r-warm/records/{p.name}" for p in (runs["warm"] / "records").glob("*.jsonl")}


def test_config_and_tag_filters_select_runs(served, runs):
    warm, calls = served.query["warm_final"]
    assert [json.loads(v["filters"]) for v in _calls(calls, "Runs")] == [QUERIES["warm_final"][1]]
    assert _rows(warm["records"]) == _rows(read_run(runs["warm"]))
    final, _ = served.query["final"]
    assert _rows(final["records"]) == _rows(read_run(runs["warm"]) + read_run(runs["other"]))


def test_runs_without_records_are_one_error(served):
    assert served.query["bare"][0] == {
        "error": "wandb:lab/warmth: 1 runs matched {'display_name': 'bare'} but none carry records"}
    assert served.query["none"][0]["error"].startswith("wandb:lab/warmth: 0 runs matched {'group': 'sweep-9'}")


def test_same_run_id_in_another_project_gets_its_own_records(served):
    """Run ids are unique within a project only: lab/scratch's r-warm must not reuse lab/warmth's files."""
    assert served.query["same_id"][0] == {
        "error": "wandb:lab/scratch: 1 runs matched {'group': 'sweep-1'} but none carry records"}


def test_bad_key_and_unreachable_server_are_one_error(served):
    assert [op for op, _ in served.bad_key_calls] == ["Viewer"]
    assert served.bad_key["error"].startswith("wandb:lab/warmth: cannot list runs (AuthenticationError")
    assert "invalid API key" in served.bad_key["error"]
    assert served.down["error"].startswith("wandb:lab/warmth: cannot list runs (")


def test_report_cli_builds_from_wandb_runs(report_cli):
    cli = report_cli()
    assert cli.proc.returncode == 0, cli.proc.stderr[-3000:]
    assert cli.srv.unknown == []
    assert [json.loads(v["filters"]) for op, v in cli.srv.calls if op == "Runs"] == [{"group": "sweep-1"}]
    n = sum(len(read_run(p)) for p in cli.folders)
    html = (cli.out / "index.html").read_text()
    assert f"W&amp;B runs: wandb:lab/warmth ({n} records)" in html
    assert "decoy" not in html
    assert len(list((cli.out / "figures").glob("*.png"))) == 6
