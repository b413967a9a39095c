"""Model and tokenizer loading: hub ids, local folders and offline built-ins.

``load_tokenizer(model_cfg)`` and ``load_model(model_cfg, dtype=None)`` take a
``conf/model/*.yaml`` config (keys: name, pretrained, revision, dtype,
trust_remote_code, chat_template, lora_target_modules).
"""

from warmth.models.loading import (
    BUILTINS,
    load_adapter,
    load_model,
    load_tokenizer,
    resolve_dtype,
    resolve_pretrained,
    trust_remote_code,
)

__all__ = ["BUILTINS", "load_adapter", "load_model", "load_tokenizer", "resolve_dtype", "resolve_pretrained", "trust_remote_code"]
