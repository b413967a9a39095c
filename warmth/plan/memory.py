"""Per-GPU memory of a training config: the ZeRO formulas plus an activation estimate.

Bytes per parameter with torch's AdamW, as each setup allocates them
(:func:`bytes_per_param`):

- ``32-true``: weights 4, gradients 4, Adam's two moments 8.
- DeepSpeed with bf16/fp16: the engine holds 16-bit weights (frozen and
  trained: 2) and gradients (2); its optimizer keeps fp32 master weights and
  moments (12).
- ``bf16-mixed``/``16-mixed`` elsewhere (auto, DDP, FSDP): autocast computes
  in 16 bits from fp32 trained weights, which are their own master copy:
  weight 4, gradient 4, moments 8, plus the 16-bit cast of each trained
  weight that autograd keeps for backward (2, per rank and not sharded,
  also under FSDP). LoRA's frozen base is loaded in 16 bits (2).
- ``bf16-true``/``16-true``: everything in 16 bits, Adam's moments too (2 + 2 + 4).

DDP keeps its own gradient buckets besides ``.grad`` (one more gradient
copy). ZeRO shards over the data-parallel ranks: stage 1 the optimizer
states, stage 2 also gradients, stage 3 (and FSDP) also the weights;
offload moves states or weights to CPU. An objective with a reference model
(``sft_kl``) adds its logits and, without LoRA, a frozen copy of the model.
Activations (bytes per token per layer, 16-bit) follow the tensors a Llama-style
block keeps for backward; gradient checkpointing keeps only each layer's input
and recomputes one layer at a time. Numbers are planning estimates, not
measurements: allocator fragmentation and kernels' workspaces come on top as
``overhead``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from warmth.plan.arch import Arch

GIB = 1024**3
ALL_LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass(frozen=True)
class Setup:
    """Everything the formulas read, already resolved from the config."""

    arch: Arch
    world: int                      # data-parallel ranks
    stage: int                      # 0 = DDP / single device; 1, 2, 3 = ZeRO; FSDP counts as 3
    offload_optimizer: bool = False
    offload_parameters: bool = False
    micro_batch: int = 1
    seq_len: int = 1024
    gradient_checkpointing: bool = False
    half: bool = True               # 16-bit compute and activations (bf16 / fp16)
    mixed: bool = True              # with half: autocast over fp32 trained weights (*-mixed), else *-true
    deepspeed: bool = False         # DeepSpeed engine (its own 16-bit weights and fp32 masters)
    lora_r: int = 0                 # 0: full fine-tuning
    lora_targets: tuple[str, ...] = ALL_LINEAR
    lora_dropout: float = 0.0
    reference: str | None = None    # the objective's reference model: "copy", "adapter_off" or None
    overhead_gib: float = 2.0


@dataclass
class MemoryPlan:
    parts: dict[str, float] = field(default_factory=dict)   # bytes per GPU
    total_params: int = 0
    trained_params: int = 0

    @property
    def total(self) -> float:
        return sum(self.parts.values())


def lora_params(arch: Arch, r: int, targets: tuple[str, ...]) -> int:
    shapes = arch.linear_shapes()
    per_layer = sum(r * (shapes[t][0] + shapes[t][1]) for t in targets if t in shapes)
    return arch.num_layers * per_layer


def activation_bytes(s: Setup) -> float:
    """Activations kept for backward on one GPU, logits included."""
    a, width = s.arch, 2 if s.half else 4
    tokens = s.micro_batch * s.seq_len
    block = 5 * a.hidden_size + 2 * a.q_dim + 2 * a.kv_dim + 4 * a.intermediate_size
    if s.lora_r and s.lora_dropout > 0:
        shapes = a.linear_shapes()  # dropout keeps its output (16-bit) and mask (1 byte) per target input
        block += sum(shapes[t][0] for t in s.lora_targets if t in shapes) * (width + 1) / width
    per_layer = block * width * tokens
    if s.gradient_checkpointing:
        layers = a.num_layers * a.hidden_size * width * tokens + per_layer
    else:
        layers = a.num_layers * per_layer
    # Logits, their fp32 copy for the loss and its gradient; ChatLM computes them at trained positions
    # only, which the plan does not know, so it counts every position (an upper bound).
    logits = tokens * a.vocab_size * (width + 4 + 4)
    return layers + logits


def kl_logits_bytes(s: Setup) -> float:
    """The KL term's extra logits, counting every token as trained (an upper bound): the
    reference's at compute width and its fp32 log-softmax, and the fine-tuned model's fp32
    log-softmax that backward keeps."""
    return s.micro_batch * s.seq_len * s.arch.vocab_size * ((2 if s.half else 4) + 4 + 4)


def bytes_per_param(s: Setup) -> dict[str, int]:
    """Bytes per frozen weight, trained weight, gradient, optimizer state and kept 16-bit cast."""
    if not s.half:
        return {"frozen": 4, "weight": 4, "grad": 4, "optimizer": 8, "cast": 0}
    if s.deepspeed:
        return {"frozen": 2, "weight": 2, "grad": 2, "optimizer": 12, "cast": 0}
    if s.mixed:
        return {"frozen": 2, "weight": 4, "grad": 4, "optimizer": 8, "cast": 2}
    return {"frozen": 2, "weight": 2, "grad": 2, "optimizer": 4, "cast": 0}


def estimate(s: Setup) -> MemoryPlan:
    a, w = s.arch, max(1, s.world)
    total = a.total_params()
    trained = lora_params(a, s.lora_r, s.lora_targets) if s.lora_r else total
    frozen = total - trained if s.lora_r else 0
    b = bytes_per_param(s)
    shard3 = w if s.stage >= 3 else 1
    parts = {
        "frozen weights": 0.0 if s.offload_parameters else frozen * b["frozen"] / shard3,
        "trained weights": 0.0 if s.offload_parameters else trained * b["weight"] / shard3,
        "gradients": trained * b["grad"] / (w if s.stage >= 2 else 1),
        "optimizer states": 0.0 if s.offload_optimizer else trained * b["optimizer"] / (w if s.stage >= 1 else 1),
        "activations": activation_bytes(s),
    }
    if b["cast"]:
        parts["16-bit weight casts"] = trained * b["cast"]
    if s.stage == 0 and w > 1 and not s.deepspeed:
        parts["DDP gradient buckets"] = trained * b["grad"]
    if s.reference == "copy":  # a frozen copy of the whole model, in the trained weights' dtype, unsharded
        parts["frozen reference copy"] = total * b["weight"]
    if s.reference:
        parts["reference logits (KL)"] = kl_logits_bytes(s)
    if s.stage >= 3 and w > 1:
        # Gathered full weights of the layer being computed and the one prefetched.
        lora_share = trained / total if s.lora_r else 1.0
        per_param = lora_share * b["weight"] + (1 - lora_share) * b["frozen"]
        parts["gathered layers (ZeRO-3)"] = 2 * a.layer_params() * per_param
    parts["overhead"] = s.overhead_gib * GIB
    return MemoryPlan(parts=parts, total_params=total, trained_params=trained)
