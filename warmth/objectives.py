"""The training objective interface: what a step's loss is made of.

``ChatLM`` knows no concrete objective. It asks its objective for the summed
loss of a micro-batch's trained tokens and normalises that sum itself (by the
trained tokens of the whole effective batch), so every objective inherits the
token weighting and the distributed scaling. An objective may also change the
training conversations (``data_mix``) or build what it needs once the model
exists (a frozen reference for ``sft_kl`` without LoRA).

Plugins live in ``plugins/objectives/`` and are named by ``conf/objective``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import torch
import torch.nn.functional as F

from warmth.data.masking import IGNORE_INDEX

if TYPE_CHECKING:
    from warmth.conversation import Conversation

__all__ = ["IGNORE_INDEX", "LossSums", "Objective", "build_objective", "cross_entropy_sum", "shifted_targets"]


@dataclass
class LossSums:
    """One micro-batch's loss, summed over its trained tokens.

    ``total`` is what the gradient follows; ``terms`` are its parts (each a
    sum over the same tokens, already weighted as in ``total``), logged per
    step as ``train/<name>`` after the same normalisation.
    """

    total: torch.Tensor
    count: torch.Tensor
    terms: dict[str, torch.Tensor] = field(default_factory=dict)


def shifted_targets(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Logits and labels of the trained positions only: ``[N, V]`` and ``[N]``.

    Position t predicts token t+1; a position counts when its next label is
    not ignored. Selecting first keeps the fp32 copy to the trained tokens.
    """
    shift_labels = labels[:, 1:]
    mask = shift_labels != IGNORE_INDEX
    return logits[:, :-1][mask], shift_labels[mask]


def cross_entropy_sum(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed next-token cross-entropy over trained positions, and their count."""
    picked, targets = shifted_targets(logits, labels)
    return F.cross_entropy(picked.float(), targets, reduction="sum"), targets.new_tensor(targets.numel())


class Objective:
    """Base objective: plain cross-entropy; subclasses add terms or data."""

    name = "sft"
    label = "sft"  # the name with its settings, set from the config by build_objective

    def setup(self, module: Any) -> None:
        """Called once the model exists (``ChatLM.configure_model``)."""

    def training_conversations(self, conversations: list[Conversation], seed: int) -> list[Conversation]:
        """The conversations to train on, given the style dataset's."""
        return conversations

    def loss(self, module: Any, batch: dict[str, torch.Tensor], logits: torch.Tensor) -> LossSums:
        ce, count = cross_entropy_sum(logits, batch["labels"])
        return LossSums(total=ce, count=count, terms={"ce": ce.detach()})

    def describe(self) -> dict[str, Any]:
        """What the run's metadata and the report call this objective."""
        return {"name": self.name}

    def reference_model(self, lora: bool) -> str | None:
        """What ``warmth.plan`` counts for a reference model: ``"copy"`` (a frozen copy of the
        whole model), ``"adapter_off"`` (one more no-grad forward of the same weights) or None."""
        return None


def build_objective(cfg: Any) -> Objective:
    """The objective of ``cfg.objective`` (plain ``sft`` when the group is absent).

    ``label`` names the objective with its settings (``sft_kl-b1``) in run
    names, records and the report; it is config, not a constructor argument.
    """
    from omegaconf import OmegaConf

    from warmth.errors import ConfigError
    from warmth.instantiate import build_plugin

    node = cfg.get("objective") if cfg is not None else None
    if node is None:
        return Objective()
    spec = OmegaConf.to_container(node, resolve=True)
    label = spec.pop("label", None)
    if "_target_" not in spec:
        raise ConfigError("objective needs a _target_ (an Objective class), e.g. objective=sft")
    obj = build_plugin(spec, "objective")
    if not isinstance(obj, Objective):
        raise ConfigError(f"objective: {spec['_target_']} is not a warmth.objectives.Objective")
    obj.label = str(label or obj.name)
    return obj
