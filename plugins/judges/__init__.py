"""Built-in judges: normalised answer matching, an LLM judge, refusal detection."""
