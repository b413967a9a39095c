"""Checkpoints at fractional epochs: ``checkpoints/epoch=<e>/`` and ``checkpoints/last/``.

Each holds the LoRA adapter (``adapter_model.safetensors`` + ``adapter_config.json``,
reloadable with peft on top of the base model), ``trainer.ckpt`` (trained
weights, optimizer, LR schedule, loop position and every rank's RNG state)
from which ``ckpt_path=`` resumes, and ``warmth_checkpoint.json`` (epoch,
step, model, style), written last as the completion marker. Folders are
written and renamed into place as :mod:`warmth.checkpoint_store` describes,
so a kill during a save never leaves a half checkpoint where a whole one is
expected.
"""

from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Any, NamedTuple

from lightning import Callback, LightningModule, Trainer

from warmth import checkpoint_store as store
from warmth import rng_state
from warmth.checkpoint_store import META_FILE, TRAINER_FILE
from warmth.errors import WarmthError

log = logging.getLogger(__name__)
RNG_KEY = "warmth_rng"


def epoch_dirname(epoch: float) -> str:
    """``epoch=0.5``, ``epoch=1``: integers without a trailing ``.0``."""
    return f"epoch={int(epoch)}" if float(epoch).is_integer() else f"epoch={epoch:g}"


def save_weights(trainer: Trainer, module: LightningModule, out: Path) -> None:
    """Save the adapter (or the full model) as safetensors; rank 0 writes.

    Under sharded strategies the weights are gathered first
    (``warmth.strategies.gather``), so every rank calls this.
    """
    model = module.model
    from warmth.strategies.gather import gathered_state_dict  # sharded strategies gather first

    state = gathered_state_dict(trainer, module)
    if trainer.is_global_zero:
        out.mkdir(parents=True, exist_ok=True)
        kwargs = {"safe_serialization": True}
        if state is not None:
            kwargs["state_dict"] = state
        model.save_pretrained(str(out), **kwargs)
        module.tokenizer.save_pretrained(str(out))


class FractionalEpochCheckpoint(Callback):
    """Saves at the configured fractional epochs, counted in optimizer steps.

    It also carries the RNG: every rank's state goes into ``trainer.ckpt`` and,
    on resume, comes back just before the first batch (after the loader and
    anything else that starts up have drawn what they draw). Evaluators that
    run at a checkpoint may draw random numbers too; the state is put back
    after them, so an uninterrupted run continues from the saved state just
    as a resumed one does.
    """

    def __init__(self, run_dir: str | Path, epochs: list[float], meta: dict[str, Any]):
        self.root = Path(run_dir) / "checkpoints"
        self.epochs = sorted(float(e) for e in epochs)
        self.meta = meta
        self.steps_per_epoch: float = 0.0
        self._done: set[float] = set()
        self._last_step = -1
        self._rng_to_save: list[dict[str, Any]] | None = None
        self._rng_to_restore: dict[str, Any] | None = None

    def on_train_start(self, trainer: Trainer, pl_module: LightningModule) -> None:
        batches = trainer.num_training_batches
        if not math.isfinite(batches) or batches <= 0:
            raise WarmthError("the training set is empty: no batches to train on")
        self.steps_per_epoch = math.ceil(batches / max(1, trainer.accumulate_grad_batches))
        # On resume, epochs already behind us are not saved again.
        for e in self.epochs:
            if self._target_step(e) <= trainer.global_step and store.is_complete(self.root / epoch_dirname(e)):
                self._done.add(e)
        if trainer.is_global_zero:
            store.clean_partial(self.root)  # the checkpoint is loaded by now
        trainer.strategy.barrier("warmth-checkpoint-clean")

    def _target_step(self, epoch: float) -> int:
        return max(1, round(epoch * self.steps_per_epoch))

    # -- RNG in and out of trainer.ckpt ----------------------------------
    def on_save_checkpoint(self, trainer: Trainer, pl_module: LightningModule, checkpoint: dict[str, Any]) -> None:
        checkpoint[RNG_KEY] = self._rng_to_save if self._rng_to_save is not None else rng_state.gather(trainer)

    def on_load_checkpoint(self, trainer: Trainer, pl_module: LightningModule, checkpoint: dict[str, Any]) -> None:
        states = checkpoint.get(RNG_KEY) or []
        rank = trainer.global_rank
        if len(states) != trainer.world_size:
            log.warning("the checkpoint holds the RNG state of %d rank(s), this run has %d: "
                        "random draws (dropout) will not repeat the interrupted run's", len(states), trainer.world_size)
        self._rng_to_restore = states[rank] if rank < len(states) else None

    def on_train_batch_start(self, trainer: Trainer, pl_module: LightningModule, *args: Any) -> None:
        if self._rng_to_restore is not None:
            rng_state.restore(self._rng_to_restore)
            self._rng_to_restore = None

    # -- when to save -----------------------------------------------------
    def on_train_batch_end(self, trainer: Trainer, pl_module: LightningModule, *args: Any) -> None:
        for e in self.epochs:
            if e not in self._done and trainer.global_step >= self._target_step(e):
                self._done.add(e)
                self.save(trainer, pl_module, e, epoch_dirname(e))
        # Stopping at max_steps: save `last` from inside the epoch, so a resume with a
        # larger max_steps continues this epoch instead of seeing it finished.
        if 0 < trainer.max_steps <= trainer.global_step and self._last_step != trainer.global_step:
            self._save_last(trainer, pl_module)

    def on_train_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        if self._last_step != trainer.global_step:
            self._save_last(trainer, pl_module)

    def _save_last(self, trainer: Trainer, pl_module: LightningModule) -> None:
        epoch = trainer.global_step / self.steps_per_epoch if self.steps_per_epoch else 0.0
        self.save(trainer, pl_module, round(epoch, 4), "last", notify=False)

    # -- how -------------------------------------------------------------
    def save(self, trainer: Trainer, pl_module: LightningModule, epoch: float, name: str, notify: bool = True) -> Path:
        """Write checkpoint ``name`` (and refresh ``last``) atomically; every rank calls this."""
        self._rng_to_save = rng_state.gather(trainer)
        staged, out = store.staging_dir(self.root, name), self.root / name
        if trainer.is_global_zero and staged.exists():
            store.clean_partial(self.root)
        trainer.strategy.barrier("warmth-checkpoint-stage")
        save_weights(trainer, pl_module, staged)
        trainer.save_checkpoint(str(staged / TRAINER_FILE))
        trainer.strategy.barrier("warmth-checkpoint-written")  # every rank's shards are on disk
        if trainer.is_global_zero:
            store.seal(staged, dict(self.meta, epoch=epoch, global_step=trainer.global_step))
            store.publish(staged, out)
            if name != "last":
                last = store.staging_dir(self.root, "last")
                store.link_tree(out, last)
                store.sync_tree(last)
                store.publish(last, self.root / "last")
        self._last_step = trainer.global_step  # every save also updates `last`
        trainer.strategy.barrier("warmth-checkpoint")
        if notify:
            for cb in trainer.callbacks:
                hook = getattr(cb, "on_checkpoint_epoch", None)
                if hook is not None:
                    hook(trainer, pl_module, epoch, out)
        # Whatever saving and the evaluators drew, training continues from the saved state.
        rng_state.restore(self._rng_to_save[trainer.global_rank])
        self._rng_to_save = None
        return out


