"""LoRA fine-tuning, warmth against TRL's ``SFTTrainer``: same model, data, settings, machine.

    python -m benchmarks train_vs_trl                                  # the full benchmark
    python -m benchmarks train_vs_trl --conversations 24 --repeats 1   # a reduced size

SmolLM2-135M-Instruct (the bundled weights), the first ``--conversations``
ShareGPT conversations whose turns strictly alternate user/assistant, each cut
to its first 4 messages; rows of at most 512 tokens; micro-batch 4 x
accumulation 4; LoRA r 8, alpha 16, dropout 0.1 on q/k/v/o; lr 1e-5; float32
on the CPU; seed 42. Settings:

- TRL, assistant-only loss (our ``{% generation %}`` copy of the model's
  template, byte-identical, see ``generation_template.py``), padded / packed;
- TRL, full-sequence loss (the only loss TRL offers with SmolLM2's own
  template), padded / packed (TRL's packing is best-fit-decreasing and
  padding-free: each micro-batch is one flattened row);
- warmth (the real ``warmth.train`` path), padded / packed, each also with
  ``trainer.compile=true`` (decoder layers compiled by torch.compile; the
  compile happens in the first steps and is counted in the epoch).

``--checkpointing`` picks gradient checkpointing: each side's default (TRL on,
warmth off), on or off for both, or ``both`` (every setting once with it on and
once with it off, so memory compares at the same setting); ratios pair rows of
one mode. Each setting runs one epoch (or ``--max-steps`` optimizer steps, then the epoch
time is extrapolated: the measured steps, compiles included, plus the median
later step for each step not run, and says so) in its own
subprocess, so its peak RSS is its own; settings alternate within each
repeat and the table shows medians. Timing counts optimizer steps only (both
sides' step hooks; model loading, tokenisation and logging are outside it).
Trained tokens are counted from the batches on both sides the same way
(:func:`warmth.throughput.batch_counts`); model FLOPs are
:func:`warmth.throughput.flops_per_token` x real tokens, compared with this
machine's float32 matmul rate measured in the same invocation, before and after each run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

MARKDOWN = True  # the runner writes this benchmark's output into BENCHMARKS.md as it is
REPO = Path(__file__).resolve().parents[1]
SETTINGS = {  # name: (side, loss, packing)
    "trl_assistant_padded": ("trl", "assistant", False),
    "trl_assistant_packed": ("trl", "assistant", True),
    "trl_full_padded": ("trl", "full", False),
    "trl_full_packed": ("trl", "full", True),
    "warmth_padded": ("warmth", "assistant", False),
    "warmth_packed": ("warmth", "assistant", True),
    "warmth_padded_compiled": ("warmth", "assistant", False),
    "warmth_packed_compiled": ("warmth", "assistant", True),
    "warmth_packed_compiled_kept": ("warmth", "assistant", True),
}
COMPILED = frozenset({"warmth_padded_compiled", "warmth_packed_compiled", "warmth_packed_compiled_kept"})
KEPT = frozenset({"warmth_packed_compiled_kept"})  # trainer.reuse_freed_memory=true
MODES = {  # --checkpointing: the gradient-checkpointing flags of each mode run, per side
    "default": [{"trl": True, "warmth": False}],  # each side's own default
    "on": [{"trl": True, "warmth": True}],
    "off": [{"trl": False, "warmth": False}],
    "both": [{"trl": True, "warmth": True}, {"trl": False, "warmth": False}],
}
MAX_MESSAGES = 4
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]
RESULT = "RESULT "


# -- data -----------------------------------------------------------------
def alternating(conv) -> bool:
    """User, assistant, user, ... with no system turn and no two turns of a side in a row."""
    return all(m.role == ("user", "assistant")[i % 2] for i, m in enumerate(conv.messages))


def benchmark_conversations(n: int, source: str | None = None) -> list:
    """The first ``n`` strictly alternating ShareGPT conversations, each cut to 4 messages."""
    from warmth_plugins.sources.sharegpt import ShareGPTSource

    from warmth.conversation import Conversation
    from warmth.resolvers import sharegpt_file

    convs = (c for c in ShareGPTSource(source or sharegpt_file(), progress=False) if alternating(c))
    out = [Conversation(c.id, c.messages[:MAX_MESSAGES], c.meta) for c in islice(convs, n)]
    if len(out) < n:
        raise SystemExit(f"only {len(out)} alternating conversations in the ShareGPT file, asked for {n}")
    return out


# -- one setting, in its own process ----------------------------------------
def _steps_from(times: list[float], counts: list[list[float]], steps_per_epoch: int, n_params: int,
                n_trained: int) -> dict:
    return {"step_s": times, "counts": counts, "steps_per_epoch": steps_per_epoch,
            "n_params": n_params, "n_trained": n_trained,
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}


def run_trl(data_dir: Path, model_name: str, loss: str, packing: bool, checkpointing: bool,
            max_steps: int, max_length: int) -> dict:
    import torch
    from datasets import Dataset
    from omegaconf import OmegaConf
    from peft import LoraConfig
    from transformers import TrainerCallback
    from trl import SFTConfig, SFTTrainer

    from benchmarks.generation_template import marked_template
    from warmth.conversation import read_jsonl
    from warmth.models import load_model, load_tokenizer
    from warmth.throughput import batch_counts, matmul_params

    cfg = OmegaConf.load(REPO / "conf" / "model" / f"{model_name}.yaml")
    model, tok = load_model(cfg, dtype="float32"), load_tokenizer(cfg)
    if loss == "assistant":
        tok.chat_template = marked_template(tok)
    rows = [{"messages": c.chat()} for c in read_jsonl(data_dir / "conversations.jsonl")]
    counts: list[list[float]] = []
    times: list[float] = []

    class Counting(SFTTrainer):
        def training_step(self, model, inputs, num_items_in_batch=None):
            c = batch_counts(inputs, tok.pad_token_id).tolist()
            if self._new_step:
                counts.append(c)
                self._new_step = False
            else:
                counts[-1] = [a + b for a, b in zip(counts[-1], c)]
            return super().training_step(model, inputs, num_items_in_batch)

    class Clock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            trainer._new_step = True
            self.t0 = time.perf_counter()

        def on_step_end(self, args, state, control, **kw):
            times.append(time.perf_counter() - self.t0)

    with tempfile.TemporaryDirectory() as out:
        args = SFTConfig(
            output_dir=out, per_device_train_batch_size=4, gradient_accumulation_steps=4,
            learning_rate=1e-5, num_train_epochs=1, max_steps=max_steps or -1, max_length=max_length,
            packing=packing, assistant_only_loss=loss == "assistant",
            gradient_checkpointing=checkpointing, seed=42, use_cpu=True, bf16=False,
            report_to="none", save_strategy="no", disable_tqdm=True, dataloader_num_workers=0,
        )
        lora = LoraConfig(r=8, lora_alpha=16, lora_dropout=0.1, target_modules=TARGETS, task_type="CAUSAL_LM")
        trainer = Counting(model=model, args=args, train_dataset=Dataset.from_list(rows),
                           processing_class=tok, peft_config=lora, callbacks=[Clock()])
        trainer._new_step = True
        steps_per_epoch = math.ceil(len(trainer.get_train_dataloader()) / 4)
        torch.manual_seed(42)
        trainer.train()
    return _steps_from(times, counts, steps_per_epoch, *matmul_params(trainer.model))


def run_warmth(data_dir: Path, model_name: str, packing: bool, checkpointing: bool, max_steps: int,
               max_length: int, compile_layers: bool = False, keep_freed: bool = False) -> dict:
    """The real ``warmth.train`` path; per-step times and counts come from its perf/* log."""
    import csv

    from hydra import compose, initialize_config_dir

    import warmth.resolvers  # noqa: F401
    from warmth.data.datamodule import ChatDataModule
    from warmth.models import load_tokenizer
    from warmth.module import ChatLM
    from warmth.throughput import matmul_params
    from warmth.train import train

    with tempfile.TemporaryDirectory() as run, initialize_config_dir(str(REPO / "conf"), version_base="1.3"):
        cfg = compose("train", [
            f"model={model_name}", "eval=none", "logger=csv", f"style.dataset={data_dir}", "seed=42",
            f"data.max_length={max_length}", f"data.packing={packing}", "trainer.micro_batch_size=4",
            "trainer.effective_batch_size=16", "trainer.lr=1e-5", "peft.r=8", "peft.alpha=16",
            "peft.dropout=0.1", f"peft.target_modules=[{','.join(TARGETS)}]", "trainer.precision=32-true",
            "trainer.accelerator=cpu", "trainer.devices=1", f"trainer.gradient_checkpointing={checkpointing}",
            f"trainer.max_steps={max_steps or -1}", "trainer.enable_progress_bar=false",
            "trainer.checkpoint_epochs=[1]", f"trainer.compile={compile_layers}",
            f"trainer.reuse_freed_memory={keep_freed}", f"run_dir={run}"])
        train(cfg)
        with open(next(Path(run).glob("csv/version_*/metrics.csv"))) as f:
            logged = [r for r in csv.DictReader(f) if r.get("perf/s_per_step")]
    times = [float(r["perf/s_per_step"]) for r in logged]
    counts = [[round(float(r["perf/trained_tokens_per_s"]) * t), round(float(r["perf/token_slots_per_s"]) * t),
               round(float(r["perf/real_token_fraction"]) * float(r["perf/token_slots_per_s"]) * t)]
              for r, t in zip(logged, times)]
    tok = load_tokenizer(cfg.model)
    dm = ChatDataModule(tok, cfg.data, data_dir, batch_size=4)
    lm = ChatLM(cfg.model, cfg.peft, cfg.trainer, tok)
    lm.configure_model()
    return _steps_from(times, counts, math.ceil(dm.num_rows / 16), *matmul_params(lm))


