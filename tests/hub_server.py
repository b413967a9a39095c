"""A real Hugging Face Hub on 127.0.0.1, serving repos from local folders, for tests.

Why: the project's rule is that hub paths work for users with a network, and
are tested against real local servers, not mocked clients. No test machine
reaches huggingface.co, so this speaks the read-only part of the Hub HTTP API
over a socket. Point ``HF_ENDPOINT`` at it before ``huggingface_hub`` is
imported (it reads the variable at import time, hence :func:`run_client`'s
fresh process) and the real ``huggingface_hub``, ``datasets`` and
``transformers`` code runs unchanged.

Layout: ``root/datasets/<org>/<name>/`` and ``root/models/<org>/<name>/`` hold
the files of branch ``main``; a sibling folder ``<name>@<rev>`` holds revision
``<rev>`` (a tag). Each revision has a fixed fake commit sha
(:func:`commit_sha`), which is accepted as a revision too.

Endpoints: the ones huggingface_hub 2.x, datasets 5.x and transformers 5.x
call to load a dataset or a model (found by logging what they request):

- ``GET /api/{models|datasets}/{repo}[/revision/{rev}]``: repo info (``sha``, ``siblings``)
- ``GET /api/{models|datasets}/{repo}/tree/{rev}[/{path}]``: listing, ``recursive``
  or not, in one page (no ``Link`` header)
- ``HEAD|GET /[datasets/]{repo}/resolve/{rev}/{path}``: the file, with
  ``X-Repo-Commit``, ``ETag`` (the git blob id) and ``Content-Length``; a
  ``Range: bytes=a-b`` (or ``a-``, ``-n``) header gets ``206`` and that slice,
  as streaming reads a file (``datasets`` ``streaming=True``) block by block

Errors carry the ``X-Error-Code`` that huggingface_hub maps to its exceptions
(``RepoNotFound``, ``RevisionNotFound``, ``EntryNotFound``); a range past the
end of the file gets ``416``. Any other request
gets a plain 404 and is listed in :attr:`Hub.unrouted`; every request is kept
in :attr:`Hub.requests` so tests can check what was really fetched.
"""

from __future__ import annotations

import hashlib
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
from urllib.parse import parse_qs, unquote, urlsplit

from tests.loopback import serving

REPO_ROOT = Path(__file__).resolve().parents[1]
MAIN_SHA = "5eed" * 10  # the fake commit of every repo's `main`
DATE = "2024-01-01T00:00:00.000Z"

_REPO = r"(?P<repo>[^/]+/[^/]+)"
ROUTES = [  # (methods, pattern matched on the still-encoded path, handler)
    (("GET",), re.compile(rf"^/api/(?P<kind>models|datasets)/{_REPO}(?:/revision/(?P<rev>[^/]+))?$"), "info"),
    (("GET",), re.compile(rf"^/api/(?P<kind>models|datasets)/{_REPO}/tree/(?P<rev>[^/]+)(?:/(?P<path>.*))?$"),
     "tree"),
    (("GET", "HEAD"), re.compile(rf"^/(?:(?P<kind>datasets)/)?{_REPO}/resolve/(?P<rev>[^/]+)/(?P<path>.+)$"),
     "resolve"),
]


def commit_sha(revision: str) -> str:
    """The fake commit of a revision: :data:`MAIN_SHA` for ``main``, else one derived from its name."""
    return MAIN_SHA if revision == "main" else hashlib.sha1(revision.encode()).hexdigest()


