#!/bin/bash
# Multi-node training in an interactive allocation (salloc) or inside your own sbatch script:
# srun starts one task per GPU on every node; Lightning reads the SLURM environment.
# Usage: salloc --nodes=2 --gpus-per-node=8 --ntasks-per-node=8 --time=4:00:00
#        launch/srun_multinode.sh model=llama70b strategy=deepspeed_zero3 experiment=paper_warm
set -euo pipefail
GPUS="${SLURM_GPUS_PER_NODE:-${SLURM_NTASKS_PER_NODE:?run inside a SLURM allocation}}"
GPUS="${GPUS##*:}"   # "h100:8" -> 8
RUN_DIR="${RUN_DIR:-outputs/train/srun-${SLURM_JOB_ID}}"
export OMP_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
srun --ntasks-per-node="$GPUS" python -m warmth.train "trainer.devices=$GPUS" \
  "trainer.num_nodes=$SLURM_JOB_NUM_NODES" "hydra.run.dir=$RUN_DIR" "$@"