def child(spec: dict) -> dict:
    side, loss, packing = SETTINGS[spec["setting"]]
    common = {"data_dir": Path(spec["data_dir"]), "model_name": spec["model"], "packing": packing,
              "checkpointing": spec["checkpointing"][side], "max_steps": spec["max_steps"],
              "max_length": spec["max_length"]}
    if spec.get("threads"):
        import torch

        torch.set_num_threads(int(spec["threads"]))
    if side == "trl":
        return run_trl(loss=loss, **common)
    return run_warmth(**common, compile_layers=spec["setting"] in COMPILED, keep_freed=spec["setting"] in KEPT)


def run_setting(spec: dict) -> dict:
    """One setting in a fresh interpreter; its last stdout line is the result."""
    env = dict(os.environ, HF_HUB_OFFLINE="1", WANDB_MODE="offline", TOKENIZERS_PARALLELISM="false")
    proc = subprocess.run([sys.executable, "-m", "benchmarks.bench_train_vs_trl", "--child", json.dumps(spec)],
                          cwd=str(REPO), capture_output=True, text=True, env=env, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(RESULT)]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"{spec['setting']} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads(lines[-1][len(RESULT):])


# -- summary --------------------------------------------------------------
def summarise(r: dict, matmul: float) -> dict:
    """Epoch time, s/step and model FLOP/s (warm-up step left out when there are more), rates of one run.

    ``model_gflops`` leaves the first step out, as the issue's own measurement did (one
    warm-up step, then timed steps): a compiled run compiles there. ``model_gflops_all``
    counts every step, the compile included. ``matmul``: this machine's float32 matmul rate
    beside this run (GFLOP/s); ``model_share`` and ``model_share_all`` are the two rates' shares
    of it.
    """
    times, counts = r["step_s"], r["counts"]
    total = sum(times)
    trained, slots, real = (sum(c[i] for c in counts) for i in range(3))
    first = 1 if len(times) > 1 else 0
    steady = times[first:]
    full = len(times) >= r["steps_per_epoch"]
    per_token = 4 * r["n_params"] + 2 * r["n_trained"]
    out = {
        "epoch_s": total if full else total + statistics.median(steady) * (r["steps_per_epoch"] - len(times)),
        "extrapolated": not full, "steps": len(times), "steps_per_epoch": r["steps_per_epoch"],
        "s_per_step": statistics.median(steady), "trained": trained,
        "trained_per_s": trained / total, "slots_per_s": slots / total, "real_fraction": real / slots,
        "model_gflops": per_token * sum(c[2] for c in counts[first:]) / sum(steady) / 1e9,
        "model_gflops_all": per_token * real / total / 1e9, "peak_rss_gib": r["peak_rss_bytes"] / 2**30,
    }
    return {**out, "matmul": matmul, "model_share": out["model_gflops"] / matmul,
            "model_share_all": out["model_gflops_all"] / matmul}


