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


def warmth_cause(exc: BaseException) -> WarmthError | None:
    """The WarmthError an exception wraps (e.g. a plugin's, under Hydra's instantiation error), if any."""
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, WarmthError):
        cause = cause.__cause__
    return cause
