"""Quiet logs: third-party output a user cannot act on, silenced in one place.

Each entry point calls :func:`quiet_third_party` after its heavy imports
would have configured their loggers. It

- gives Lightning's log records to the root logger only (Hydra's console
  and ``<run>/train.log``): Lightning also attaches a console handler of
  its own, so every ``INFO:`` line was printed twice;
- drops Lightning's advertising tips, its "estimate number of stepping
  batches" notice and its "`weights_only` was not set" notice at every save
  (resume sets it), and DeepSpeed's "Setting accelerator to CPU" notice on
  machines without a GPU;
- ignores deprecation warnings raised inside third-party packages
  (transformers, Lightning, peft, torch, ...) that no config change fixes.

Warnings raised by warmth's own code, and every error, still show.
"""

from __future__ import annotations

import logging
import re
import warnings

LIGHTNING_LOGGERS = ("lightning", "lightning.pytorch", "lightning.fabric", "pytorch_lightning", "lightning_fabric")
# Loggers whose records the filter sees (a logger's filter applies to records logged to it).
FILTERED = ("lightning.pytorch.utilities.rank_zero", "lightning.fabric.utilities.rank_zero",
            "pytorch_lightning.utilities.rank_zero", "lightning.pytorch.trainer.connectors.checkpoint_connector",
            "DeepSpeed")
DROPPED = re.compile(
    r"💡 Tip:|Loading `train_dataloader` to estimate number of stepping batches"
    r"|Setting accelerator to CPU\. If you have GPU"
    r"|`weights_only` was not set, defaulting to `False`"  # at every save; resume loads with weights_only=True
)
THIRD_PARTY = r"(transformers|lightning|lightning_fabric|pytorch_lightning|lightning_utilities|peft|torch|accelerate|deepspeed|wandb|hydra|omegaconf)(\.|$)"


class DropNoise(logging.Filter):
    """Rejects the log records in :data:`DROPPED`."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not DROPPED.search(record.getMessage())


_FILTER = DropNoise()


def quiet_third_party() -> None:
    """Idempotent: safe to call from every entry point and in tests."""
    for name in LIGHTNING_LOGGERS:
        lg = logging.getLogger(name)
        for h in list(lg.handlers):
            if isinstance(h, logging.StreamHandler) and not isinstance(h, logging.FileHandler):
                lg.removeHandler(h)
        lg.propagate = True
    for name in FILTERED:
        lg = logging.getLogger(name)
        if _FILTER not in lg.filters:
            lg.addFilter(_FILTER)
    for category in (DeprecationWarning, FutureWarning, PendingDeprecationWarning):
        warnings.filterwarnings("ignore", category=category, module=THIRD_PARTY)
    # Lightning reports its own deprecations through rank_zero_deprecation / warn with its module name.
    warnings.filterwarnings("ignore", message=r".*is deprecated.*", module=r"lightning(\.|$)")
