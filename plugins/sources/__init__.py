"""Built-in source loaders: ShareGPT JSON, chat JSONL, Hugging Face datasets."""

from warmth_plugins.sources.hf_datasets import HFDatasetSource
from warmth_plugins.sources.jsonl import JsonlSource
from warmth_plugins.sources.sharegpt import ShareGPTSource

__all__ = ["HFDatasetSource", "JsonlSource", "ShareGPTSource"]
