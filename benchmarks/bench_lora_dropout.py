"""What LoRA dropout costs in a training step, by the torch profiler and by the clock.

peft applies each adapter's dropout to that layer's full input (``[B, T,
hidden]``), one fresh mask per adapted module: with q/k/v/o adapted, four
masks per layer, three of them over the same input. We profile one
forward + backward of the LoRA model on a ``--batch`` x ``--length`` row of
real tokens and report the share of CPU time spent in dropout kernels
(mask sampling and the masked multiply), then time the step with dropout
0.1 and 0.0, interleaved, median of ``--repeats``.

Then the same with compiled decoder layers (``trainer.compile``'s
``compile_decoder_layers``, Inductor): dropout 0.1 as a compiled run draws it
on the CPU (counter dropout, ``warmth/models/counter_dropout.py``), 0.1 with
Inductor's own per-element draws (the lever off), and 0.0, interleaved; the
first step of each compiles and is left out.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

MARKDOWN = True


def lora_model(name: str, dropout: float, targets: list[str], compiled: bool = False, counter: bool = True):
    from peft import LoraConfig, get_peft_model

    from warmth.models import load_model
    from warmth.models.compiled_layers import compile_decoder_layers

    model = load_model({"name": name, "pretrained": f"builtin:{name}", "dtype": "float32"})
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=dropout,
                                             target_modules=targets, task_type="CAUSAL_LM"))
    if compiled:
        compile_decoder_layers(model, on_cpu=True, counter_dropout=counter)
    return model.train()


def interleaved(models: dict, ids: torch.Tensor, repeats: int) -> dict[str, float]:
    """Median step seconds per model, the models taking turns (after one warm-up step each)."""
    for m in models.values():
        step(m, ids)
    times: dict[str, list[float]] = {k: [] for k in models}
    for _ in range(repeats):
        for k, m in models.items():
            t0 = time.perf_counter()
            step(m, ids)
            times[k].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in times.items()}


def step(model, ids: torch.Tensor) -> None:
    out = model(input_ids=ids, labels=ids, use_cache=False)
    out.loss.backward()
    model.zero_grad(set_to_none=True)


def dropout_share(model, ids: torch.Tensor) -> tuple[float, float]:
    """(share of a training forward's CPU time inside ``aten::dropout``, forward ms), by the profiler.

    ``aten::dropout``'s inclusive time holds its mask sampling and masked multiply;
    the backward's multiply by the mask is not separable from other products, so we
    report the forward's share (the step-time ratio covers both).
    """
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        out = model(input_ids=ids, labels=ids, use_cache=False)
    del out
    events = prof.key_averages()
    total = sum(e.self_cpu_time_total for e in events)
    drop = sum(e.cpu_time_total for e in events if e.key == "aten::dropout")
    return drop / max(total, 1), total / 1e3


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks lora_dropout")
    parser.add_argument("--model", default="smollm2_135m")
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv or [])
    targets = ["q_proj", "k_proj", "v_proj", "o_proj"]
    torch.manual_seed(0)
    models = {p: lora_model(args.model, p, targets) for p in (0.1, 0.0)}
    vocab = models[0.1].get_input_embeddings().weight.shape[0]
    ids = torch.randint(0, vocab, (args.batch, args.length))
    load0 = os.getloadavg()[0]
    step(models[0.1], ids)  # warm-up before the profile
    share, profiled_ms = dropout_share(models[0.1], ids)
    eager = interleaved(models, ids, args.repeats)
    del models
    compiled = interleaved({"counter": lora_model(args.model, 0.1, targets, compiled=True),
                            "inductor": lora_model(args.model, 0.1, targets, compiled=True, counter=False),
                            "none": lora_model(args.model, 0.0, targets, compiled=True)}, ids, args.repeats)
    print(f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {args.model}, LoRA r 8 on "
          f"{'/'.join(t[0] for t in targets)}, one forward + backward of {args.batch} x {args.length} tokens, "
          f"float32 CPU, torch threads {torch.get_num_threads()}, median of {args.repeats}; load average "
          f"(1 min) {load0:.1f} at start, {os.getloadavg()[0]:.1f} at end.")
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| share of a training forward's CPU time in dropout (0.1), profiler, eager | {share:.1%} "
          f"(of {profiled_ms:.0f} ms) |")
    print(f"| step time, eager, dropout 0.1 (peft's) | {eager[0.1]:.2f} s |")
    print(f"| step time, eager, dropout 0.0 | {eager[0.0]:.2f} s |")
    print(f"| eager, dropout 0.1 over 0.0 | {eager[0.1] / eager[0.0]:.2f}x |")
    print(f"| step time, compiled, dropout 0.1 (counter dropout) | {compiled['counter']:.2f} s |")
    print(f"| step time, compiled, dropout 0.1 (Inductor's draws) | {compiled['inductor']:.2f} s |")
    print(f"| step time, compiled, dropout 0.0 | {compiled['none']:.2f} s |")
    print(f"| compiled, counter dropout over Inductor's draws | {compiled['counter'] / compiled['inductor']:.2f}x |")
    print(f"| compiled, dropout 0.1 over 0.0 (counter; Inductor's) | {compiled['counter'] / compiled['none']:.2f}x; "
          f"{compiled['inductor'] / compiled['none']:.2f}x |")
    return {"share": share, "with": eager[0.1], "without": eager[0.0], **{f"compiled_{k}": v for k, v in compiled.items()}}
