#!/bin/bash
# Multi-GPU (and multi-node) training with torchrun instead of Lightning's own launcher.
# Usage, one node:  launch/torchrun_train.sh 4 model=llama8b strategy=deepspeed_zero2
# Several nodes: run on each node with NNODES, NODE_RANK and MASTER_ADDR set, e.g.
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=node01 launch/torchrun_train.sh 8 model=llama70b strategy=deepspeed_zero3
# RUN_DIR (default: a fresh timestamp, pass the same value on every node) holds the run.
set -euo pipefail
GPUS="${1:?usage: $0 GPUS_PER_NODE [overrides...]}"; shift
NNODES="${NNODES:-1}" NODE_RANK="${NODE_RANK:-0}"
MASTER_ADDR="${MASTER_ADDR:-127.0.0.1}" MASTER_PORT="${MASTER_PORT:-29500}"
RUN_DIR="${RUN_DIR:-outputs/train/torchrun-$(date +%Y-%m-%d_%H-%M-%S)}"
export OMP_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
torchrun --nnodes="$NNODES" --node_rank="$NODE_RANK" --nproc_per_node="$GPUS" \
  --master_addr="$MASTER_ADDR" --master_port="$MASTER_PORT" -m warmth.train \
  "trainer.devices=$GPUS" "trainer.num_nodes=$NNODES" "hydra.run.dir=$RUN_DIR" "$@"
