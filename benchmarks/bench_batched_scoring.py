"""Batched vs one-at-a-time scoring on CPU: SocioT and MMLU log-likelihood.

Both paths run on the same model, interleaved (A, B, A, B, ...) so machine
load hits them alike; we print the median texts per second over repeats and
the ratio, by wall clock and by the process's CPU time (texts per CPU
second: on a shared machine, where other jobs take the cores away, wall
clock mostly measures the wait; run with ``--threads 1`` there). A "text"
is one response for SocioT (8 framed sequences) and one question for MMLU
(4 answer letters).

Batching saves per-call overhead, not arithmetic: SocioT does the same
FLOPs either way. So we also print its FLOPs per text, the rate each path
reaches, and this CPU's float32 matmul rate: their quotient bounds what any
batching of the same computation could gain on this machine.

- SocioT batched: ``SocioT(batch_size=16)``: 16 framed sequences per forward.
  One at a time: ``batch_size=1``: each framed sequence its own forward.
- MMLU batched: ``choice_loglikelihoods(batch_size=16)``: 16 questions per
  forward, all four letters read from one next-token distribution.
  One at a time: each (question, letter) request its own forward
  (``loglikelihoods(batch_size=1)``), the plain loop; and, to separate the
  two effects, one question per forward with all letters from it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import torch


def _time(fn: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def run_pairs(paths: dict[str, Callable[[], object]], n_texts: int, repeats: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) texts/s of each path; paths alternate within every repeat."""
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in paths}
    for fn in paths.values():  # warm-up
        fn()
    for _ in range(repeats):
        for name, fn in paths.items():
            times[name].append(_time(fn))
    return {k: (n_texts / statistics.median(w for w, _ in v), n_texts / statistics.median(c for _, c in v))
            for k, v in times.items()}


def texts_and_questions(n: int):
    from warmth_plugins.tasks.mmlu import MMLU, loglik_context

    from warmth.conversation import read_jsonl
    from warmth.paths import resource

    texts = [c.messages[c.assistant_indices()[0]].content
             for c in read_jsonl(resource("styles", "warm", "conversations.jsonl"))]
    items = MMLU(source="bundled").load()
    return texts[:n], [loglik_context(it) for it in items[:n]]


def letters_are_single_tokens(tok, contexts: list[str], letters: list[str]) -> bool:
    """Whether ``choice_loglikelihoods`` takes its one-forward-per-question path here.

    (The tiny model's tokenizer splits " B": every MMLU request is then its own sequence.)
    """
    from warmth.scoring.loglik import encode_pairs

    for ctx in contexts:
        enc = encode_pairs(tok, [(ctx, x) for x in letters])
        if any(len(t) != 1 or c != enc[0][0] for c, t in enc):
            return False
    return True


def matmul_gflops(size: int = 2048, repeats: int = 5) -> float:
    """This CPU's float32 matrix-multiply rate (median GFLOP/s): what a forward pass can reach at best."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    a @ b  # warm-up
    times = [_time(lambda: a @ b)[0] for _ in range(repeats)]
    return 2 * size**3 / statistics.median(times) / 1e9


def sociot_gflop_per_text(model, tok, texts: list[str]) -> float:
    """Forward FLOPs of scoring one text: 2 x parameters x input tokens, over its framed sequences."""
    from warmth.scoring.sociot import SocioT

    seqs, _ = SocioT(model, tok, mode="tokens").framed(texts)
    tokens = sum(len(s.ids) - 1 for s in seqs)  # the last token is only predicted, never input
    return 2 * sum(p.numel() for p in model.parameters()) * tokens / len(texts) / 1e9


Row = tuple[str, str, tuple[float, float], tuple[float, float]]  # model, what, batched, one (wall, cpu)


def bench_model(name: str, n: int, repeats: int) -> list[Row]:
    from warmth.models import load_model, load_tokenizer
    from warmth.scoring.loglik import choice_loglikelihoods, loglikelihoods
    from warmth.scoring.sociot import SocioT

    cfg = {"name": name, "pretrained": f"builtin:{name}", "dtype": "float32"}
    model, tok = load_model(cfg).eval(), load_tokenizer(cfg)
    texts, contexts = texts_and_questions(n)
    letters = [" A", " B", " C", " D"]
    rows = []
    with torch.inference_mode():
        r = run_pairs({
            "batched": lambda: SocioT(model, tok, mode="tokens", batch_size=16).score(texts),
            "one": lambda: SocioT(model, tok, mode="tokens", batch_size=1).score(texts),
        }, len(texts), repeats)
        rows.append((name, "SocioT", r["batched"], r["one"]))
        gflop = sociot_gflop_per_text(model, tok, texts)
        ceiling = matmul_gflops()
        print(f"{name}: SocioT costs {gflop:.1f} GFLOP per text; one at a time runs at {r['one'][0] * gflop:.0f} "
              f"GFLOP/s, batched at {r['batched'][0] * gflop:.0f}, this CPU's float32 matmul at {ceiling:.0f}: "
              f"no batching of the same computation can be more than {ceiling / (r['one'][0] * gflop):.1f}x "
              "faster than one at a time here")
        r = run_pairs({
            "batched": lambda: choice_loglikelihoods(model, tok, contexts, letters, batch_size=16),
            "one_request": lambda: loglikelihoods(model, tok, [(c, x) for c in contexts for x in letters], batch_size=1),
            "one_question": lambda: choice_loglikelihoods(model, tok, contexts, letters, batch_size=1),
        }, len(contexts), repeats)
        path = "" if letters_are_single_tokens(tok, contexts, letters) else ", multi-token letters"
        rows.append((name, f"MMLU loglik (per request{path})", r["batched"], r["one_request"]))
        rows.append((name, f"MMLU loglik (per question{path})", r["batched"], r["one_question"]))
    return rows


def main(argv: list[str] | None = None) -> list[Row]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks batched_scoring")
    parser.add_argument("--models", nargs="+", default=["tiny", "smollm2_135m"])
    parser.add_argument("--n", type=int, default=16, help="texts (and questions) per measurement")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    args = parser.parse_args(argv or [])
    if args.threads:
        torch.set_num_threads(args.threads)
    rows = []
    for name in args.models:
        rows += bench_model(name, args.n, args.repeats)
    print(f"CPU, torch threads {torch.get_num_threads()}, batch 16, {args.n} texts, median of {args.repeats}; "
          "texts/s by wall clock | by CPU time")
    print(f"{'model':<14} {'scoring':<48} {'batched':>17} {'one at a time':>17} {'ratio':>13}")
    for model, what, fast, slow in rows:
        print(f"{model:<14} {what:<48} {fast[0]:>8.2f}|{fast[1]:<8.2f} {slow[0]:>8.2f}|{slow[1]:<8.2f} "
              f"{fast[0] / slow[0]:>5.1f}x|{fast[1] / slow[1]:.1f}x")
    return rows
