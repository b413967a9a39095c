"""``ChatDataModule``: a style dataset as batches of token ids with assistant-only labels."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

import lightning as L
import torch
from torch.utils.data import DataLoader

from warmth.conversation import Conversation, read_jsonl
from warmth.data.masking import Example, tokenize_dataset
from warmth.data.packing import collate_packed, collate_padded, pack
from warmth.data.resumable import SkippingSampler
from warmth.data.windows import WindowedLoader
from warmth.errors import DataError

log = logging.getLogger(__name__)
DEFAULTS = {"max_length": 1024, "packing": True, "shuffle": True, "num_workers": 0,
            "limit": None, "seed": 0}


def conversations_file(path: str | Path) -> Path:
    """``<dir>/conversations.jsonl`` for a style dataset folder, or the ``.jsonl`` file itself."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(f"dataset not found: {path}")
    if path.is_dir():
        path = path / "conversations.jsonl"
        if not path.exists():
            raise DataError(f"dataset folder {path.parent} has no conversations.jsonl")
    return path


class ChatDataModule(L.LightningDataModule):
    """Reads, tokenises, masks and (by default) packs conversations for training.

    Batches are dicts of ``[B, T]`` long tensors. Packed: ``input_ids``, ``labels``,
    ``position_ids`` (restarting per conversation; forward with ``use_cache=False``
    and no attention mask). Unpacked: the same plus a 2D ``attention_mask``.
    ``labels`` are unshifted (``-100`` = not trained), as HF causal LMs expect.
    Training batches also carry their accumulation window's trained-token
    count (:mod:`warmth.data.windows`; ``without_stamps`` drops it).
    """

    def __init__(self, tokenizer, data_cfg: Mapping[str, Any] | None, dataset_path: str | Path,
                 batch_size: int = 1,
                 conversations_hook: Callable[[list[Conversation], int], list[Conversation]] | None = None,
                 ) -> None:
        super().__init__()
        cfg = dict(DEFAULTS)
        cfg.update({k: v for k, v in dict(data_cfg or {}).items()})
        unknown = set(cfg) - set(DEFAULTS)
        if unknown:
            from warmth.errors import ConfigError

            raise ConfigError(f"unknown data config key(s): {', '.join(sorted('data.' + k for k in unknown))}")
        self.cfg = cfg
        self.tokenizer = tokenizer
        self.dataset_path = Path(dataset_path)
        self.batch_size = int(batch_size)
        # The objective's say in what is trained on (data_mix adds conversations); called once.
        self.conversations_hook = conversations_hook
        self.max_length = int(cfg["max_length"])
        self.examples: list[Example] | None = None
        self.rows: list[list[Example]] | None = None

    # -- building ---------------------------------------------------------
    def read_conversations(self, path: Path) -> list[Conversation]:
        convs = read_jsonl(path)
        limit = self.cfg["limit"]
        return list(islice(convs, int(limit)) if limit is not None else convs)

    def setup(self, stage: str | None = None) -> None:
        if self.examples is not None:
            return
        path = conversations_file(self.dataset_path)
        source = str(path)
        convs = self.read_conversations(path)
        if not convs:
            raise DataError(f"{source}: no conversations")
        if self.conversations_hook is not None:
            convs = self.conversations_hook(convs, int(self.cfg["seed"]))
        self.examples = tokenize_dataset(self.tokenizer, convs, self.max_length, source=source)
        if self.cfg["packing"]:
            groups = pack([len(ex) for ex in self.examples], self.max_length)
            self.rows = [[self.examples[i] for i in g] for g in groups]
        else:
            self.rows = [[ex] for ex in self.examples]
        n_tok = sum(len(ex) for ex in self.examples)
        log.info("%s: %d conversations, %d tokens, %d rows of <= %d tokens",
                 source, len(self.examples), n_tok, len(self.rows), self.max_length)

    # -- sizes the trainer needs ------------------------------------------
    @property
    def num_training_examples(self) -> int:
        """Conversations kept for training (after ``limit`` and dropping untrainable ones)."""
        self.setup()
        return len(self.examples)

    @property
    def num_rows(self) -> int:
        """Rows per epoch (= conversations when packing is off)."""
        self.setup()
        return len(self.rows)

    @property
    def pad_token_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return int(pad if pad is not None else self.tokenizer.eos_token_id)

    def train_dataloader(self) -> DataLoader:
        self.setup()
        seed, shuffle = int(self.cfg["seed"]), bool(self.cfg["shuffle"])
        workers = int(self.cfg["num_workers"])
        trainer = getattr(self, "trainer", None)
        world, rank = (trainer.world_size, trainer.global_rank) if trainer is not None else (1, 0)
        # Our own sampler, seeded with seed + epoch: the order follows data.shuffle and the
        # seed (not the device count), and a resumed epoch repeats the interrupted one's order.
        sampler = SkippingSampler(self.rows, num_replicas=world, rank=rank, shuffle=shuffle, seed=seed)
        # Each batch carries its accumulation window's trained-token count (token-weighted loss).
        return WindowedLoader(
            self.rows, batch_size=self.batch_size, sampler=sampler,
            collate_fn=functools.partial(_collate, pad_token_id=self.pad_token_id,
                                         packing=bool(self.cfg["packing"])),
            num_workers=workers, persistent_workers=workers > 0,
            position=self._position, seed=seed, accumulation=self._accumulation,
        )

    def _accumulation(self) -> int:
        trainer = getattr(self, "trainer", None)
        return int(trainer.accumulate_grad_batches) if trainer is not None else 1

    def _position(self) -> tuple[int, int]:
        """(epoch, batches of it the training loop counts as done): (0, 0) outside a fit."""
        trainer = getattr(self, "trainer", None)
        if trainer is None:
            return 0, 0
        loop = trainer.fit_loop
        return int(loop.epoch_progress.current.processed), int(loop.epoch_loop.batch_progress.current.ready)


def _collate(batch: list[list[Example]], pad_token_id: int, packing: bool) -> dict[str, torch.Tensor]:
    if packing:
        return collate_packed(batch, pad_token_id)
    return collate_padded([row[0] for row in batch], pad_token_id)
