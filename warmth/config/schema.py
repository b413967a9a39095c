"""Typed schemas of the core config groups.

Hydra composes YAML; we then merge the result into these dataclasses so a
misspelt key or a wrong type fails before any model loads, naming the key.
Groups whose options are plugins (eval, strategy) or data options are checked by
their own builders, which know their plugins' keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ModelSchema:
    name: str = "???"
    pretrained: str = "???"
    revision: str | None = None
    dtype: str = "auto"
    trust_remote_code: bool = False
    chat_template: str | None = None
    lora_target_modules: list[str] = field(default_factory=list)
    # Architecture numbers for the memory plan of hub models (no download needed).
    arch: dict[str, Any] | None = None


@dataclass
class TrainerSchema:
    max_epochs: int = 1
    max_steps: int = -1
    micro_batch_size: int = 1
    effective_batch_size: int = 16
    lr: float = 1e-4
    weight_decay: float = 0.0
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])
    warmup_ratio: float = 0.05
    scheduler: str = "cosine"
    min_lr_ratio: float = 0.0
    precision: str = "auto"
    gradient_clip_val: float | None = 1.0
    gradient_checkpointing: bool = False
    segment_attention: bool = True
    compile: bool = False
    reuse_freed_memory: bool = False
    accelerator: str = "auto"
    devices: Any = "auto"
    num_nodes: int = 1
    log_every_n_steps: int = 1
    checkpoint_epochs: list[float] = field(default_factory=lambda: [0.5, 1.0])
    enable_progress_bar: bool = True
    deterministic: bool = False
    peak_tflops: float | None = None


@dataclass
class PeftSchema:
    method: str = "lora"
    r: int = 8
    alpha: int = 16
    dropout: float = 0.1
    target_modules: list[str] | None = None


@dataclass
class LoggerSchema:
    kind: str = "wandb"
    project: str = "warmth"
    entity: str | None = None
    group: str | None = None
    tags: list[str] = field(default_factory=list)
    mode: str = "auto"
    log_model: bool = False


@dataclass
class StyleSchema:
    name: str = "???"
    dataset: str | None = None
    instruction: str | None = None
    instruction_file: str | None = None
    system_prompt: str | None = None


CHOICES = {
    "trainer.scheduler": ("constant", "linear", "cosine"),
    "trainer.precision": ("auto", "32-true", "32", "bf16-mixed", "bf16-true", "16-mixed", "16-true"),
    "peft.method": ("lora", "none"),
    "logger.kind": ("wandb", "csv", "none"),
    "logger.mode": ("auto", "online", "offline", "disabled"),
    "model.dtype": ("auto", "float32", "bfloat16", "float16"),
}

GROUP_SCHEMAS = {
    "model": ModelSchema,
    "trainer": TrainerSchema,
    "peft": PeftSchema,
    "logger": LoggerSchema,
    "style": StyleSchema,
}