def medians(runs: list[dict]) -> dict:
    out = dict(runs[0])
    for key in ("epoch_s", "s_per_step", "trained_per_s", "slots_per_s", "real_fraction", "model_gflops",
                "model_gflops_all", "model_share", "model_share_all", "peak_rss_gib"):
        out[key] = statistics.median(r[key] for r in runs)
    return out


def machine() -> str:
    """CPU, core count and the versions that matter (read from metadata: importing TRL is slow)."""
    from importlib.metadata import version

    import torch

    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = ", ".join(f"{p} {version(p)}" for p in ("torch", "transformers", "peft", "trl", "lightning"))
    return (f"{cpu}, {os.cpu_count()} logical CPUs, torch threads {torch.get_num_threads()}; "
            f"Python {platform.python_version()}, {versions}")


def onoff(flag: bool) -> str:
    return "on" if flag else "off"


def mode_label(gc: dict) -> str:
    """``checkpointing on`` where both sides agree, else each side's flag."""
    if gc["trl"] == gc["warmth"]:
        return f"checkpointing {onoff(gc['trl'])}"
    return f"checkpointing TRL {onoff(gc['trl'])}, warmth {onoff(gc['warmth'])}"


def fastest_pair(rows: dict[str, dict], suffix: str) -> list[str]:
    """The line comparing warmth's fastest row with TRL's fastest (assistant-only loss) among ``rows``."""
    trl_rows = {k: v for k, v in rows.items() if v["setting"].startswith("trl_assistant")}
    ours_rows = {k: v for k, v in rows.items() if v["setting"].startswith("warmth")}
    if not (trl_rows and ours_rows):
        return []
    best_trl = min(trl_rows, key=lambda k: trl_rows[k]["epoch_s"])
    best = min(ours_rows, key=lambda k: ours_rows[k]["epoch_s"])
    ours, theirs = ours_rows[best], trl_rows[best_trl]
    return [(f"- fastest against fastest{suffix} ({best} vs {best_trl}): epoch "
             f"{theirs['epoch_s'] / ours['epoch_s']:.2f}x shorter, "
             f"peak RSS {ours['peak_rss_gib'] / theirs['peak_rss_gib']:.2f}x")]


