"""API keys for HTTP endpoints: read from the environment or a file the user names, never from a config.

A config holds only *where* the key is (``api_key_env``: a variable's name;
``api_key_file``: a path), so the composed config, ``.hydra/``, records,
checkpoints and W&B config never contain the key itself.
"""

from __future__ import annotations

import os
from pathlib import Path

from warmth.errors import ConfigError


def read_api_key(api_key_env: str | None, api_key_file: str | None = None, owner: str = "endpoint",
                 required: bool = True) -> str | None:
    """The key, or ``None`` when neither source is configured (a server without auth).

    ``api_key_file`` wins over ``api_key_env``; a named file that is missing or
    empty is an error. An unset variable is an error when ``required``; else no
    key is sent and a server that needs one answers 401, which stops the run.
    """
    if api_key_file:
        path = Path(str(api_key_file)).expanduser()
        if not path.is_file():
            raise ConfigError(f"missing API key: {owner} api_key_file {path} is not a file")
        key = path.read_text(encoding="utf-8").strip()
        if not key:
            raise ConfigError(f"missing API key: {owner} api_key_file {path} is empty")
        return key
    if not api_key_env:
        return None
    key = os.environ.get(str(api_key_env), "").strip()
    if not key and not required:
        return None
    if not key:
        raise ConfigError(f"missing API key: environment variable {api_key_env} is not set (set it, name a "
                          f"file with {owner}.api_key_file, or {owner}.api_key_env=null for a server without auth)")
    return key
