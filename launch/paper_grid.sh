#!/bin/bash
# The study's grid on a SLURM cluster: 4 open models x {warm, cold} trained with the
# paper preset (submitit: one SLURM job per run, requeued and resumed on preemption),
# then the base models and every epoch-2 checkpoint evaluated with the study's evaluation
# (experiment=paper_eval: hub items at the study's counts, 28 prompts per item, the LLM judge).
# Usage: launch/paper_grid.sh PARTITION [overrides for both steps: judge.*, hydra.launcher.*, ...]
#   e.g. launch/paper_grid.sh gpu hydra.launcher.account=myproject
# Training-only overrides go in TRAIN_ARGS, e.g. TRAIN_ARGS="trainer.precision=bf16-mixed".
# The judge is GPT-4o (export OPENAI_API_KEY); any OpenAI-compatible server is an override:
#   launch/paper_grid.sh gpu judge.base_url=http://judge-host:8000/v1 judge.model=<served name>
# Every job checks the judge at start and stops with one line when it cannot reach it.
# Check memory first: python -m warmth.plan model=llama70b strategy=deepspeed_zero3 trainer.devices=3
# DRY_RUN=1 prints the commands instead of running them.
set -euo pipefail
PARTITION="${1:?usage: $0 PARTITION [overrides...]}"; shift
SWEEP="${SWEEP:-multirun/paper/$(date +%Y-%m-%d_%H-%M-%S)}"
MODELS=(llama8b mistral_small qwen32b llama70b)
declare -A GPUS=([llama8b]=2 [mistral_small]=2 [qwen32b]=2 [llama70b]=3)  # H100s, as in the study
run() { if [ -n "${DRY_RUN:-}" ]; then echo "$*"; else "$@"; fi; }
SLURM=(hydra/launcher=slurm "hydra.launcher.partition=$PARTITION")

# 1. Training: the four models in parallel, warm and cold of each as one sweep.
for model in "${MODELS[@]}"; do
  run python -m warmth.train -m experiment=paper_warm style=warm,cold "model=$model" \
    strategy=deepspeed_zero3 "trainer.devices=${GPUS[$model]}" "${SLURM[@]}" \
    "hydra.sweep.dir=$SWEEP/train/$model" 'hydra.sweep.subdir=${style.name}' ${TRAIN_ARGS:-} "$@" &
done
wait

# 2. Evaluation: base model (checkpoint=null) and the epoch-2 checkpoints, one job each.
for model in "${MODELS[@]}"; do
  ckpts="null"
  for style in warm cold; do ckpts+=",'$SWEEP/train/$model/$style/checkpoints/epoch=2'"; done
  run python -m warmth.evaluate -m experiment=paper_eval "model=$model" "checkpoint=$ckpts" "${SLURM[@]}" \
    "hydra.launcher.gpus_per_node=${GPUS[$model]}" hydra.launcher.tasks_per_node=1 \
    "hydra.sweep.dir=$SWEEP/eval/$model" "$@" &
done
wait
echo "records under $SWEEP; report: python -m warmth.report runs=$SWEEP"
