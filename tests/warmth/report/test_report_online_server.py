"""``python -m warmth.report ... wandb.mode=online`` against a real W&B server on loopback.

The report is built from synthetic run folders on disk; ``publish`` then
logs it to a W&B run (``log_report``: figures as images, tables as
``wandb.Table`` s, headline and AMEs in the summary) and saves the W&B Report
(``wandb_report.push``), all through the real ``wandb`` and
``wandb_workspaces`` clients talking to :mod:`tests.wandb_server`. We compare
what the server received with what the command wrote to ``out/``. A second
server refuses the Report's save (403 on ``upsertView``): the command must
still exit 0 with its HTML report, print one line saying so with the retry
command, and that retry, once the server accepts, saves the Report. The two
commands run side by side, each against its own server (each spends ~9 s
importing).
"""

from __future__ import annotations

import csv
import json
import re
import subprocess
from html import escape
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.wandb_server import finish_client, start_client, wandb_server
from warmth.records import read_run

from .conftest import build_synthetic_runs

REFUSAL = "permission denied: cannot save reports in lab/warmth"
ONLINE = ["mixed=false", "wandb.mode=online", "wandb.entity=lab", "wandb.project=warmth"]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("online")
    folders = [Path(p) for p in build_synthetic_runs(root / "runs")]
    inputs = f"inputs=[{','.join(map(str, folders))}]"
    outs = {"saved": root / "saved", "refused": root / "refused"}
    with wandb_server() as saved, wandb_server(refuse={"upsertView": REFUSAL}) as refused:
        srv = {"saved": saved, "refused": refused}
        procs = {name: start_client(srv[name].url, root / f"home-{name}", "-m", "warmth.report", inputs,
                                    f"out={out}", *ONLINE) for name, out in outs.items()}
        done = {"refused": finish_client(procs["refused"], timeout=300)}
        refused_calls = [op for op, _ in refused.calls]
        # The retry the refusal line names, once the server accepts the save again.
        refused.refuse.clear()
        retry = start_client(refused.url, root / "home-retry", "-m", "warmth.report.push",
                             str(outs["refused"] / "wandb_report.json"))
        done["saved"] = finish_client(procs["saved"], timeout=300)
        done["retry"] = finish_client(retry)
    return SimpleNamespace(done=done, srv=srv, out=outs, folders=folders, refused_calls=refused_calls)


def _report_run(srv):
    (run,) = srv.runs["lab/warmth"]  # the report's own run: the inputs were run folders, not W&B runs
    return run


