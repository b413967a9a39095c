"""Built-in generation backends: in-process Hugging Face, OpenAI-compatible API, vLLM, canned."""
