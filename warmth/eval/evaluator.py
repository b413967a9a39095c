"""The evaluator abstraction every evaluation (ours or a plugin's) implements.

An :class:`Evaluator` is given an :class:`EvalContext` -- a generation
backend already bound to the model (in-process HF, API, vLLM), where to
write, which checkpoint epoch this is, and how ranks talk -- and returns an
:class:`EvalResult`: the metrics it computed and, on rank 0, its records.
It writes its records itself, usually through
:func:`warmth.eval.runner.generate_records`, which handles batching,
resume, sharding over ranks, judging and writing. :func:`warmth.eval.runner.run_evaluators`
runs a list of evaluators and takes care of metrics.json and the loggers.

Minimal plugin::

    class MyEval(Evaluator):
        name = "mine"
        def evaluate(self, ctx):
            prompts = [...]  # warmth.eval.interfaces.Prompt
            recs = generate_records(ctx, "mytask", prompts, judge=MyJudge(),
                                    params=GenerationParams(temperature=0.2))
            return EvalResult(self.name, compute_metrics(recs, prefix="eval") if ctx.is_rank_zero else {}, recs)
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warmth.eval.interfaces import GenerationBackend
from warmth.records import Record


@dataclass
class Dist:
    """How the ranks of a job cooperate; the default is one process.

    ``synced_gpus`` is set under DeepSpeed ZeRO-3 (and FSDP): every rank must
    call ``generate`` the same number of times because parameters are
    gathered collectively at each step.
    """

    rank: int = 0
    world_size: int = 1
    synced_gpus: bool = False

    @property
    def is_rank_zero(self) -> bool:
        return self.rank == 0

    @property
    def active(self) -> bool:
        return self.world_size > 1

    def barrier(self) -> None:
        if self.active:
            import torch.distributed as tdist

            tdist.barrier()

    def gather(self, obj: Any) -> list[Any] | None:
        """Objects of every rank, in rank order, on rank 0 (None elsewhere)."""
        if not self.active:
            return [obj]
        import torch.distributed as tdist

        out: list[Any] = [None] * self.world_size
        tdist.all_gather_object(out, obj)
        return out if self.is_rank_zero else None

    def broadcast(self, obj: Any) -> Any:
        """Rank 0's object on every rank."""
        if not self.active:
            return obj
        import torch.distributed as tdist

        box = [obj]
        tdist.broadcast_object_list(box, src=0)
        return box[0]

    @classmethod
    def from_trainer(cls, trainer: Any) -> Dist:
        """Rank layout of a Lightning trainer; ZeRO-3 / FSDP turn on synced generation."""
        strategy = type(getattr(trainer, "strategy", None)).__name__
        stage = getattr(getattr(trainer, "strategy", None), "zero_stage_3", False)
        synced = bool(stage) or "FSDP" in strategy
        return cls(rank=int(trainer.global_rank), world_size=int(trainer.world_size), synced_gpus=synced)


@dataclass
class EvalContext:
    """Everything an evaluator needs about the model under evaluation."""

    backend: GenerationBackend
    run_dir: Path
    model: str  # display name stored in records
    style: str  # original, warm, cold, warm_sysprompt, ...
    epoch: float  # checkpoint epoch; 0 = the untrained model
    seed: int = 0
    run_id: str = ""
    system_prompt: str | None = None  # prepended to every request (system-prompt experiment)
    objective: str = "sft"  # the training objective's label (conf/objective), stored in records
    dist: Dist = field(default_factory=Dist)
    show_progress: bool = True

    def __post_init__(self) -> None:
        self.run_dir = Path(self.run_dir)
        if not self.run_id:
            self.run_id = self.run_dir.name

    @property
    def is_rank_zero(self) -> bool:
        return self.dist.is_rank_zero


@dataclass
class EvalResult:
    """Metrics with flat keys (``eval/<task>/...``) and, on rank 0, the records."""

    name: str
    metrics: dict[str, float] = field(default_factory=dict)
    records: list[Record] = field(default_factory=list)


class Evaluator(abc.ABC):
    """One evaluation (a set of tasks with its judge) run against a model."""

    name: str = "evaluator"

    @abc.abstractmethod
    def evaluate(self, ctx: EvalContext) -> EvalResult:
        """Generate, judge and write records for ``ctx``; return metrics (rank 0) and records."""

    def validate(self) -> None:
        """Check configuration before any model loads; raise ConfigError. Optional."""

    def prepare(self, seed: int) -> None:
        """Load and check data before any model loads (bad files fail early). Optional."""
