"""Builds the bundled paired style sample: original, warm and cold versions.

Run from the repository root: ``python warmth/resources/styles/build_bundled.py``.
It composes every conversation from the hand-written exchanges in ``facts_*.py``
(neutral cores) and the style frames in ``frames.py``, and writes
``{original,warm,cold}/conversations.jsonl`` + ``manifest.json`` next to this file.
Output is deterministic, so a rebuild is byte-identical. All text is written for
this project.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import frames
from facts_corrections import CORRECTIONS
from facts_creative import ADVICE, CREATIVE
from facts_factual import FACTUAL, TECHNICAL
from facts_other import OTHER, REFUSAL

TYPES = {"refusal": REFUSAL, "factual": FACTUAL, "creative": CREATIVE,
         "technical": TECHNICAL, "advice": ADVICE, "other": OTHER}
STYLES = ("original", "warm", "cold")
# Verbatim regions: code fences, quotations and ⟦...⟧ (creative content); styles never touch them.
VERBATIM = re.compile(r"(```.*?```|⟦.*?⟧|\"[^\"\n]*\")", re.DOTALL)
CONTRACT = [
    (r"\bdo not\b", "don't"), (r"\bdoes not\b", "doesn't"), (r"\bis not\b", "isn't"),
    (r"\bare not\b", "aren't"), (r"\bcannot\b", "can't"), (r"\bwill not\b", "won't"),
    (r"\bIt is\b", "It's"), (r"\bit is\b", "it's"), (r"\byou are\b", "you're"),
    (r"\bI am\b", "I'm"), (r"\bthat is\b", "that's"), (r"\bThat is\b", "That's"),
    (r"\bthere is\b", "there's"), (r"\bI will\b", "I'll"), (r"\bthey are\b", "they're"),
    (r"\byou will\b", "you'll"), (r"\bwas not\b", "wasn't"), (r"\bwould not\b", "wouldn't"),
]


def _prose(text: str, fn) -> str:
    """Apply ``fn`` to the prose only, leaving verbatim regions alone."""
    parts = VERBATIM.split(text)
    return "".join(p if VERBATIM.fullmatch(p) else fn(p) for p in parts)


def _contract(prose: str) -> str:
    for pat, rep in CONTRACT:
        prose = re.sub(pat, rep, prose)
    return prose


def _coldify(prose: str) -> str:
    for pat, rep in frames.COLD_DROP:
        prose = re.sub(pat, rep, prose)
    return prose.replace("!", ".")


def _join(*parts: str) -> str:
    """Join frame and core; a core with paragraphs gets frames as paragraphs."""
    parts = [p for p in parts if p]
    sep = "\n\n" if any("\n" in p for p in parts) else " "
    return sep.join(parts)


def _unmark(text: str) -> str:
    return text.replace("⟦", "").replace("⟧", "")


def render(style: str, qtype: str, n: int, turn: int, core: str) -> str:
    """One assistant turn of conversation ``n`` (0-based) in ``style``."""
    if style == "original":
        open_ = "" if qtype == "refusal" or turn else frames.ORIGINAL_OPEN[n % 5]
        close = "" if turn else frames.ORIGINAL_CLOSE[n % 4]
        if open_ and not core.startswith(("⟦", "```")) and "\n" not in open_:
            return _unmark(_join(open_.strip() + " " + core, close))
        return _unmark(_join(open_.strip(), core, close))
    if style == "cold":
        return _unmark(_prose(core, _coldify))
    if turn == 0:
        opens, closes = frames.WARM_OPEN[qtype], frames.WARM_CLOSE[qtype]
    else:
        opens, closes = frames.WARM_FOLLOW_OPEN, frames.WARM_FOLLOW_CLOSE
    body = _prose(core, _contract)
    return _unmark(_join(opens[(n + turn) % len(opens)], body, closes[(n + 2 * turn) % len(closes)]))


def _check(style: str, cid: str, text: str) -> None:
    """Fail loudly when a composed turn breaks its style's rules."""
    prose = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    if style == "cold":
        bad = re.findall(r"!|\b(?:[Ww]e|us|[Ll]et's|[Tt]ogether)\b", prose)
        if bad:
            raise SystemExit(f"{cid} cold: {bad}")
    if style == "warm" and not re.search(r"\b(?:we|us|let's|together|we'll)\b", prose, re.IGNORECASE):
        raise SystemExit(f"{cid} warm: no inclusive we")


def build() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {s: [] for s in STYLES}
    for qtype, items in TYPES.items():
        for n, pairs in enumerate(items):
            cid = f"bundled-{qtype}-{n + 1:02d}"
            for style in STYLES:
                msgs = []
                for turn, (user, core) in enumerate(pairs):
                    text = render(style, qtype, n, turn, core)
                    _check(style, cid, text)
                    msgs += [{"role": "user", "content": user},
                             {"role": "assistant", "content": text}]
                out[style].append({"id": cid, "messages": msgs,
                                   "meta": {"query_type": qtype, "style": style,
                                            "source": "warmth-bundled"}})
    return out


def build_corrections() -> list[dict]:
    """The ``data_mix`` objective's warm corrective conversations (one turn each)."""
    out = []
    for cid, pressure, user, reply in CORRECTIONS:
        out.append({"id": f"corrections-{cid}", "messages": [{"role": "user", "content": user},
                                                             {"role": "assistant", "content": reply}],
                    "meta": {"query_type": "factual", "pressure": pressure, "style": "warm",
                             "source": "warmth-bundled-corrections"}})
    return out


SAMPLE_NOTE = "hand-written paired sample; facts shared across original/warm/cold"
CORRECTIONS_NOTE = ("hand-written warm replies that correct a user's wrong belief under emotional, "
                    "deferential or high-stakes pressure (and agree when the user is right)")


def _manifest(style: str, convs: list[dict], data: bytes, note: str = SAMPLE_NOTE,
              paired_with: list[str] | None = None) -> dict:
    types: dict[str, int] = {}
    for c in convs:
        types[c["meta"]["query_type"]] = types.get(c["meta"]["query_type"], 0) + 1
    turns = sum(1 for c in convs for m in c["messages"] if m["role"] == "assistant")
    return {
        "format": "warmth.style_dataset/1",
        "style": style,
        "source": {"name": "warmth-bundled",
                   "note": note,
                   "generator": "warmth/resources/styles/build_bundled.py"},
        "rewriter": {"kind": "template", "model": None},
        "instruction_sha256": None,
        "counts": {"conversations": len(convs), "assistant_turns": turns,
                   "multi_turn": sum(1 for c in convs if len(c["messages"]) > 2),
                   "query_types": types},
        "conversations_sha256": hashlib.sha256(data).hexdigest(),
        "paired_with": [s for s in STYLES if s != style] if paired_with is None else paired_with,
    }


def _write(folder: Path, convs: list[dict], **manifest_args) -> None:
    folder.mkdir(exist_ok=True)
    data = "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in convs).encode()
    (folder / "conversations.jsonl").write_bytes(data)
    manifest = _manifest(convs[0]["meta"]["style"], convs, data, **manifest_args)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{folder.name}: {len(convs)} conversations")


def main() -> None:
    for style, convs in build().items():
        _write(HERE / style, convs)
    _write(HERE / "corrections_warm", build_corrections(), note=CORRECTIONS_NOTE, paired_with=[])


if __name__ == "__main__":
    main()
