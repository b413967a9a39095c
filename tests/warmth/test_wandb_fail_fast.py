"""W&B that cannot serve (unreachable, key rejected, server error): the run logs offline and says once how to sync.

Against real servers on 127.0.0.1 (:mod:`tests.wandb_server`, a server that only
answers 500) and a closed port. No clock: the checks are the mode chosen, the
lines printed and the offline run written. Seen failing with the probe removed
from ``choose_wandb_mode`` (mode stayed "online"; the subprocess then blocks in
``wandb.init``), and with ``quiet`` not set (wandb's footer repeated the hint).
"""

from __future__ import annotations

import socket
from http.server import BaseHTTPRequestHandler

import pytest

from tests.conftest import compose
from tests.loopback import serving
from tests.wandb_server import API_KEY, finish_client, start_client, wandb_server
from warmth.loggers import PROBE_TIMEOUT_S, build_logger, wandb_unavailable


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


class _Errors(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_probe_names_each_fault():
    assert PROBE_TIMEOUT_S <= 5  # training starts well within 10 s when the host hangs
    with wandb_server() as srv:
        assert wandb_unavailable(srv.url, API_KEY) is None
        assert wandb_unavailable(srv.url, "0" * 40) == f"{srv.url} rejected the API key (HTTP 401)"
        assert ("Viewer", {}) in srv.calls
    with serving(_Errors) as url:
        assert wandb_unavailable(url, API_KEY) == f"{url} answered HTTP 500"
    url = closed_port_url()
    assert wandb_unavailable(url, API_KEY) == f"cannot reach {url} (ConnectError)"


@pytest.mark.parametrize("mode", ["auto", "online"])
def test_unreachable_server_falls_back_offline_saying_so_once(mode, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("WANDB_MODE", raising=False)
    monkeypatch.setenv("WANDB_BASE_URL", closed_port_url())
    monkeypatch.setenv("WANDB_API_KEY", API_KEY)
    cfg = compose("train", ["model=tiny", "logger=wandb", f"logger.mode={mode}"], run_dir=tmp_path)
    logger = build_logger(cfg, tmp_path, None)
    assert logger._wandb_init["mode"] == "offline"
    assert logger._wandb_init["settings"].quiet  # wandb's footer would print a second sync hint
    out = capsys.readouterr().out
    assert out.count("logging offline") == 1 and "cannot reach" in out and str(tmp_path / "wandb") in out


def test_train_with_a_rejected_key_runs_offline(tmp_path):
    """A real training run whose W&B key the server refuses: it trains, logs offline, one sync hint."""
    run_dir = tmp_path / "run"
    with wandb_server() as srv:
        proc = start_client(srv.url, tmp_path, "-m", "warmth.train", "model=tiny", "eval=none",
                            "trainer.max_steps=1", "trainer.enable_progress_bar=false", "logger=wandb",
                            f"hydra.run.dir={run_dir}", api_key="0" * 40,
                            env={"HF_HUB_OFFLINE": "1", "WANDB_SILENT": "false"})
        res = finish_client(proc)
    assert res.returncode == 0, res.stderr[-3000:]
    both = res.stdout + res.stderr
    assert both.count("wandb sync") == 1 and "rejected the API key (HTTP 401); logging offline" in res.stdout
    assert list(run_dir.glob("wandb/offline-run-*/run-*.wandb"))
    assert [op for op, _ in srv.calls] == ["Viewer"]  # the probe only: wandb never tried online
    assert srv.runs == {}
