"""``builtin:tiny``: a random-initialised Llama with a real BPE tokenizer, for tests.

Everything is made offline from files shipped in ``assets/``: a byte-level BPE
tokenizer trained on our own small corpus, our own ChatML-like template, and
a 2-layer Llama initialised from a fixed seed. The cache folder's name carries
a hash of those inputs and of the versions of the libraries that write the
files (torch draws the weights, tokenizers trains the BPE, transformers writes
its version into config.json), so editing any input or upgrading any of those
libraries builds a fresh copy instead of reusing one the new code would not make.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import torch

from warmth.models.cache import build_once, key_hash, library_versions
from warmth.paths import cache_dir

ASSETS = Path(__file__).resolve().parent / "assets"
CORPUS = ASSETS / "tiny_corpus.txt"
TEMPLATE = ASSETS / "tiny_chat_template.jinja"

# Bump when the builder changes in a way the hashed inputs below do not show.
BUILD_VERSION = 1
SEED = 0
VOCAB_SIZE = 1024
PAD, BOS, TURN, EOT = "<|pad|>", "<|bos|>", "<|turn|>", "<|eot|>"
SPECIAL_TOKENS = [PAD, BOS, TURN, EOT]  # ids 0..3
ARCH = {
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 128,
    "max_position_embeddings": 4096,
    "rms_norm_eps": 1e-6,
    "tie_word_embeddings": True,
}
# The distributions whose code determines the built bytes.
BUILDERS = ("torch", "tokenizers", "transformers")


def version_hash() -> str:
    """Short hash of everything that determines the built files."""
    files = hashlib.sha256(CORPUS.read_bytes() + TEMPLATE.read_bytes()).hexdigest()
    return key_hash({"files": files, "v": BUILD_VERSION, "seed": SEED, "vocab": VOCAB_SIZE,
                     "special": SPECIAL_TOKENS, "arch": ARCH, "libraries": library_versions(BUILDERS)})


def tiny_dir() -> Path:
    """Folder holding the built tiny model and tokenizer (built on first use)."""
    target = cache_dir("models") / f"tiny-{version_hash()}"
    return build_once(target, _build)


def _train_tokenizer():
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    lines = CORPUS.read_text(encoding="utf-8").splitlines(keepends=True)
    tok.train_from_iterator(lines, trainer=trainer)
    return tok


def _build(out: Path) -> dict:
    from transformers import (
        GenerationConfig,
        LlamaConfig,
        LlamaForCausalLM,
        PreTrainedTokenizerFast,
    )

    fast = PreTrainedTokenizerFast(
        tokenizer_object=_train_tokenizer(),
        bos_token=BOS, eos_token=EOT, pad_token=PAD,
        additional_special_tokens=[TURN],
        model_max_length=ARCH["max_position_embeddings"],
    )
    fast.chat_template = TEMPLATE.read_text(encoding="utf-8")
    fast.save_pretrained(out)

    ids = {t: fast.convert_tokens_to_ids(t) for t in SPECIAL_TOKENS}
    config = LlamaConfig(
        vocab_size=len(fast), pad_token_id=ids[PAD], bos_token_id=ids[BOS],
        eos_token_id=ids[EOT], **ARCH,
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(SEED)
        model = LlamaForCausalLM(config)
    model.save_pretrained(out)
    GenerationConfig(
        bos_token_id=ids[BOS], eos_token_id=ids[EOT], pad_token_id=ids[PAD],
    ).save_pretrained(out)
    return {"builtin": "tiny", "version": version_hash(), "vocab_size": len(fast)}
