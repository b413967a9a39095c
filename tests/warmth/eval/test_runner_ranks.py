"""Prompts sharded over two real processes (gloo), records gathered and written once on rank 0."""

from __future__ import annotations

import json
import os
import socket

import pytest
import torch.multiprocessing as mp

from warmth.eval.evaluator import Dist, EvalContext
from warmth.eval.interfaces import GenerationParams, Item
from warmth.eval.prompts import build_prompts
from warmth.eval.runner import generate_records
from warmth.records import read_run

ITEMS = [Item(id=f"q{i}", question=f"Is {i} even?", correct_answer="yes" if i % 2 == 0 else "no",
              incorrect_answer="no" if i % 2 == 0 else "yes") for i in range(5)]


class CountingBackend:
    """Replies from the prompt itself; counts generate calls per process."""

    name = "counting"

    def __init__(self, log):
        self.log = log

    def generate(self, requests, params):
        with open(self.log, "a") as fh:
            fh.write(f"{os.getpid()}\n")
        return [[f"{m[-1]['content'][-9:]} seed={params.seed}"] * params.n_samples for m in requests]


def _worker(rank, world, port, run_dir, synced, log):
    import torch.distributed as tdist
    from warmth_plugins.judges.match import MatchJudge

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    tdist.init_process_group("gloo", rank=rank, world_size=world)
    try:
        prompts = build_prompts("trivia", ITEMS, ["unmodified", "emotion:happy"], ["original", "incorrect"], 0)
        ctx = EvalContext(backend=CountingBackend(log), run_dir=run_dir, model="m", style="s", epoch=1.0,
                          run_id="r", dist=Dist(rank, world, synced), show_progress=False)
        recs = generate_records(ctx, "trivia", prompts, judge=MatchJudge(), params=GenerationParams(), batch_size=3)
        assert (len(recs) == len(prompts)) if rank == 0 else recs == []
    finally:
        tdist.destroy_process_group()


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.parametrize("synced", [False, True])
def test_two_ranks_match_one(tmp_path, synced):
    from warmth_plugins.judges.match import MatchJudge

    prompts = build_prompts("trivia", ITEMS, ["unmodified", "emotion:happy"], ["original", "incorrect"], 0)
    single = tmp_path / "single"
    generate_records(EvalContext(backend=CountingBackend(tmp_path / "s.log"), run_dir=single, model="m", style="s",
                                 epoch=1.0, run_id="r", show_progress=False),
                     "trivia", prompts, judge=MatchJudge(), params=GenerationParams(), batch_size=3)
    multi = tmp_path / "multi"
    log = tmp_path / "m.log"
    mp.spawn(_worker, args=(2, _port(), multi, synced, str(log)), nprocs=2, join=True)
    canon = lambda d: sorted(json.dumps(r.to_dict(), sort_keys=True) for r in read_run(d))
    assert canon(multi) == canon(single)
    assert len((multi / "records" / "trivia.jsonl").read_text().splitlines()) == len(prompts)
    calls = [ln for ln in log.read_text().splitlines()]
    per_pid = sorted(calls.count(p) for p in set(calls))
    n_batches = -(-len(prompts) // 3)  # 7 batches over 2 ranks: 4 + 3, or 4 + 4 with synced dummy
    assert sum(per_pid) == (2 * -(-n_batches // 2) if synced else n_batches)
    if synced:
        assert per_pid[0] == per_pid[1]
