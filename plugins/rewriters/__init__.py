"""Built-in rewriter backends: any OpenAI-compatible chat API, or a local HF model."""

from warmth_plugins.rewriters.hf_local import HFLocalRewriter
from warmth_plugins.rewriters.openai_api import OpenAIChatRewriter

__all__ = ["HFLocalRewriter", "OpenAIChatRewriter"]
