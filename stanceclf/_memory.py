"""Giving freed memory back to the operating system during long runs.

PyTorch's CPU inference on batches of varying shapes leaves freed blocks in glibc's heap that
``malloc`` keeps rather than returning, so a long stream's resident memory creeps up (measured: +400 MB
over 60 varied batches of the default model) although nothing is leaked. ``malloc_trim(0)`` returns
them (the same loop stays flat at 570 MB). It exists only in glibc; elsewhere this is a no-op.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from functools import lru_cache
from typing import Any

__all__ = ["release_freed_memory"]


@lru_cache(maxsize=1)
def _malloc_trim() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # musl and other libcs have no malloc_trim
        return None


def release_freed_memory() -> bool:
    """Return freed heap memory to the OS (glibc ``malloc_trim``); True if it ran."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
