"""``sft``: assistant-token cross-entropy, the study's objective and the default."""

from __future__ import annotations

from warmth.objectives import Objective


class SFT(Objective):
    name = "sft"