class Resume(NamedTuple):
    """What ``trainer.fit`` resumes from, and how it may be loaded."""

    path: str | None
    weights_only: bool = True


def resolve_ckpt_path(ckpt_path: str | None, run_dir: str | Path) -> Resume:
    """``last``, ``auto`` or a checkpoint directory/file -> the Lightning checkpoint to resume.

    ``last`` is the run's newest complete checkpoint (``checkpoints/last``
    unless a save was interrupted); ``auto`` is ``last`` when there is one and
    a fresh start otherwise, so a preempted job can be requeued with the same
    command. A folder without its completion marker is refused.

    Loading is safe by default: a ``trainer.ckpt`` file is read with
    ``torch.load(weights_only=True)`` (tensors and plain containers, which is
    all ours hold). Sharded checkpoints (DeepSpeed, FSDP) are folders their
    libraries unpickle in full; those are accepted only from this run's own
    ``checkpoints/``.
    """
    if ckpt_path in (None, "", "null"):
        return Resume(None)
    root = Path(run_dir) / "checkpoints"
    if ckpt_path in ("last", "auto"):
        found = store.newest(root)
        if found is None:
            if ckpt_path == "auto":
                return Resume(None)
            raise WarmthError(f"ckpt_path=last: nothing to resume, {root} holds no complete checkpoint")
        path = found
    else:
        path = Path(ckpt_path).expanduser()
    if not path.exists():
        raise WarmthError(f"checkpoint not found: {path}")
    folder = path if path.is_dir() and (path / TRAINER_FILE).exists() else None
    if path.is_dir() and folder is None and not (path / "latest").exists() and not _is_dcp(path):
        raise WarmthError(f"checkpoint directory {path} holds no {TRAINER_FILE}")
    if folder is not None:
        if not store.is_complete(folder):
            raise WarmthError(f"checkpoint {folder} has no completion marker ({META_FILE}): "
                              "its save was interrupted; resume from another one")
        path = folder / TRAINER_FILE
    if path.is_dir() and not _own(path, root):
        raise WarmthError(
            f"refusing to resume from {path}: a sharded checkpoint folder is unpickled in full "
            "(arbitrary code can run), and this one was not written by this run. Resume it in its "
            "own run directory (hydra.run.dir=<that run> ckpt_path=last), or export it with warmth.export")
    return Resume(str(path))


def _is_dcp(path: Path) -> bool:
    return (path / ".metadata").exists()


def _own(path: Path, root: Path) -> bool:
    """A complete checkpoint folder inside this run's ``checkpoints/``."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return bool(relative.parts) and store.is_complete(root / relative.parts[0])
