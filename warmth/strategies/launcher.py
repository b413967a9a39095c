"""Start the other local ranks of a Hydra job in that job's own directory.

Lightning starts ranks 1..n-1 by re-running the command line. Under Hydra
that re-runs a whole multirun sweep (``-m`` is on the command line) or opens
a new timestamped directory. We re-run this one job instead: its own
overrides, ``hydra.run.dir`` pinned to the job's output directory, and no
second ``.hydra/`` written. Processes started by torchrun, srun or submitit
are not affected (Lightning does not start them).
"""

from __future__ import annotations

import os
import sys
from typing import Any

from lightning.pytorch.strategies.launchers import subprocess_script
from lightning.pytorch.strategies.launchers.subprocess_script import _SubprocessScriptLauncher


def hydra_job_command(local_rank: int) -> tuple[list[str], str]:
    """argv and cwd that re-run the current Hydra job as ``local_rank``."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.utils import get_original_cwd

    import __main__

    hc = HydraConfig.get()
    cwd = get_original_cwd()
    if getattr(__main__, "__spec__", None) is None:
        command = [sys.executable, os.path.join(cwd, sys.argv[0])]
    else:
        command = [sys.executable, "-m", __main__.__spec__.name]
    if hc.job.config_name:
        command.append(f"--config-name={hc.job.config_name}")
    command += [o for o in hc.overrides.hydra if o.startswith("hydra.searchpath")]
    command += list(hc.overrides.task)
    quoted_dir = str(hc.runtime.output_dir).replace("'", "\\'")
    command += [
        f"hydra.run.dir='{quoted_dir}'",  # sweep job dirs hold '=' and ','; quote for Hydra's parser
        "hydra.output_subdir=null",
        f"hydra.job.name={hc.job.name}_rank{local_rank}",
    ]
    return command, cwd


# Set in this process by Lightning when it starts the other ranks.
LAUNCH_ENV = ("MASTER_ADDR", "MASTER_PORT", "NODE_RANK", "LOCAL_RANK", "WORLD_SIZE")


class HydraJobLauncher(_SubprocessScriptLauncher):
    """Lightning's script launcher, with the child command of :func:`hydra_job_command`."""

    env_before: dict[str, str | None] | None = None

    def _call_children_scripts(self) -> None:
        self.env_before = {key: os.environ.get(key) for key in LAUNCH_ENV}
        original = subprocess_script._hydra_subprocess_cmd
        subprocess_script._hydra_subprocess_cmd = hydra_job_command
        try:
            super()._call_children_scripts()
        finally:
            subprocess_script._hydra_subprocess_cmd = original

    def end_job(self) -> None:
        """Leave the process as the job found it, so the next multirun job starts its own ranks.

        Lightning keeps the process group and its launch variables for the
        process's lifetime; the next job would reuse a group whose other
        ranks have exited, or think its ranks were started externally.
        """
        import torch.distributed as dist

        if dist.is_available() and dist.is_initialized():
            dist.destroy_process_group()
        try:
            import deepspeed.comm.comm as ds_comm

            ds_comm.cdb = None  # DeepSpeed's handle on the destroyed group
        except ImportError:
            pass
        for key, value in (self.env_before or {}).items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


class HydraJobLaunchMixin:
    """Mix into a Lightning strategy so local ranks are started per Hydra job."""

    def teardown(self: Any) -> None:
        super().teardown()  # type: ignore[misc]
        launcher = getattr(self, "_launcher", None)
        if isinstance(launcher, HydraJobLauncher) and launcher.env_before is not None:
            launcher.end_job()

    def _configure_launcher(self: Any) -> None:
        assert self.cluster_environment is not None
        if getattr(self, "_start_method", "popen") == "popen":
            self._launcher = HydraJobLauncher(self.cluster_environment, self.num_processes, self.num_nodes)
        else:  # pragma: no cover - spawn/fork start methods keep Lightning's launcher
            super()._configure_launcher()  # type: ignore[misc]
