"""Saving the W&B Report (``python -m warmth.report.push``) to a real W&B server on loopback.

The spec is the one ``python -m warmth.report`` writes (built here from
synthetic runs with conf/report.yaml's settings, as ``publish`` does); the
real ``wandb_workspaces`` client saves it to :mod:`tests.wandb_server`, which
keeps what ``upsertView`` received. We decode that view's spec JSON, so these
tests see what W&B would store: where the Report went, its title, and the
panel grid's grouping and metrics. Each push is a fresh process against its
own server; they run side by side.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from omegaconf import OmegaConf

from tests.wandb_server import REPO_ROOT, FakeRun, finish_client, start_client, wandb_server
from warmth.report.build import build_report
from warmth.report.wandb_report import report_spec, spec_for, write_spec

from .conftest import build_synthetic_runs

PUSH = ("-m", "warmth.report.push")
# The same command, then whether it imported wandb itself (it must not: ``push`` saves from a child process).
PUSH_WATCHED = ("-c", ("import sys\nfrom warmth.report.push import main\nrc = main(sys.argv[1:])\n"
                       "print(f'wandb imported in the caller: {\"wandb\" in sys.modules}', file=sys.stderr)\n"
                       "sys.exit(rc)"))


def _spec(report, out_dir: Path, **wandb) -> tuple[dict, Path]:
    """The spec ``publish`` writes for ``report`` with conf/report.yaml's ``wandb`` settings (and overrides)."""
    w = OmegaConf.merge(OmegaConf.load(REPO_ROOT / "conf" / "report.yaml").wandb, wandb)
    spec = spec_for(report, w)
    out_dir.mkdir(parents=True, exist_ok=True)
    return spec, write_spec(spec, out_dir)