def report(rows: dict[str, dict], args, matmuls: list[float], load: tuple[float, float]) -> str:
    """The table (one row per setting and checkpointing mode) and warmth/TRL ratios within each mode.

    ``matmuls``: the matmul rates measured before each run and after the last, in order. Each
    row's model-FLOPs share is the median over its runs of the share of the higher rate measured
    around that run (``summarise``): the machine's rate drifts by 10-40% over an hour-long
    invocation, so one rate for all runs misstates the runs far from where it was measured, and
    a rate measured while something else ran is too low, and would flatter the fraction.
    """
    lines = [
        (f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: model {args.model}, "
         f"{args.conversations} conversations, max length {args.max_length}, median of {args.repeats} "
         f"repeat(s){'' if not args.max_steps else f', at most {args.max_steps} optimizer steps per run'}."),
        f"Machine: {machine()}.",
        (f"Load average (1 min) at start {load[0]:.1f}, at end {load[1]:.1f} on {os.cpu_count()} CPUs: "
         "where it exceeds the CPU count, other jobs shared the cores and absolute times are slower "
         "than on an idle machine; the ratios come from the same invocation, settings interleaved."),
        (f"This machine's float32 matmul rate (2048^3, same invocation), measured before each run and after "
         f"the last: {min(matmuls):.0f} to {max(matmuls):.0f} GFLOP/s ({', '.join(f'{m:.0f}' for m in matmuls)}); "
         "each run's model FLOPs are counted against the higher of the two measurements around it."),
        "",
        ("| setting | packing | grad. checkpointing | steps | time / epoch (s) | s / opt. step | trained tok/s "
         "| token slots/s | real-token fraction | model GFLOP/s (of matmul rate) | ... with the first step "
         "| peak RSS (GiB) |"),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows.values():
        name = r["setting"]
        side, loss, packing = SETTINGS[name]
        what = ({"trl": "TRL", "warmth": "warmth"}[side] + (", full-sequence loss" if loss == "full" else "")
                + (", compiled" if name in COMPILED else "") + (", freed memory kept" if name in KEPT else ""))
        epoch = f"{r['epoch_s']:.1f}" + (" (extrapolated)" if r["extrapolated"] else "")
        lines.append(
            f"| {what} | {onoff(packing)} | {onoff(r['gc'][side])} | {r['steps']}/{r['steps_per_epoch']} | "
            f"{epoch} | {r['s_per_step']:.2f} | {r['trained_per_s']:.1f} | {r['slots_per_s']:.1f} | "
            f"{r['real_fraction']:.3f} | {r['model_gflops']:.1f} ({r['model_share']:.0%}) | "
            f"{r['model_gflops_all']:.1f} ({r['model_share_all']:.0%}) | {r['peak_rss_gib']:.2f} |")
    lines += ["", ("Ratios (warmth / TRL, assistant-only loss on both sides, same checkpointing mode; > 1 = "
                   "warmth faster, for memory: warmth's RSS over TRL's):"), ""]
    modes = list(dict.fromkeys(mode_label(r["gc"]) for r in rows.values()))
    for mode in modes:
        mode_rows = {k: r for k, r in rows.items() if mode_label(r["gc"]) == mode}
        in_mode = {r["setting"]: r for r in mode_rows.values()}
        suffix = f" ({mode})" if len(modes) > 1 else ""
        for p, variant in (("padded", ""), ("packed", ""), ("padded", "_compiled"), ("packed", "_compiled"),
                           ("packed", "_compiled_kept")):
            ours, theirs = in_mode.get(f"warmth_{p}{variant}"), in_mode.get(f"trl_assistant_{p}")
            if ours and theirs:
                lines.append(f"- {p}{variant.replace('_', ', ')}{suffix}: epoch "
                             f"{theirs['epoch_s'] / ours['epoch_s']:.2f}x shorter, trained tokens/s "
                             f"{ours['trained_per_s'] / theirs['trained_per_s']:.2f}x, peak RSS "
                             f"{ours['peak_rss_gib'] / theirs['peak_rss_gib']:.2f}x")
        lines += fastest_pair(mode_rows, suffix)
    if len(modes) > 1:
        lines += fastest_pair(rows, " (any mode)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, dict]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks train_vs_trl")
    parser.add_argument("--conversations", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-steps", type=int, default=0, help="optimizer steps per run (0 = one epoch)")
    parser.add_argument("--max-length", type=int, default=512)
    parser.add_argument("--model", default="smollm2_135m", help="smollm2_135m | tiny (smoke runs)")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--checkpointing", choices=list(MODES), default="default",
                        help="gradient checkpointing; default = each side's own (TRL on, warmth off); "
                             "both = every setting with it on and with it off")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv or [])
    if args.child:
        print(RESULT + json.dumps(child(json.loads(args.child))), flush=True)
        return {}
    from benchmarks.bench_batched_scoring import matmul_gflops
    from warmth.conversation import write_jsonl

    plan = [(name, gc) for gc in MODES[args.checkpointing] for name in args.settings]
    key = (lambda name, gc: name) if len(MODES[args.checkpointing]) == 1 else (
        lambda name, gc: f"{name}, checkpointing {onoff(gc['trl'])}")
    load0 = os.getloadavg()[0]
    runs: dict[str, list[dict]] = {key(*p): [] for p in plan}
    with tempfile.TemporaryDirectory() as data_dir:
        write_jsonl(Path(data_dir) / "conversations.jsonl", benchmark_conversations(args.conversations))
        matmuls = [matmul_gflops()]
        for _ in range(args.repeats):
            for name, gc in plan:
                spec = {"setting": name, "data_dir": data_dir, "model": args.model, "checkpointing": gc,
                        "max_steps": args.max_steps, "max_length": args.max_length, "threads": args.threads}
                result = run_setting(spec)
                matmuls.append(matmul_gflops())
                run = {**summarise(result, max(matmuls[-2:])), "setting": name, "gc": gc}
                runs[key(name, gc)].append(run)
                print(f"  {key(name, gc)}: {run['epoch_s']:.1f} s, {run['model_share']:.0%} of "
                      f"{run['matmul']:.0f} GFLOP/s", file=sys.stderr, flush=True)
    rows = {k: medians(v) for k, v in runs.items()}
    print(report(rows, args, matmuls, (load0, os.getloadavg()[0])))
    return rows


if __name__ == "__main__":
    main(sys.argv[1:])
