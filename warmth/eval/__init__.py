"""Evaluation engine: tasks x contexts x templates -> generation -> judges -> records."""
