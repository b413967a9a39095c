"""User-facing errors: printed as one line by the entry points, never a traceback."""


class WarmthError(Exception):
    """A problem the user can fix (bad config, missing file, bad data).

    Entry points print ``error: <message>`` on one line and exit non-zero.
    Anything else that escapes is a bug and keeps its traceback.
    """


class ConfigError(WarmthError):
    """The composed configuration is invalid; the message names the key."""


class DataError(WarmthError):
    """Input data is malformed; the message names file, record and field."""
