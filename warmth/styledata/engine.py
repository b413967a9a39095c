"""Rewrites every assistant turn of a selection, resumably, through a rewriter backend.

Order of lookup for each turn: the output folder's turn log (``resumed``), the
on-disk cache (``cache_hits``), then the backend (``model_calls``). Results are
appended to the log as each group arrives, so an interrupted run loses only the
requests in flight; the final JSONL is assembled from the log in selection
order, so a resumed run writes the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from warmth.conversation import Conversation, Message
from warmth.styledata.cache import DiskCache
from warmth.styledata.checks import check_turn, summarize
from warmth.styledata.prompt import build_messages, cache_key, instruction_hash
from warmth.styledata.rewriter import Request, Rewriter
from warmth.styledata.turnlog import TurnLog

log = logging.getLogger(__name__)
MAX_LOCATIONS = 50


@dataclass
class Outcome:
    conversations: list[Conversation]
    counts: Counter = field(default_factory=Counter)
    failures: dict[str, Any] = field(default_factory=dict)
    incomplete: list[dict[str, Any]] = field(default_factory=list)
    flags: dict[str, Any] = field(default_factory=dict)


def _requests(convs: list[Conversation], instruction: str, rewriter: Rewriter,
              context_chars: int) -> list[Request]:
    ih = instruction_hash(instruction)
    settings = rewriter.settings()
    out = []
    for conv in convs:
        for i in conv.assistant_indices():
            msgs = build_messages(conv, i, instruction, context_chars)
            key = cache_key(ih, rewriter.model_id, rewriter.temperature, settings, msgs)
            out.append(Request(conv.id, i, key, msgs, conv.messages[i].content))
    return out


def rewrite(convs: list[Conversation], instruction: str, rewriter: Rewriter, out_dir: Path,
            cache: DiskCache | None, style: str, context_chars: int = 6000,
            min_ratio: float = 0.5, max_ratio: float = 2.0, progress: bool = True) -> Outcome:
    counts: Counter = Counter()
    fail_reasons: Counter = Counter()
    fail_locs: list[str] = []
    turnlog = TurnLog(out_dir / "turns.jsonl")
    requests = _requests(convs, instruction, rewriter, context_chars)
    counts["assistant_turns"] = len(requests)
    pending: list[Request] = []
    from_cache = []
    for req in requests:
        if turnlog.finished(req.id, req.turn, req.key):
            counts["resumed"] += 1
            continue
        text = cache.get(req.key) if cache else None
        if text is not None:
            counts["cache_hits"] += 1
            from_cache.append(_entry(req, text, rewriter, "cache"))
        else:
            pending.append(req)
    turnlog.append(from_cache)
    log.info("rewrite: %d turns: %d resumed, %d from cache, %d to the model",
             len(requests), counts["resumed"], counts["cache_hits"], len(pending))
    if pending:
        rewriter.check()
        bar = tqdm(total=len(pending), desc=f"rewriting ({style})", unit=" turn", disable=not progress)
        try:
            for group in rewriter.rewrite(pending):
                done = []
                for res in group:
                    counts["model_calls"] += 1 + res.retried
                    text = strip_wrapper(res.text or "")
                    reason = res.error or (None if text else "empty_output")
                    if reason:
                        fail_reasons[reason.split(":")[0]] += 1
                        if len(fail_locs) < MAX_LOCATIONS:
                            fail_locs.append(f"{res.request.id} turn {res.request.turn}: {reason}")
                        continue
                    if cache:
                        cache.put(res.request.key, text, {"model": rewriter.model_id})
                    done.append(_entry(res.request, text, rewriter, "model"))
                turnlog.append(done)
                bar.update(len(group))
        finally:
            bar.close()
            rewriter.close()
    return _assemble(convs, requests, turnlog, style, rewriter.model_id, counts, fail_reasons,
                     fail_locs, min_ratio, max_ratio)


def strip_wrapper(text: str) -> str:
    """Drop the ``<reply>`` tags of our prompt when a model echoes them around its answer."""
    text = text.strip()
    if text.startswith("<reply>") and text.endswith("</reply>"):
        text = text[len("<reply>"):-len("</reply>")].strip()
    return text


def _entry(req: Request, text: str, rewriter: Rewriter, origin: str) -> dict[str, Any]:
    return {"id": req.id, "turn": req.turn, "key": req.key, "text": text,
            "model": rewriter.model_id, "origin": origin}


def _assemble(convs, requests, turnlog, style, model_id, counts, fail_reasons, fail_locs,
              min_ratio, max_ratio) -> Outcome:
    keys = {(r.id, r.turn): r.key for r in requests}
    written, incomplete, per_turn = [], [], []
    for conv in convs:
        missing, msgs, flags = [], [], {}
        for i, m in enumerate(conv.messages):
            if m.role != "assistant":
                msgs.append(Message(m.role, m.content))
                continue
            rec = turnlog.finished(conv.id, i, keys[(conv.id, i)])
            if rec is None:
                missing.append(i)
                continue
            f = check_turn(m.content, rec["text"], min_ratio, max_ratio)
            per_turn.append((conv.id, i, f))
            if f:
                flags[str(i)] = f
            msgs.append(Message("assistant", rec["text"]))
        if missing:
            incomplete.append({"id": conv.id, "missing_turns": missing})
            continue
        meta = {**conv.meta, "style": style, "rewriter": model_id}
        if flags:
            meta["flags"] = flags
        written.append(Conversation(conv.id, msgs, meta))
    counts["conversations_written"] = len(written)
    counts["incomplete_conversations"] = len(incomplete)
    counts["failed"] = sum(fail_reasons.values())
    failures = {"by_reason": dict(sorted(fail_reasons.items())), "locations": fail_locs}
    return Outcome(written, counts, failures, incomplete, summarize(per_turn))
