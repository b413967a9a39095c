"""Training data: chat-template rendering with assistant-only labels, packing, the DataModule."""

from warmth.data.datamodule import ChatDataModule, conversations_file
from warmth.data.masking import IGNORE_INDEX, Example, tokenize_conversation, tokenize_dataset
from warmth.data.packing import block_causal_mask, collate_packed, collate_padded, pack

__all__ = [
    "IGNORE_INDEX",
    "ChatDataModule",
    "Example",
    "block_causal_mask",
    "collate_packed",
    "collate_padded",
    "conversations_file",
    "pack",
    "tokenize_conversation",
    "tokenize_dataset",
]
