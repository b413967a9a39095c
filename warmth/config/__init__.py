"""Structured schemas of the config groups and validation of composed configs."""

from warmth.config.validate import validate_config

__all__ = ["validate_config"]
