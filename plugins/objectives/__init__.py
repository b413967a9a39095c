"""Training objectives (``conf/objective``): sft, sft_kl, data_mix."""
