"""A real W&B server on 127.0.0.1, serving runs defined in Python, for tests.

Why: the project's rule is that paths talking to online services work for
users with a network and are tested against real local servers, not mocked
clients. No test machine reaches api.wandb.ai, so this speaks the part of the
W&B API that ``wandb.Api()`` (0.31: GraphQL sent by the ``wandb-core``
process) uses to read runs' files, that ``wandb_workspaces`` (0.4) uses
to save a Report, and that an online ``wandb.init()`` ... ``wandb.finish()``
uses to log a run, which the read API then serves. Point ``WANDB_BASE_URL`` at it with a
fake 40-character ``WANDB_API_KEY`` (:func:`run_client` does, in a fresh
process) and the real client code runs unchanged. Run metadata (config,
summary) is sent with the listing, so the client never asks for it apart.

Answered (found by logging what ``wandb.Api().runs(...)``, ``run.files()``,
``file.download()`` and ``run.logged_artifacts()`` send):

- ``POST /graphql`` operations ``Viewer`` (the key check ``wandb.Api()``
  makes first), ``GetDefaultEntity`` (asked even for ``entity/project``
  paths), ``Runs`` (a project's runs, one page, matched against the
  ``filters`` variable by :func:`matches`), ``RunFiles`` (a run's files, one
  page, ``url`` pointing back here), ``ServerFeaturesQuery`` (no features)
  and ``RunOutputArtifacts`` (none: ``logged_artifacts()``; artifacts logged
  here are kept, not listed);
- for a Report's ``save()`` (found by logging what it sends): ``ProjectInternalId``
  (a runset's project: one holding runs here, or created), ``GetProjects`` (an
  entity's projects), ``CreateProject`` (kept in :attr:`WandbServer.created`;
  sent when the Report's project is not listed) and ``upsertView`` (the Report:
  its variables, spec JSON included, kept in :attr:`WandbServer.views` with the
  id given it);
- for logging a run (found by logging what ``python -m warmth.train
  logger=wandb logger.mode=online`` sends): ``RunResumeStatus`` (a new run id
  only: resuming a run held here is refused), ``UpsertBucket`` (creates the
  run, "running", in ``runs``, or updates the display name, group, tags and
  config sent), ``OrganizationCoreWeaveOrganizationID`` (none),
  ``CreateRunFiles`` (upload URLs ``/upload/run/...``);
  for the artifact a logged ``wandb.Table`` becomes: ``ArtifactType`` (no
  such artifact yet), ``CreateArtifact``, ``CreateArtifactManifest`` and
  ``CreateArtifactFiles`` (upload URLs ``/upload/artifact/...``),
  ``CommitArtifact``; each kept in :attr:`WandbServer.artifacts`;
- ``POST /files/<entity>/<project>/<run>/file_stream``: history rows (kept in
  ``FakeRun.history``), the latest summary (``FakeRun.summary``), and
  ``complete`` marking the run finished (or failed, with a nonzero exit code);
  other streamed files (console output, system metrics) are dropped;
- ``PUT /upload/...``: a file's bytes, stored in its run's ``uploaded``
  (served like its ``files``) or its artifact; keyless, as signed URLs are;
- ``GET /files/<entity>/<project>/<run>/<name>``: a file's bytes;
- ``POST /sdk/otel/...``: the client's own telemetry, accepted and dropped.

A request without the server's key gets 401. An operation named in
:attr:`WandbServer.refuse` (``wandb_server(refuse={"upsertView": "..."})``)
gets 403 with the message given, as a server refusing a write does (e.g. no
permission to save Reports in a project); it is answered, so not unknown. Any
other operation, or a filter :func:`matches` cannot apply, gets 400 naming it
and is listed in :attr:`WandbServer.unknown`; every GraphQL call is
kept in :attr:`WandbServer.calls` as ``(operation, variables)``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import quote, unquote

from tests.loopback import serving

REPO_ROOT = Path(__file__).resolve().parents[1]
API_KEY = "fa4e" * 10  # what the server accepts; a client may send any other to get 401
DATE = "2024-01-01T00:00:00"


class GraphQLError(Exception):
    """An error reply: its HTTP status and message."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class FakeRun:
    """A run as the server shows it; ``files`` is a folder whose files (by relative path) the run carries,
    with ``uploaded`` ones (by name) besides; a logged run also has its streamed ``history``."""

    id: str
    name: str = ""
    group: str | None = None
    config: dict = field(default_factory=dict)
    summary: dict = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    files: Path | None = None
    uploaded: dict[str, bytes] = field(default_factory=dict)  # files PUT by a logging client, by name
    history: list[dict] = field(default_factory=list)  # rows the file stream sent
    state: str = "finished"  # a logged run is "running" until its file stream says it is complete

    def file_names(self) -> list[str]:
        names = set(self.uploaded)
        if self.files is not None:
            names |= {p.relative_to(self.files).as_posix() for p in self.files.rglob("*") if p.is_file()}
        return sorted(names)

    def read(self, name: str) -> bytes:
        if name in self.uploaded:
            return self.uploaded[name]
        return (self.files / name).read_bytes()

    def value_of(self, key: str):
        """What a filter key names: ``group``, ``tags``, ``name`` (the id), ``display_name``,
        ``config.a.b`` or ``summary_metrics.x`` (a trailing ``.value`` ignored)."""
        if key in ("group", "tags"):
            return getattr(self, key)
        if key in ("name", "display_name"):
            return {"name": self.id, "display_name": self.name}[key]
        head, _, rest = key.partition(".")
        if head not in ("config", "summary_metrics") or not rest:
            raise GraphQLError(400, f"filter key not served here: {key}")
        value = self.config if head == "config" else self.summary
        for part in rest.removesuffix(".value").split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value


