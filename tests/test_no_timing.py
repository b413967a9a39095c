"""The suite's own rule: no test waits on a clock or asserts a speed.

A test that sleeps for another process, polls until a wall-clock deadline or
bounds a duration or a memory reading passes on an idle machine and fails on a
busy one. Tests synchronise on events instead (a loopback server holding
request k: ``tests.local_chat_server.Hold``; a process parked at a named point:
``tests.stop_at``), and speed lives in ``benchmarks/``. This test reads the
syntax of every file under tests/ and fails on each:

- ``sleep(...)`` calls (``time.sleep``, ``asyncio.sleep``, a bare ``sleep``);
- clock reads (``time.time()``, ``monotonic()``, ``perf_counter()``, their ``_ns``
  forms, ``datetime.now()``);
- names that hold a ``deadline``;
- asserts on a process's memory or a duration (rss, maxrss, elapsed, seconds, ...);

unless the file and rule are in :data:`ALLOWED` with the reason. Hang guards are
not flagged (a ``timeout=`` argument, a ``threading.Timer`` that unblocks a wedged
test): they turn a hang into a failure, and no passing run waits for them.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent

SLEEPS = {"sleep"}
CLOCKS = {"time", "time_ns", "monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns",
          "process_time", "now", "utcnow"}
CLOCK_OWNERS = {"time", "datetime"}  # time.time(), datetime.now(), datetime.datetime.now()
SPEED_WORDS = {"rss", "maxrss", "elapsed", "seconds", "secs", "duration", "walltime", "wallclock"}
PER_SECOND = re.compile(r"_per_s(ec(ond)?)?$")


def _speedish(name: str) -> bool:
    """A name that holds a duration, a rate or a memory reading (by its words)."""
    name = name.lower()
    return bool(SPEED_WORDS & set(name.split("_")) or PER_SECOND.search(name))

# (path under tests/, rule) -> why it is fine. Keep this short.
ALLOWED = {
    ("warmth/strategies/test_gpu_check.py", "clock"):
        "measures and prints the GPU check's throughput (make gpu-check); asserts no bound on it",
}


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _owner(node: ast.AST) -> str:
    return _name(node.value) if isinstance(node, ast.Attribute) else ""


def violations(source: str) -> list[tuple[int, str, str]]:
    """``(line, rule, text)`` for each timing dependency in one file's source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            name = _name(node.func)
            if name in SLEEPS:
                found.append((node.lineno, "sleep", ast.unparse(node)))
            elif name in CLOCKS and (_owner(node.func) in CLOCK_OWNERS or isinstance(node.func, ast.Name)):
                found.append((node.lineno, "clock", ast.unparse(node)))
        elif isinstance(node, (ast.Name, ast.arg)) and "deadline" in (getattr(node, "id", None)
                                                                      or getattr(node, "arg", "")).lower():
            found.append((node.lineno, "deadline", getattr(node, "id", None) or node.arg))
        elif isinstance(node, ast.Assert):
            names = {_name(n) for n in ast.walk(node.test)} - {""}
            if any(_speedish(n) for n in names):
                found.append((node.lineno, "speed assert", ast.unparse(node.test)))
    return sorted(set(found))


def test_no_test_depends_on_timing():
    bad = []
    for path in sorted(TESTS.rglob("*.py")):
        rel = path.relative_to(TESTS).as_posix()
        for line, rule, text in violations(path.read_text(encoding="utf-8")):
            if (rel, rule) not in ALLOWED:
                bad.append(f"tests/{rel}:{line}: {rule}: {text}")
    assert not bad, ("tests must synchronise on events, not clocks (see this file's docstring):\n"
                     + "\n".join(bad))


def test_allowlist_entries_are_still_needed():
    """An exception whose file no longer breaks its rule is dropped, so the list stays short."""
    for (rel, rule), why in ALLOWED.items():
        assert why
        rules = {r for _, r, _ in violations((TESTS / rel).read_text(encoding="utf-8"))}
        assert rule in rules, f"ALLOWED[{rel!r}, {rule!r}] is stale: remove it"


def test_the_scan_catches_what_it_forbids():
    """Planted examples of each rule are caught; hang guards and lookalikes are not.

    (Also checked for real: a ``time.sleep(0.05)`` planted in tests/warmth/test_records.py
    turns test_no_test_depends_on_timing red.)
    """
    planted = '''
import time, asyncio, resource
from time import sleep, monotonic
def t(proc, srv):
    time.sleep(0.05)
    sleep(1)
    asyncio.sleep(0)
    deadline = time.time() + 120
    while monotonic() < deadline:
        pass
    start = time.perf_counter()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert rss_mb < 200
    assert elapsed_s < 3.0
'''
    rules = [rule for _, rule, _ in violations(planted)]
    assert rules.count("sleep") == 3 and rules.count("clock") == 3
    assert rules.count("deadline") == 2 and rules.count("speed assert") == 2
    fine = '''
import subprocess
def t(proc, held, record):
    proc.communicate(timeout=60)
    assert held.wait(proc)
    assert record.time == "12:00" and record.timestamp() > 0
    assert wall["answer"] == "The Great Wall" and second_turn == "x"
    subprocess.run(["x"], timeout=300)
'''
    assert violations(fine) == []
