"""Offline batched generation with vLLM, when it is installed.

``pip install vllm`` on a CUDA machine; without it this backend fails at
construction with one clear line. A LoRA checkpoint is served through
vLLM's LoRA support (``enable_lora``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from warmth.errors import ConfigError
from warmth.eval.interfaces import GenerationParams


class VLLMBackend:
    name = "vllm"

    def __init__(self, model_cfg: Any = None, checkpoint: str | None = None, tensor_parallel_size: int = 1,
                 gpu_memory_utilization: float = 0.9, max_model_len: int | None = None, **kwargs: Any):
        try:
            import vllm
        except ImportError:
            raise ConfigError("backend=vllm needs the vllm package (pip install vllm, CUDA only); "
                              "use backend=hf or backend=openai") from None
        from warmth.models import resolve_pretrained, trust_remote_code

        if model_cfg is None:
            raise ConfigError("vllm backend needs a model config (model=...)")
        self._vllm = vllm
        self.llm = vllm.LLM(model=resolve_pretrained(model_cfg), tensor_parallel_size=tensor_parallel_size,
                            gpu_memory_utilization=gpu_memory_utilization, max_model_len=max_model_len,
                            enable_lora=bool(checkpoint), trust_remote_code=trust_remote_code(model_cfg),
                            **kwargs)
        self.lora = None
        if checkpoint:
            from vllm.lora.request import LoRARequest

            self.lora = LoRARequest("checkpoint", 1, str(checkpoint))

    def generate(self, requests: Sequence[list[dict[str, str]]], params: GenerationParams) -> list[list[str]]:
        sp = self._vllm.SamplingParams(n=max(1, params.n_samples), temperature=params.temperature,
                                       top_p=params.top_p, max_tokens=params.max_new_tokens, seed=params.seed)
        outs = self.llm.chat(list(requests), sp, lora_request=self.lora, use_tqdm=False)
        return [[c.text.strip() for c in o.outputs] for o in outs]
