"""``trainer.reuse_freed_memory``: glibc keeps freed host memory for the next allocation.

A CPU training step allocates and frees gigabytes of activations. glibc's
malloc hands large freed blocks back to the kernel (blocks above its mmap
threshold, and the top of the heap above its trim threshold), so the next
step's tensors fault the same pages in again and the kernel zero-fills
each: on SmolLM2 with 4 x 512 tokens, about 400,000 minor page faults and
3 s of system time per step, by hand (BENCHMARKS.md host_memory measures
the demo's rows). Raising both thresholds keeps freed memory in the process
for reuse: those faults stop, and peak RSS grows by what the heap then holds
unused. Process-wide and for the rest of the process; GPU memory is not
affected.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

# mallopt(3) parameters (malloc.h) and the values we set. Above MMAP_THRESHOLD an
# allocation still gets its own mapping (returned when freed): tensors of 1 GiB and more.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 1 << 30
TRIM_THRESHOLD = 2**31 - 1  # mallopt takes an int: never trim the heap's top in practice


def glibc_version() -> str | None:
    """``"glibc 2.36"`` when this process runs on glibc, else None (musl, macOS, Windows)."""
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") or None
    except (AttributeError, ValueError, OSError):
        return None


def reuse_freed_memory() -> bool:
    """Raise glibc's mmap and trim thresholds for this process; False (nothing changed) without glibc."""
    if glibc_version() is None:
        log.warning("trainer.reuse_freed_memory=true has no effect here: it tunes glibc's malloc, "
                    "and this process does not run on glibc")
        return False
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    done = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
    if not done:
        log.warning("trainer.reuse_freed_memory=true: glibc refused the new malloc thresholds; "
                    "freed memory goes back to the kernel as before")
    return done
