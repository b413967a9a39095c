"""Style datasets: load source conversations, select a balanced subset, rewrite it in a style.

Stages (each its own module): ``jsonstream``/``roles`` (loading with counted skips),
``filters`` (content filter), ``labels`` (query types), ``sampling`` (truncation,
balanced sample), ``select`` (the pipeline), ``engine`` (resumable, cached
rewriting), ``checks`` (content preservation), ``manifest`` (output folder).
"""

import warmth.resolvers  # noqa: F401  (${bundled:...} for conf/style/*.yaml)
from warmth.styledata.labels import QUERY_TYPES, label_conversation, label_pair
from warmth.styledata.manifest import read_manifest
from warmth.styledata.report import LoadReport

__all__ = ["QUERY_TYPES", "LoadReport", "label_conversation", "label_pair", "read_manifest"]
