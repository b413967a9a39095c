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

from warmth.cross_entropy import summed_cross_entropy
from warmth.data.masking import IGNORE_INDEX
from warmth.head_cross_entropy import fusable_head, head_cross_entropy
from warmth.models.peft_base import base_model, takes_logits_to_keep

if TYPE_CHECKING:
    from warmth.conversation import Conversation

__all__ = ["IGNORE_INDEX", "LossSums", "Objective", "build_objective", "cross_entropy_sum", "shifted_targets",
           "trained_hidden", "trained_logits", "trained_mask", "trained_targets"]


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


def trained_mask(labels: torch.Tensor) -> torch.Tensor:
    """``[B, T]`` True at the positions whose next token is trained (position t predicts t+1)."""
    mask = torch.zeros_like(labels, dtype=torch.bool)
    mask[:, :-1] = labels[:, 1:] != IGNORE_INDEX
    return mask


def trained_targets(labels: torch.Tensor) -> torch.Tensor:
    """The trained next tokens, ``[N]``, in the order of :func:`trained_logits`' rows."""
    shift = labels[:, 1:]
    return shift[shift != IGNORE_INDEX]


def shifted_targets(logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Full ``[B, T, V]`` logits -> those of the trained positions ``[N, V]`` and their targets ``[N]``."""
    return logits[trained_mask(labels)], trained_targets(labels)


def trained_logits(model: Any, inputs: dict[str, torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
    """``model``'s logits at the trained positions only, ``[N, V]``, row-major over (row, position).

    The LM head runs on those positions' hidden states alone (transformers'
    ``logits_to_keep`` with a boolean mask), so no full ``[B, T, V]`` logits
    tensor exists: for SmolLM2's 49k vocabulary that is 200 MB per 1024-token
    row in fp32, and the head's matmul shrinks by the untrained share. The
    call goes through the model's own forward, so sharding hooks (ZeRO-3,
    FSDP) gather the head and embeddings as usual. Models whose forward has no
    ``logits_to_keep`` get full logits, then the selection.
    """
    if not takes_logits_to_keep(model):
        return shifted_targets(model(**inputs, use_cache=False).logits, labels)[0]
    return model(**inputs, use_cache=False, logits_to_keep=trained_mask(labels)).logits


def trained_hidden(model: Any, inputs: dict[str, torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
    """``model``'s last hidden states (after its final norm) at the trained positions, ``[N, d]``, in
    :func:`trained_logits`' row order: the decoder's forward without the head, for a loss that
    applies the head itself (:func:`warmth.head_cross_entropy.fusable_head` says where that is exact)."""
    base = base_model(model)
    return base.get_decoder()(**inputs, use_cache=False).last_hidden_state[trained_mask(labels)]


def cross_entropy_sum(logits: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Summed cross-entropy of ``[N, V]`` trained-position logits against their ``[N]`` targets, and N.

    The gradient is made in the forward pass (:mod:`warmth.cross_entropy`), so no
    log-softmax is kept and its backward allocates nothing of ``[N, V]``.
    """
    return summed_cross_entropy(logits, targets), targets.new_tensor(targets.numel())


class Objective:
    """Base objective: plain cross-entropy; subclasses add terms or data."""

    name = "sft"
    label = "sft"  # the name with its settings, set from the config by build_objective

    def setup(self, module: Any) -> None:
        """Called once the model exists (``ChatLM.configure_model``)."""

    def training_conversations(self, conversations: list[Conversation], seed: int) -> list[Conversation]:
        """The conversations to train on, given the style dataset's."""
        return conversations

    def step_loss(self, module: Any, batch: dict[str, torch.Tensor]) -> LossSums:
        """A training micro-batch's sums, from ``module``'s model: its trained logits through :meth:`loss`.

        An objective that keeps this class's :meth:`loss` (plain cross-entropy: ``sft``,
        ``data_mix``) on a head :func:`~warmth.head_cross_entropy.fusable_head` accepts
        never has the logits made: the head and the loss run in one pass over vocabulary
        chunks (:mod:`warmth.head_cross_entropy`), the same sums with less memory and time.
        """
        weight = fusable_head(module.model) if type(self).loss is Objective.loss else None
        if weight is None:
            return self.loss(module, batch, module(batch))
        targets = trained_targets(batch["labels"])
        ce = head_cross_entropy(trained_hidden(module.model, module.model_inputs(batch), batch["labels"]),
                                weight, targets)
        return LossSums(total=ce, count=targets.new_tensor(targets.numel()), terms={"ce": ce.detach()})

    def loss(self, module: Any, batch: dict[str, torch.Tensor], logits: torch.Tensor) -> LossSums:
        """Sums over a micro-batch's trained tokens. ``logits`` are the model's at the trained
        positions only, ``[N, V]`` (:func:`trained_logits`); their targets are
        ``trained_targets(batch["labels"])``."""
        ce, count = cross_entropy_sum(logits, trained_targets(batch["labels"]))
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