def _one_error_line(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stderr[-3000:]
    assert done.stdout == "" and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    return line


@pytest.fixture(scope="module")
def pushed(tmp_path_factory) -> SimpleNamespace:
    root = tmp_path_factory.mktemp("push")
    folders = [Path(p) for p in build_synthetic_runs(root / "runs")]
    served = [FakeRun(f"r{i}", p.name, files=p) for i, p in enumerate(folders)]
    early = write_spec(report_spec("warmth", "lab", "t", [], ["eval/sycophancy"]), root)
    with (wandb_server({"lab/warmth": served}) as guarded, wandb_server({"lab/other": served}) as elsewhere,
          wandb_server({"lab/warmth": served}) as lab, wandb_server({"tester/warmth": served}) as default):
        # These two need no built report: started first, their imports overlap the build.
        procs = {"bad_key": start_client(guarded.url, root / "bad-key", *PUSH, str(early), api_key="0" * 40),
                 "no_project": start_client(elsewhere.url, root / "no-project", *PUSH, str(early))}
        report = build_report([str(p) for p in folders], root / "report", mixed=False)
        spec, path = _spec(report, root / "lab", entity="lab")
        default_spec, default_path = _spec(report, root / "default")
        procs["lab"] = start_client(lab.url, root / "home", *PUSH_WATCHED, str(path))
        procs["default"] = start_client(default.url, root / "home-default", *PUSH, str(default_path))
        done = {name: finish_client(proc) for name, proc in procs.items()}
    return SimpleNamespace(done=done, spec=spec, default_spec=default_spec, figures=report.figures,
                           srv={"bad_key": guarded, "no_project": elsewhere, "lab": lab, "default": default})


def _grid(view: dict) -> dict:
    """The panel grid's metadata in a saved view's spec JSON."""
    (grid,) = [b for b in json.loads(view["spec"])["blocks"] if b["type"] == "panel-grid"]
    return grid["metadata"]


def _wire_key(key: str) -> dict:
    """How W&B names a run key in a grouping: ``config.model.name`` -> config's ``model.value.name``."""
    section, top, *rest = key.split(".")
    return {"section": section, "name": ".".join([top, "value", *rest])}


def test_report_saved_once_with_our_spec(pushed):
    """Also: the pushing process never imports wandb, whose exit hook can wait forever after a timed-out
    request (seen red with ``push`` saving in-process)."""
    done, srv, spec = pushed.done["lab"], pushed.srv["lab"], pushed.spec
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.strip().splitlines()[-1] == "wandb imported in the caller: False"
    assert srv.unknown == [] and srv.created == []
    (view,) = srv.views
    assert (view["entityName"], view["projectName"], view["type"], view["id"]) == ("lab", "warmth", "runs", "Vmlldzo1")
    assert view["displayName"] == spec["title"] == "warmth: accuracy and sycophancy after style fine-tuning"
    assert view["description"] == spec["description"]
    # The command prints where the Report lives on this server.
    title = spec["title"].replace(" ", "-")
    assert done.stdout.strip().splitlines()[-1] == f"{srv.url}/lab/warmth/reports/{title}--Vmlldzo1"

    blocks = json.loads(view["spec"])["blocks"]
    assert [b["children"][0]["text"] for b in blocks if b["type"] == "heading"] == [spec["title"]]
    (listed,) = [b for b in blocks if b["type"] == "list"]
    assert [item["children"][0]["children"][0]["text"] for item in listed["children"]] == spec["headline"]
    # warm and cold (from the synthetic runs): mean change and relative increase each; then warm vs cold
    assert len(spec["headline"]) == 5

    grid = _grid(view)
    (runset,) = grid["runSets"]
    assert runset["project"] == {"name": "warmth", "entityName": "lab", "id": "UHJvamVjdDox"}
    assert spec["groupby"] == ["config.model.name", "config.style.name"]
    assert runset["grouping"] == [_wire_key(k) for k in spec["groupby"]]
    panels = grid["panelBankSectionConfig"]["panels"]
    by_type = {}
    for panel in panels:
        by_type.setdefault(panel["viewType"], []).append(panel["config"])
    assert spec["metrics"] == ["eval/error_rate", "eval/sycophancy", "eval/warmth/mean", "train/loss"]
    assert [(c["metrics"], c["xAxis"]) for c in by_type["Run History Line Plot"]] == [
        ([m], "epoch") for m in spec["metrics"]]
    assert [c["metrics"] for c in by_type["Bar Chart"]] == [[m] for m in spec["metrics"]]
    (media,) = by_type["Media Browser"]
    assert sorted(media["mediaKeys"]) == sorted(f"figures/{f.name}" for f in pushed.figures)
    assert len(pushed.figures) == 6


def test_entity_null_saves_to_the_default_entity(pushed):
    """conf/report.yaml's ``entity: null``: the Report goes where the run went, the user's default entity."""
    done, srv = pushed.done["default"], pushed.srv["default"]
    assert pushed.default_spec["entity"] is None
    assert done.returncode == 0, done.stderr[-3000:]
    assert srv.unknown == [] and srv.created == []
    assert "GetDefaultEntity" in [op for op, _ in srv.calls]
    (view,) = srv.views
    assert (view["entityName"], view["projectName"]) == ("tester", "warmth")
    assert _grid(view)["runSets"][0]["project"]["entityName"] == "tester"
    assert f"{srv.url}/tester/warmth/reports/" in done.stdout


def test_bad_key_is_one_error(pushed):
    line = _one_error_line(pushed.done["bad_key"])
    assert line.startswith("error: could not save the W&B report (AuthenticationError")
    assert "invalid API key" in line
    srv = pushed.srv["bad_key"]
    assert srv.views == [] and {op for op, _ in srv.calls} == {"Viewer"}


def test_project_without_runs_is_one_error(pushed):
    """Pushing before ``wandb sync``: the runs' project is not on the server yet; nothing is saved or created."""
    line = _one_error_line(pushed.done["no_project"])
    assert line.startswith("error: could not save the W&B report (ValueError: Run set 'runs by model and style' "
                           "project 'lab/warmth' not found.")
    srv = pushed.srv["no_project"]
    assert srv.views == [] and srv.created == [] and srv.unknown == []