def matches(run: FakeRun, filters: dict) -> bool:
    """MongoDB-style equality filters as W&B takes them: ``{key: value}``, ``$and``/``$or`` lists.

    A list field (``tags``) matches a value it contains. Other operators and
    keys are refused (400), so a test cannot pass on a filter never applied.
    """
    for key, want in filters.items():
        if key in ("$and", "$or"):
            hits = [matches(run, sub) for sub in want]
            if not (all(hits) if key == "$and" else any(hits)):
                return False
            continue
        if isinstance(want, dict):
            raise GraphQLError(400, f"filter operator not served here: {key}: {want}")
        have = run.value_of(key)
        if not (have == want or (isinstance(have, list) and want in have)):
            return False
    return True


@dataclass
class WandbServer:
    """A running server: ``url`` for ``WANDB_BASE_URL``; ``runs`` by ``"entity/project"``."""

    url: str
    runs: dict[str, list[FakeRun]] = field(default_factory=dict)
    calls: list[tuple[str, dict]] = field(default_factory=list)  # (operationName, variables) of each GraphQL call
    downloads: list[str] = field(default_factory=list)  # paths of files served
    unknown: list[str] = field(default_factory=list)  # requests nothing here answers
    created: list[str] = field(default_factory=list)  # "entity/project"s made by CreateProject
    views: list[dict] = field(default_factory=list)  # upsertView's variables (a Report's spec: JSON), id added
    artifacts: dict[str, dict] = field(default_factory=dict)  # by id: CreateArtifact's input, files PUT, state
    refuse: dict[str, str] = field(default_factory=dict)  # GraphQL operations answered 403 with this message

    def has_project(self, entity: str, project: str) -> bool:
        return f"{entity}/{project}" in {*self.runs, *self.created}

    def run(self, entity: str, project: str, run_id: str) -> FakeRun:
        for run in self.runs.get(f"{entity}/{project}", []):
            if run.id == run_id:
                return run
        raise GraphQLError(404, f"run {entity}/{project}/{run_id} not found")

    # -- GraphQL operations: variables -> the ``data`` object ----------------
    def op_Viewer(self, variables: dict) -> dict:
        return {"viewer": {"id": "VXNlcjox", "entity": "tester", "username": "tester",
                           "email": "tester@example.org", "flags": "{}", "teams": {"edges": []}}}

    def op_GetDefaultEntity(self, variables: dict) -> dict:
        return {"viewer": {"id": "VXNlcjox", "entity": "tester"}}

    def op_ServerFeaturesQuery(self, variables: dict) -> dict:
        return {"serverInfo": {"features": []}}  # no optional features: the client picks its plain queries

    def op_Runs(self, variables: dict) -> dict:
        path = f"{variables['entity']}/{variables['project']}"
        if path not in self.runs:
            return {"project": None}
        filters = json.loads(variables.get("filters") or "{}")
        try:
            runs = [r for r in self.runs[path] if matches(r, filters)]
        except GraphQLError as exc:
            self.unknown.append(f"Runs filters {exc}")
            raise
        edges = [{"node": self._run_node(r), "cursor": f"c{i}"} for i, r in enumerate(runs)]
        return {"project": {"internalId": "UHJvamVjdDox", "runCount": len(runs), "readOnly": False,
                            "runs": {"edges": edges, "pageInfo": {"endCursor": edges[-1]["cursor"] if edges else None,
                                                                  "hasNextPage": False}}}}

    def _run_node(self, run: FakeRun) -> dict:
        return {"id": _node_id(run), "projectId": "1", "name": run.id,
                "displayName": run.name or run.id, "tags": run.tags, "group": run.group, "state": run.state,
                "sweepName": None, "jobType": None, "commit": None, "readOnly": False, "createdAt": DATE,
                "heartbeatAt": DATE, "description": None, "notes": None, "historyLineCount": len(run.history),
                "user": {"name": "tester", "username": "tester"},
                "config": json.dumps(_wrap(run.config)),
                "summaryMetrics": json.dumps(run.summary), "systemMetrics": "{}"}

    def op_RunFiles(self, variables: dict) -> dict:
        entity, project = variables["entity"], variables["project"]
        run = self.run(entity, project, variables["name"])
        names = [n for n in run.file_names() if not variables.get("fileNames") or n in variables["fileNames"]]
        edges = []
        for i, name in enumerate(names):
            url = f"{self.url}/files/{quote(f'{entity}/{project}/{run.id}/{name}')}"
            size = len(run.read(name))
            edges.append({"node": {"id": f"F{i}", "name": name, "url": url, "directUrl": url, "sizeBytes": size,
                                   "mimetype": "application/octet-stream", "updatedAt": DATE, "md5": ""},
                          "cursor": f"f{i}"})
        return {"project": {"internalId": "UHJvamVjdDox", "run": {
            "fileCount": len(names),
            "files": {"edges": edges, "pageInfo": {"endCursor": edges[-1]["cursor"] if edges else None,
                                                   "hasNextPage": False}}}}}

    def op_RunOutputArtifacts(self, variables: dict) -> dict:
        self.run(variables["entity"], variables["project"], variables["run"])
        return {"project": {"run": {"artifacts": {
            "totalCount": 0, "edges": [], "pageInfo": {"endCursor": None, "hasNextPage": False}}}}}

    # -- saving a Report (wandb_workspaces' Report.save) ----------------------
    def op_ProjectInternalId(self, variables: dict) -> dict:
        found = self.has_project(variables["entityName"], variables["projectName"])
        return {"project": {"id": "UHJvamVjdDox", "internalId": "UHJvamVjdDox"} if found else None}

    def op_GetProjects(self, variables: dict) -> dict:
        names = sorted({p.split("/", 1)[1] for p in (*self.runs, *self.created)
                        if p.split("/", 1)[0] == variables["entity"]})
        user = {"id": "VXNlcjox", "name": "tester", "username": "tester", "email": "tester@example.org",
                "admin": False, "flags": "{}", "entity": "tester", "deletedAt": None, "apiKeys": {"edges": []},
                "teams": {"edges": []}}
        edges = [{"node": {"__typename": "Project", "id": f"P{i}", "name": n, "entityName": variables["entity"],
                           "createdAt": DATE, "isBenchmark": False, "user": user}} for i, n in enumerate(names)]
        return {"models": {"pageInfo": {"__typename": "PageInfo", "endCursor": None, "hasNextPage": False},
                           "edges": edges}}

    def op_CreateProject(self, variables: dict) -> dict:
        entity, name = variables["input"]["entityName"], variables["input"]["name"]
        self.created.append(f"{entity}/{name}")
        project = {"id": "UHJvamVjdDoy", "name": name, "entityName": entity, "description": None,
                   "access": "PRIVATE", "views": "{}"}
        return {"result": {"project": project, "model": project, "inserted": True}}

    def op_upsertView(self, variables: dict) -> dict:
        view = dict(variables, id=variables.get("id") or f"Vmlldzo{len(self.views) + 1}")
        self.views.append(view)
        return {"upsertView": {"inserted": True, "view": {
            "id": view["id"], "type": view["type"], "name": view["name"], "displayName": view["displayName"],
            "description": view["description"], "spec": view["spec"], "updatedAt": DATE,
            "project": {"id": "UHJvamVjdDox", "name": view["projectName"], "entityName": view["entityName"]}}}}

    # -- logging a run (wandb.init / log / save / finish) ----------------------
    def op_RunResumeStatus(self, variables: dict) -> dict:
        """A new run id: nothing to resume. Resuming a run held here is not served (400)."""
        entity, project, run_id = variables["entity"], variables["project"], variables["name"]
        if any(r.id == run_id for r in self.runs.get(f"{entity}/{project}", [])):
            self.unknown.append(f"resume {entity}/{project}/{run_id}")
            raise GraphQLError(400, f"resuming run {run_id} is not served here")
        return {"model": {"id": "UHJvamVjdDox", "name": project, "entity": {"id": "RW50aXR5OjE=", "name": entity},
                          "bucket": None}}

    def op_UpsertBucket(self, variables: dict) -> dict:
        """Create the run (``name`` is its id) or update the fields sent: display name, group, tags, config."""
        entity, project = variables["entity"], variables["project"]
        try:
            run, inserted = self.run(entity, project, variables["name"]), False
        except GraphQLError:
            run, inserted = FakeRun(variables["name"], state="running"), True
            self.runs.setdefault(f"{entity}/{project}", []).append(run)
        for var, attr in (("displayName", "name"), ("groupName", "group"), ("tags", "tags")):
            if variables.get(var) is not None:
                setattr(run, attr, variables[var])
        if variables.get("config"):
            run.config = {k: v.get("value") for k, v in json.loads(variables["config"]).items()}
        return {"upsertBucket": {"inserted": inserted, "bucket": {
            "id": _node_id(run), "name": run.id, "displayName": run.name, "description": None,
            "config": json.dumps(_wrap(run.config)), "sweepName": None, "historyLineCount": len(run.history),
            "project": {"id": "UHJvamVjdDox", "name": project, "entity": {"id": "RW50aXR5OjE=", "name": entity}}}}}

    def op_CreateRunFiles(self, variables: dict) -> dict:
        """Upload URLs: a PUT to one stores the file in the run."""
        entity, project = variables["entity"], variables["project"]
        run = self.run(entity, project, variables["run"])
        files = [{"name": n, "uploadUrl": f"{self.url}/upload/run/{quote(f'{entity}/{project}/{run.id}/{n}')}"}
                 for n in variables["files"]]
        return {"createRunFiles": {"runID": _node_id(run), "uploadHeaders": [], "files": files}}

    def op_OrganizationCoreWeaveOrganizationID(self, variables: dict) -> dict:
        return {"entity": {"organization": None}}

    # -- a logged artifact (a wandb.Table is one) -----------------------------
    def op_ArtifactType(self, variables: dict) -> dict:
        return {"project": {"artifact": None}}  # no artifact of that name yet: any type goes

    def op_CreateArtifact(self, variables: dict) -> dict:
        artifact_id = f"QXJ0aWZhY3Q6{len(self.artifacts) + 1}"
        self.artifacts[artifact_id] = {"input": variables["input"], "files": {}, "state": "PENDING"}
        return {"createArtifact": {"artifact": {"id": artifact_id, "state": "PENDING",
                                                "artifactSequence": {"latestArtifact": None}}}}

    def op_CreateArtifactManifest(self, variables: dict) -> dict:
        url = f"{self.url}/upload/artifact/{variables['artifactID']}/{quote(variables['name'])}"
        return {"createArtifactManifest": {"artifactManifest": {"id": variables["artifactID"], "file": {
            "id": "manifest", "uploadUrl": url, "uploadHeaders": []}}}}

    def op_CreateArtifactFiles(self, variables: dict) -> dict:
        edges = [{"node": {"storagePath": f["name"], "uploadHeaders": [], "uploadMultipartUrls": None,
                           "uploadUrl": f"{self.url}/upload/artifact/{f['artifactID']}/{quote(f['name'])}",
                           "artifact": {"id": f["artifactID"]}}} for f in variables["input"]["artifactFiles"]]
        return {"createArtifactFiles": {"files": {"edges": edges}}}

    def op_CommitArtifact(self, variables: dict) -> dict:
        self.artifacts[variables["artifactID"]]["state"] = "COMMITTED"
        return {"commitArtifact": {"artifact": {"id": variables["artifactID"], "digest": ""}}}

    def upload(self, path: str, data: bytes) -> None:
        kind, _, path = unquote(path).partition("/")
        if kind == "artifact":
            artifact_id, name = path.split("/", 1)
            self.artifacts[artifact_id]["files"][name] = data
            return
        entity, project, run_id, name = path.split("/", 3)
        self.run(entity, project, run_id).uploaded[name] = data

    def file_stream(self, path: str, body: dict) -> None:
        """A file stream POST: history rows appended, the latest summary kept, ``complete`` finishing the run."""
        entity, project, run_id = unquote(path).split("/")
        run = self.run(entity, project, run_id)
        files = body.get("files") or {}
        run.history += [json.loads(line) for line in files.get("wandb-history.jsonl", {}).get("content", [])]
        for line in files.get("wandb-summary.json", {}).get("content", []):
            run.summary = json.loads(line)  # each line is the whole summary
        if body.get("complete"):
            run.state = "finished" if not body.get("exitcode") else "failed"

    def file(self, path: str) -> bytes:
        entity, project, run_id, name = unquote(path).split("/", 3)
        run = self.run(entity, project, run_id)
        if name not in run.file_names():
            raise GraphQLError(404, f"no file {name} in run {run_id}")
        return run.read(name)