def git_blob_sha(data: bytes) -> str:
    """The id git gives a file's content (the Hub's ``oid`` and ETag of a non-LFS file)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class HubError(Exception):
    def __init__(self, status: int, code: str | None, message: str, sha: str | None = None):
        super().__init__(message)
        self.status, self.code, self.sha = status, code, sha


@dataclass
class Hub:
    """A running server: ``url`` for ``HF_ENDPOINT``; ``requests`` as ``(method, path, status)``."""

    url: str
    root: Path
    requests: list[tuple[str, str, int]] = field(default_factory=list)
    unrouted: list[str] = field(default_factory=list)  # requests no endpoint here matched

    def served(self, fragment: str = "", method: str | None = None) -> list[str]:
        """Paths answered 2xx that contain ``fragment`` (to requests of ``method``, if given)."""
        return [p for m, p, status in self.requests if status < 300 and fragment in p and method in (None, m)]

    def not_found(self) -> list[str]:
        return [f"{m} {p}" for m, p, status in self.requests if status == 404]

    def revision_dir(self, kind: str, repo: str, rev: str) -> tuple[Path, str]:
        """The folder and commit behind ``rev`` of a repo."""
        base = self.root / kind / repo
        if not base.is_dir():
            raise HubError(404, "RepoNotFound", f"Repository {repo} not found")
        revisions = {"main": base} | {p.name.split("@", 1)[1]: p for p in base.parent.glob(f"{base.name}@*")}
        for name, folder in revisions.items():
            if rev in (name, commit_sha(name)):
                return folder, commit_sha(name)
        raise HubError(404, "RevisionNotFound", f"Invalid rev id: {rev}")


def _inside(folder: Path, path: str) -> Path:
    target = (folder / path).resolve()
    if folder.resolve() not in (target, *target.parents):
        raise HubError(400, None, f"path {path!r} leaves the repo")
    return target


def _byte_range(header: str, size: int) -> tuple[int, int]:
    """``[start, end)`` of the one range a ``Range: bytes=a-b|a-|-n`` header asks for (end clamped)."""
    m = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not m or m.groups() == ("", ""):
        raise HubError(400, None, f"unsupported Range: {header}")
    first, last = m.groups()
    if not first:  # the last n bytes
        start, end = max(size - int(last), 0), size
    else:
        start, end = int(first), min(int(last) + 1, size) if last else size
    if start >= end:
        raise HubError(416, None, f"Range {header} not satisfiable for {size} bytes")
    return start, end


def _entry(folder: Path, target: Path) -> dict:
    path = target.relative_to(folder).as_posix()
    if target.is_dir():
        return {"type": "directory", "oid": hashlib.sha1(path.encode()).hexdigest(), "path": path}
    data = target.read_bytes()
    return {"type": "file", "oid": git_blob_sha(data), "size": len(data), "path": path}


def _make_handler(hub: Hub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet: `hub.requests` is the log
            pass

        def do_GET(self):
            self._dispatch()

        def do_HEAD(self):
            self._dispatch()

        def _dispatch(self) -> None:
            url = urlsplit(self.path)
            try:
                for methods, pattern, handler in ROUTES:
                    m = pattern.match(url.path)
                    if m and self.command in methods:
                        args = {k: unquote(v) for k, v in m.groupdict().items() if v is not None}
                        kind = args.pop("kind", "models")
                        getattr(self, handler)(kind, parse_qs(url.query), **args)
                        return
                hub.unrouted.append(f"{self.command} {self.path}")
                raise HubError(404, None, f"not served here: {self.command} {url.path}")
            except HubError as exc:
                headers = {"X-Error-Message": str(exc)}
                headers |= {"X-Error-Code": exc.code} if exc.code else {}
                headers |= {"X-Repo-Commit": exc.sha} if exc.sha else {}
                self._send(exc.status, json.dumps({"error": str(exc)}).encode(), headers)
            except Exception as exc:  # noqa: BLE001 - a bug here shows as a 500, not a dropped connection
                self._send(500, json.dumps({"error": repr(exc)}).encode(), {})

        def _send(self, status: int, data: bytes, headers: dict[str, str],
                  content_type: str = "application/json") -> None:
            hub.requests.append((self.command, self.path, status))  # logged before the client sees the reply
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        def info(self, kind: str, query: dict, repo: str, rev: str = "main") -> None:
            folder, sha = hub.revision_dir(kind, repo, rev)
            files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
            info = {"_id": sha[:24], "id": repo, "author": repo.split("/")[0], "sha": sha, "lastModified": DATE,
                    "createdAt": DATE, "private": False, "gated": False, "disabled": False, "downloads": 0,
                    "likes": 0, "tags": [], "cardData": {}, "siblings": [{"rfilename": f} for f in files]}
            if kind == "models":
                info |= {"modelId": repo, "library_name": "transformers"}
            self._send(200, json.dumps(info).encode(), {"X-Repo-Commit": sha})

        def tree(self, kind: str, query: dict, repo: str, rev: str, path: str = "") -> None:
            folder, sha = hub.revision_dir(kind, repo, rev)
            start = _inside(folder, path.strip("/"))
            if not start.is_dir():
                raise HubError(404, "EntryNotFound", f"{path} does not exist on {rev}", sha)
            recursive = query.get("recursive", ["false"])[0].lower() == "true"
            entries = [_entry(folder, p) for p in sorted(start.rglob("*") if recursive else start.iterdir())]
            self._send(200, json.dumps(entries).encode(), {"X-Repo-Commit": sha})

        def resolve(self, kind: str, query: dict, repo: str, rev: str, path: str) -> None:
            folder, sha = hub.revision_dir(kind, repo, rev)
            target = _inside(folder, path)
            if not target.is_file():
                raise HubError(404, "EntryNotFound", f"{path} does not exist on {rev}", sha)
            data = target.read_bytes()
            headers, status = {"X-Repo-Commit": sha, "ETag": f'"{git_blob_sha(data)}"'}, 200
            if self.headers.get("Range"):
                start, end = _byte_range(self.headers["Range"], len(data))
                headers["Content-Range"] = f"bytes {start}-{end - 1}/{len(data)}"
                data, status = data[start:end], 206
            self._send(status, data, headers, "application/octet-stream")

    return Handler


@contextmanager
def hub_server(root: Path) -> Iterator[Hub]:
    """Serve ``root`` on a free port of 127.0.0.1 from a daemon thread; yields the :class:`Hub`."""
    hub = Hub(url="", root=Path(root))
    with serving(_make_handler(hub), "hub-server") as url:
        hub.url = url
        yield hub


# -- running client code against it ------------------------------------------
DROPPED = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN")


def client_env(hub: Hub, home: Path) -> dict[str, str]:
    """The environment of a networked user of ``hub``: no offline switches, no token, caches under ``home``."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update(
        HF_ENDPOINT=hub.url, HF_HOME=str(home), HF_HUB_CACHE=str(home / "hub"),
        HF_DATASETS_CACHE=str(home / "datasets"), HF_HUB_DISABLE_TELEMETRY="1",
        HF_HUB_DISABLE_PROGRESS_BARS="1", HF_DATASETS_DISABLE_PROGRESS_BARS="1",
        PYTHONPATH=os.pathsep.join(p for p in (str(REPO_ROOT), os.environ.get("PYTHONPATH")) if p),
    )
    return env


def run_client(hub: Hub, home: Path, code: str, *args: str, timeout: int = 180) -> dict:
    """Run ``python -c code args`` in :func:`client_env`; returns its last stdout line, parsed as JSON."""
    proc = subprocess.run([sys.executable, "-c", code, *args], env=client_env(hub, home), cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=timeout, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"client failed (rc={proc.returncode}); unrouted: {hub.unrouted}; "
                             f"404s: {hub.not_found()}\nstderr tail:\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1])


def serve_and_run(root: Path, home: Path, code: str, *args: str) -> tuple[dict, Hub]:
    """Serve ``root``, run one client against it; (its JSON, the Hub with its request log)."""
    with hub_server(root) as hub:
        return run_client(hub, home, code, *args), hub
