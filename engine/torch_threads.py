"""torch's CPU thread count for background training, set and restored in one place.

Small training steps run faster on one thread on a busy few-core CPU (OpenMP's spin-waiting makes
several threads much slower). But `torch.set_num_threads` is not local to the calling thread: it
also sets the default every thread started afterwards picks up, including the script threads of
other sessions. So every trainer goes through `limited_threads`: overlapping jobs share one count,
the smallest request wins while any is active, and the last job to leave restores the count the
process had before the first one entered, whatever order the jobs finish in.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

_LOCK = threading.Lock()
_ACTIVE: dict[int, int] = {}  # request token -> threads asked for
_TOKENS = itertools.count()
_ORIGINAL = {"threads": 0}  # the count before the first active request; meaningful while _ACTIVE is non-empty


@contextmanager
def limited_threads(threads: int | None, device: torch.device) -> Iterator[None]:
    """Run a block with at most `threads` torch CPU threads; nothing changes for None or a non-CPU device."""
    if not threads or device.type != "cpu":
        yield
        return
    with _LOCK:
        if not _ACTIVE:
            _ORIGINAL["threads"] = torch.get_num_threads()
        token = next(_TOKENS)
        _ACTIVE[token] = threads
        torch.set_num_threads(min(_ACTIVE.values()))
    try:
        yield
    finally:
        with _LOCK:
            del _ACTIVE[token]
            torch.set_num_threads(min(_ACTIVE.values()) if _ACTIVE else _ORIGINAL["threads"])