def _node_id(run: FakeRun) -> str:
    return base64.b64encode(f"Run:{run.id}".encode()).decode()


def _wrap(config: dict) -> dict:
    """A run's config as the API carries it: each key's value under ``value``."""
    return {k: {"value": v, "desc": None} for k, v in config.items()}


def _make_handler(server: WandbServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: the server's lists are the log
            pass

        def do_GET(self):
            self._answer(self._get)

        def do_POST(self):
            self._answer(self._post)

        def do_PUT(self):
            self._answer(self._put)

        def _answer(self, handler) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                data, content_type = handler(body)
                self._send(200, data, content_type)
            except GraphQLError as exc:
                self._send(exc.status, json.dumps({"errors": [{"message": str(exc)}]}).encode())
            except Exception as exc:  # noqa: BLE001 - a bug here shows as a 500, not a dropped connection
                self._send(500, json.dumps({"errors": [{"message": repr(exc)}]}).encode())

        def _send(self, status: int, data: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _check_key(self) -> None:
            auth = self.headers.get("Authorization", "")
            if auth != "Basic " + base64.b64encode(f"api:{API_KEY}".encode()).decode():
                raise GraphQLError(401, "invalid API key")

        def _get(self, body: bytes) -> tuple[bytes, str]:
            if self.path.startswith("/files/"):
                self._check_key()
                data = server.file(self.path[len("/files/"):])
                server.downloads.append(unquote(self.path[len("/files/"):]))
                return data, "application/octet-stream"
            server.unknown.append(f"GET {self.path}")
            raise GraphQLError(404, f"not served here: GET {self.path}")

        def _put(self, body: bytes) -> tuple[bytes, str]:
            if not self.path.startswith("/upload/"):  # the URLs CreateRunFiles hands out, keyless as signed URLs are
                server.unknown.append(f"PUT {self.path}")
                raise GraphQLError(404, f"not served here: PUT {self.path}")
            server.upload(self.path[len("/upload/"):], body)
            return b"", "text/plain"

        def _post(self, body: bytes) -> tuple[bytes, str]:
            if self.path.startswith("/sdk/otel/"):
                return b"", "application/x-protobuf"
            if self.path.startswith("/files/") and self.path.endswith("/file_stream"):
                self._check_key()
                server.file_stream(self.path[len("/files/"):-len("/file_stream")], json.loads(body))
                return b"{}", "application/json"
            if self.path != "/graphql":
                server.unknown.append(f"POST {self.path}")
                raise GraphQLError(404, f"not served here: POST {self.path}")
            request = json.loads(body)
            named = re.search(r"\b(?:query|mutation)\s+(\w+)", request.get("query") or "")
            op = request.get("operationName") or (named.group(1) if named else "?")
            variables = request.get("variables") or {}
            server.calls.append((op, variables))
            self._check_key()
            if op in server.refuse:
                raise GraphQLError(403, server.refuse[op])
            answer = getattr(server, f"op_{op}", None)
            if answer is None:
                server.unknown.append(f"graphql {op}")
                raise GraphQLError(400, f"GraphQL operation not served here: {op}\n{request.get('query')}")
            return json.dumps({"data": answer(variables)}).encode(), "application/json"

    return Handler


@contextmanager
def wandb_server(runs: dict[str, list[FakeRun]] | None = None,
                 refuse: dict[str, str] | None = None) -> Iterator[WandbServer]:
    """Serve ``runs`` (by ``"entity/project"``) on a free port of 127.0.0.1 from a daemon thread;
    the GraphQL operations in ``refuse`` get 403 with the message given."""
    state = WandbServer(url="", runs=dict(runs or {}), refuse=dict(refuse or {}))
    with serving(_make_handler(state), "wandb-server") as url:
        state.url = url
        yield state


# -- running client code against it ------------------------------------------
def client_env(url: str, home: Path, api_key: str = API_KEY) -> dict[str, str]:
    """A networked W&B user of ``url``: no other ``WANDB_*`` settings, every cache under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WANDB_")}
    env.update(
        WANDB_BASE_URL=url, WANDB_API_KEY=api_key, WANDB_MODE="online", WANDB_SILENT="true", HOME=str(home),
        WANDB_DIR=str(home / "wandb"), WANDB_CONFIG_DIR=str(home / "wandb-config"),
        WANDB_CACHE_DIR=str(home / "wandb-cache"), WANDB_DATA_DIR=str(home / "wandb-data"),
        WARMTH_CACHE=str(home / "warmth-cache"),
        # wandb also waits this long for its own wandb-core to answer (10 s by default), which a loaded CI
        # machine can miss; the loopback servers answer at once, so a long bound costs nothing.
        WANDB_HTTP_TIMEOUT="120",
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p),
    )
    return env


def start_client(url: str, home: Path, *argv: str, api_key: str = API_KEY,
                 env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``python *argv`` (``-c code ...`` or ``-m module ...``) as a networked user of ``url``.

    A fresh process, as ``wandb`` keeps its settings (and a ``wandb-core``) per process.
    """
    return subprocess.Popen([sys.executable, *argv], env=client_env(url, home, api_key) | (env or {}),
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish_client(proc: subprocess.Popen, timeout: int = 300) -> subprocess.CompletedProcess:
    """Wait for a :func:`start_client` process; its output as ``subprocess.run`` gives it."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run_client(url: str, home: Path, *argv: str, timeout: int = 300, **kw) -> subprocess.CompletedProcess:
    """:func:`start_client`, then :func:`finish_client`."""
    return finish_client(start_client(url, home, *argv, **kw), timeout)
