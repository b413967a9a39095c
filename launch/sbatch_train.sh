#!/bin/bash
# One training run on SLURM without submitit: one task per GPU, Lightning reads SLURM's env.
# Usage: sbatch --nodes=1 --gpus-per-node=4 --ntasks-per-node=4 launch/sbatch_train.sh \
#          model=llama8b style=warm strategy=deepspeed_zero3 trainer.devices=4
# Requeued jobs (preemption, `scontrol requeue`) resume from the run's checkpoints/last.
#SBATCH --job-name=warmth-train
#SBATCH --time=24:00:00
#SBATCH --cpus-per-task=8
#SBATCH --requeue
#SBATCH --signal=USR1@300
#SBATCH --output=slurm-%x-%j.out
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-.}"
# One directory per job for every rank and every requeue of it.
RUN_DIR="outputs/train/slurm-${SLURM_JOB_ID}"
export OMP_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false
# ckpt_path=auto: resume from checkpoints/last when a requeue finds one, else start fresh.
srun python -m warmth.train "trainer.num_nodes=${SLURM_JOB_NUM_NODES:-1}" ckpt_path=auto \
  "hydra.run.dir=$RUN_DIR" "$@"
