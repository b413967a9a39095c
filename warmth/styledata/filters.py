"""Content filter stage: drop NSFW conversations before anything is rewritten.

The study used the Detoxify classifier. We use it when the ``detoxify`` package is
installed *and* its checkpoint is already on disk (we never download during a
run); otherwise a keyword filter runs. Which one ran, and why, goes into the
manifest's provenance.

Keyword filter (documented behaviour): a conversation is dropped when any message
contains one of ``KEYWORDS`` as a whole word (case-insensitive), or a term from
the optional ``keywords_file`` (one term per line, ``#`` comments). The list
targets sexually explicit content, the study's filter target; it is
deliberately short and high-precision (no anatomy or crime terms that medical
or legal questions use), so it misses euphemisms.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from warmth.conversation import Conversation
from warmth.errors import ConfigError

KEYWORDS = (
    "porn", "porno", "pornographic", "pornography", "nsfw", "hentai", "xxx",
    "blowjob", "handjob", "masturbate", "masturbating", "masturbation", "orgasm",
    "orgasms", "erotic", "erotica", "nudes", "sexting", "fetish", "bdsm", "dildo",
    "clitoris", "horny", "incest", "pedophile", "sex slave", "stripper", "onlyfans",
    "camgirl", "escort service", "threesome", "milf", "sex scene", "sexual fantasy",
)
DETOXIFY_LABELS = ("sexual_explicit", "obscene")


def _detoxify_checkpoint() -> Path | None:
    """A Detoxify checkpoint already in the torch hub cache, if any."""
    hub = Path(os.environ.get("TORCH_HOME", Path.home() / ".cache" / "torch")) / "hub" / "checkpoints"
    if not hub.is_dir():
        return None
    found = sorted(hub.glob("toxic_*.ckpt")) + sorted(hub.glob("*unbiased*.ckpt"))
    return found[0] if found else None


class ContentFilter:
    """Callable stage: ``keep(conv) -> (bool, reason)``; ``provenance()`` for the manifest."""

    def __init__(self, method: str = "auto", threshold: float = 0.5,
                 keywords_file: str | None = None):
        if method not in ("auto", "detoxify", "keywords", "none"):
            raise ConfigError(f"filter.method={method!r}: use auto, detoxify, keywords or none")
        self.threshold = float(threshold)
        self.note = ""
        self._model = None
        terms = list(KEYWORDS)
        if keywords_file:
            path = Path(keywords_file).expanduser()
            if not path.is_file():
                raise ConfigError(f"filter.keywords_file {path}: file not found")
            terms += [t.strip() for t in path.read_text(encoding="utf-8").splitlines()
                      if t.strip() and not t.startswith("#")]
        self._terms = tuple(sorted({t.lower() for t in terms}))
        self._pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in terms) + r")\b", re.IGNORECASE)
        self.method = self._choose(method)

    def _choose(self, method: str) -> str:
        if method in ("keywords", "none"):
            return method
        ckpt = _detoxify_checkpoint()
        try:
            from detoxify import Detoxify
        except ImportError:
            if method == "detoxify":
                raise ConfigError("filter.method=detoxify but the detoxify package is not installed")
            self.note = "detoxify not installed"
            return "keywords"
        if ckpt is None:
            if method == "detoxify":
                raise ConfigError("filter.method=detoxify but no Detoxify checkpoint is cached "
                                  "(torch hub checkpoints); run Detoxify once online")
            self.note = "detoxify checkpoint not cached"
            return "keywords"
        try:
            kind = "unbiased" if "unbiased" in ckpt.name else "original"
            self._model = Detoxify(kind, checkpoint=str(ckpt), device="cpu")
        except Exception as exc:  # noqa: BLE001 - offline tokenizer lookups fail variously
            if method == "detoxify":
                raise ConfigError(f"filter.method=detoxify: cannot load {ckpt.name} ({exc})") from None
            self.note = f"detoxify failed to load ({type(exc).__name__})"
            return "keywords"
        self.note = f"checkpoint {ckpt.name}"
        return "detoxify"

    def keep(self, conv: Conversation) -> tuple[bool, str]:
        if self.method == "none":
            return True, ""
        if self.method == "keywords":
            text = "\n".join(m.content for m in conv.messages)
            low = text.lower()
            if not any(t in low for t in self._terms):  # fast substring pre-check
                return True, ""
            hit = self._pattern.search(text)
            if hit:
                return False, f"keyword:{hit.group(0).lower()}"
            return True, ""
        texts = [m.content[:2000] for m in conv.messages]
        scores = self._model.predict(texts)
        for label in DETOXIFY_LABELS:
            if label in scores and max(scores[label]) >= self.threshold:
                return False, f"detoxify:{label}"
        if (not any(label in scores for label in DETOXIFY_LABELS)
                and max(scores.get("toxicity", [0.0])) >= self.threshold):
            return False, "detoxify:toxicity"
        return True, ""

    def provenance(self) -> dict[str, Any]:
        return {"method": self.method, "threshold": self.threshold if self.method == "detoxify" else None,
                "note": self.note,
                "keywords": len(self._terms) if self.method == "keywords" else None}
