"""``call_in_child``: a W&B read whose exit hook cannot keep the caller alive.

The child runs builtins (``exec`` of a snippet) so that nothing from this file
has to be importable in the child process.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.wandb_server import REPO_ROOT
from warmth.errors import DataError
from warmth.report.wandb_child import call_in_child


def test_returns_the_value_and_raises_the_error_here():
    assert call_in_child(sorted, [3, 1, 2]) == [1, 2, 3]
    assert call_in_child(os.getpid) != os.getpid()
    with pytest.raises(DataError, match="no records here"):
        call_in_child(exec, "from warmth.errors import DataError\nraise DataError('no records here')")


def test_the_childs_exit_hooks_do_not_run(tmp_path):
    """wandb's exit hook waits for ``wandb-core`` without a bound and sometimes forever after a timed-out
    request, so the child must leave without running exit hooks. A hook that only leaves a mark stands in for
    it: seen red (the mark written) with the child returning normally instead of through ``os._exit``."""
    mark = tmp_path / "hook-ran"
    assert call_in_child(exec, f"import atexit, pathlib\natexit.register(pathlib.Path({str(mark)!r}).touch)") is None
    assert not mark.exists()


def test_a_child_that_dies_is_an_error_not_a_hang():
    """Seen red with the empty-answer check removed (the unpickling error said nothing of the exit code)."""
    with pytest.raises(RuntimeError, match="died without an answer .exit code 3"):
        call_in_child(exec, "import os\nos._exit(3)")


def test_an_error_that_does_not_pickle_still_says_what_it_was():
    """Seen red with the child's fallback removed (the child then died without an answer)."""
    code = "class Local(Exception):\n    pass\nraise Local('lost in transit')"
    with pytest.raises(RuntimeError, match="Local: lost in transit"):
        call_in_child(exec, code)


def test_a_script_without_a_main_guard_can_call_it(tmp_path):
    """A researcher's plain script: seen red with a ``multiprocessing`` spawn child, which re-ran the script."""
    script = tmp_path / "fetch.py"
    script.write_text("from warmth.report.wandb_child import call_in_child\nprint(call_in_child(sorted, [2, 1]))\n")
    done = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True, timeout=120,
                          env=os.environ | {"PYTHONPATH": str(REPO_ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[1, 2]"