def _csv(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(newline="") as f:
        header, *rows = csv.reader(f)
    return header, rows


def _lines(done: subprocess.CompletedProcess, prefix: str) -> list[str]:
    return [x for x in done.stdout.splitlines() if x.startswith(prefix)]


@pytest.mark.parametrize("case", ["saved", "refused"])
def test_command_exits_cleanly_with_every_request_answered(published, case):
    done, srv, out = published.done[case], published.srv[case], published.out[case]
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert srv.unknown == []
    # wandb-core logs, rather than raises, what failed in the background (an upload, a reply it could not use).
    (internal,) = out.glob("wandb/run-*/logs/debug-internal.log")
    assert [x for x in internal.read_text().splitlines() if '"level":"ERROR"' in x] == []
    assert (out / "index.html").exists() and (out / "wandb_report.json").exists()
    assert len(list((out / "figures").glob("*.png"))) == 6


def test_report_run_is_logged_with_the_reports_sources(published):
    run = _report_run(published.srv["saved"])
    assert (run.name, run.tags, run.state) == ("report", ["report"], "finished")
    assert run.config["sources"] == [
        f"run: {p.name} ({len(recs)} records; judge: {', '.join(sorted({r.judge for r in recs}))})"
        for p in published.folders for recs in [read_run(p)]]


def test_figures_arrive_as_the_pngs_in_out(published):
    run, out = _report_run(published.srv["saved"]), published.out["saved"]
    pngs = sorted((out / "figures").glob("*.png"))
    html = (out / "index.html").read_text()
    assert sorted(k for k in run.summary if k.startswith("figures/")) == sorted(f"figures/{p.stem}" for p in pngs)
    for png in pngs:
        entry = run.summary[f"figures/{png.stem}"]
        assert entry["_type"] == "image-file" and entry["format"] == "png", png.name
        assert entry["caption"] and entry["caption"] in html, png.name  # the figure's title in the HTML report
        assert run.uploaded[entry["path"]] == png.read_bytes(), png.name


def test_tables_arrive_as_the_csvs_in_out(published):
    srv, out = published.srv["saved"], published.out["saved"]
    run = _report_run(srv)
    csvs = sorted((out / "tables").glob("*.csv"))
    assert {"headline", "paired_warm", "paired_cold", "regression_ames"} <= {p.stem for p in csvs}
    assert sorted(k for k in run.summary if k.startswith("tables/")) == sorted(f"tables/{p.stem}" for p in csvs)
    # Each table is also a committed run_table artifact holding the same cells.
    by_file = {name: a for a in srv.artifacts.values() for name in a["files"] if name.startswith("tables/")}
    assert sorted(by_file) == sorted(f"tables/{p.stem}.table.json" for p in csvs)
    for path in csvs:
        entry = run.summary[f"tables/{path.stem}"]
        assert entry["_type"] == "table-file", path.name
        table = json.loads(run.uploaded[entry["path"]])
        header, rows = _csv(path)
        assert table["columns"] == header, path.name
        assert table["data"] == rows, path.name  # read as text: the cells as the CSV holds them
        artifact = by_file[f"tables/{path.stem}.table.json"]
        assert (artifact["input"]["artifactTypeName"], artifact["state"]) == ("run_table", "COMMITTED")
        stored = json.loads(artifact["files"][f"tables/{path.stem}.table.json"])  # with column types added
        assert (stored["columns"], stored["data"]) == (header, rows), path.name


def test_headline_ames_and_warnings_reach_the_summary(published):
    run, out = _report_run(published.srv["saved"]), published.out["saved"]
    header, rows = _csv(out / "tables" / "headline.csv")
    headline = {f"headline/{r['condition']}/{r['dataset']}_error_change_pp": float(r["error_change_pp"])
                for r in (dict(zip(header, row, strict=True)) for row in rows)}
    assert len(headline) == 4  # warm and cold x disinfo and trivia
    assert {k: v for k, v in run.summary.items() if k.startswith("headline/")} == pytest.approx(headline)
    header, rows = _csv(out / "tables" / "regression_ames.csv")
    ames = {f"ame/{r['style']}/{r['model']}": float(r["glm_ame"])
            for r in (dict(zip(header, row, strict=True)) for row in rows) if r["level"] == "all" and r["glm_ame"]}
    assert ames and {k: v for k, v in run.summary.items() if k.startswith("ame/")} == pytest.approx(ames)
    assert run.summary["warnings"] == 0


def test_report_saved_once_pointing_at_the_project(published):
    done, srv, out = published.done["saved"], published.srv["saved"], published.out["saved"]
    spec = json.loads((out / "wandb_report.json").read_text())
    assert (spec["entity"], spec["project"]) == ("lab", "warmth")
    assert srv.created == []  # the report's run made lab/warmth before the save looked for it
    (view,) = srv.views
    assert [op for op, _ in srv.calls].count("upsertView") == 1
    assert (view["entityName"], view["projectName"], view["type"]) == ("lab", "warmth", "runs")
    assert view["displayName"] == spec["title"] == "warmth: accuracy and sycophancy after style fine-tuning"
    # The command prints where the Report lives on this server.
    url = f"{srv.url}/lab/warmth/reports/{spec['title'].replace(' ', '-')}--{view['id']}"
    assert _lines(done, "W&B report") == [f"W&B report: {url}"]

    blocks = json.loads(view["spec"])["blocks"]
    (listed,) = [b for b in blocks if b["type"] == "list"]
    items = [item["children"][0]["children"][0]["text"] for item in listed["children"]]
    # The headline the command printed and put in the HTML report.
    html = (out / "index.html").read_text()
    # warm, cold: mean change and relative increase each; then warm vs cold
    assert items == spec["headline"] and len(items) == 5
    assert all(line in done.stdout.splitlines() and escape(line, quote=False) in html for line in items)
    (grid,) = [b["metadata"] for b in blocks if b["type"] == "panel-grid"]
    (runset,) = grid["runSets"]
    assert runset["project"] == {"name": "warmth", "entityName": "lab", "id": "UHJvamVjdDox"}
    panels = grid["panelBankSectionConfig"]["panels"]
    (media,) = [p["config"] for p in panels if p["viewType"] == "Media Browser"]
    # The media browser shows the figures the run logged.
    run = _report_run(srv)
    assert sorted(media["mediaKeys"]) == sorted(k for k in run.summary if k.startswith("figures/"))
    assert [p["config"]["metrics"] for p in panels if p["viewType"] == "Run History Line Plot"] == [
        [m] for m in spec["metrics"]]


def test_refused_save_is_one_line_with_the_retry_command(published):
    done, srv, out = published.done["refused"], published.srv["refused"], published.out["refused"]
    spec_path = out / "wandb_report.json"
    (line,) = _lines(done, "W&B report")
    assert re.fullmatch(
        rf"W&B report not saved \(\w+: {re.escape(REFUSAL)}\); the report itself is in {re.escape(str(out))}; "
        rf"retry with `python -m warmth\.report\.push {re.escape(str(spec_path))}`", line), line
    assert "W&B report:" not in done.stdout
    # The run was logged before the save was tried; the save was tried once, not retried.
    assert _report_run(srv).state == "finished"
    assert published.refused_calls.count("upsertView") == 1


def test_retry_command_saves_the_report(published):
    done, srv = published.done["retry"], published.srv["refused"]
    assert done.returncode == 0, done.stderr[-3000:]
    (view,) = srv.views
    spec = json.loads((published.out["refused"] / "wandb_report.json").read_text())
    assert (view["entityName"], view["projectName"], view["displayName"]) == ("lab", "warmth", spec["title"])
    assert done.stdout.strip().splitlines()[-1].startswith(f"{srv.url}/lab/warmth/reports/")
