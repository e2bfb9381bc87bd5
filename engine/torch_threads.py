"""torch's CPU thread count for background training, set and restored in one place.

A job that has the CPU to itself should use every core; jobs that share a few-core CPU should take
one thread each, since OpenMP's spin-waiting makes several busy threads per job much slower than one
(measured here: an epoch 10× slower). `AUTO` asks for exactly that. `torch.set_num_threads` is not
local to the calling thread: it also sets the default every thread started afterwards picks up,
including the script threads of other sessions. So every trainer goes through `limited_threads`:
overlapping jobs share one count (each AUTO job counting as a request for one thread while another
job runs), and the last job to leave restores the count the process had before the first one entered,
whatever order the jobs finish in. A count set in one thread reaches a thread already running only
when that thread sets it again, so a long job calls `follow_shared_count()` between steps.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import torch

AUTO = 0  # every core while this is the only job, one thread while jobs share the CPU

_LOCK = threading.Lock()
_ACTIVE: dict[int, int] = {}  # request token -> threads asked for (AUTO or a count)
_TOKENS = itertools.count()
_ORIGINAL = {"threads": 0}  # the count before the first active request; meaningful while _ACTIVE is non-empty


@contextmanager
def limited_threads(threads: int | None, device: torch.device) -> Iterator[None]:
    """Run a block with `threads` torch CPU threads (or AUTO); nothing changes for None or a non-CPU device."""
    if threads is None or device.type != "cpu":
        yield
        return
    with _LOCK:
        if not _ACTIVE:
            _ORIGINAL["threads"] = torch.get_num_threads()
        token = next(_TOKENS)
        _ACTIVE[token] = threads
        torch.set_num_threads(_shared_count())
    try:
        yield
    finally:
        with _LOCK:
            del _ACTIVE[token]
            torch.set_num_threads(_shared_count() if _ACTIVE else _ORIGINAL["threads"])


def follow_shared_count() -> None:
    """Apply the current shared count in the calling thread (cheap; a trainer calls it every batch)."""
    with _LOCK:
        if _ACTIVE:
            wanted = _shared_count()
            if torch.get_num_threads() != wanted:
                torch.set_num_threads(wanted)


def _shared_count() -> int:
    """The count for the active requests (under the lock): the smallest, where AUTO is every core alone and one shared."""
    alone = len(_ACTIVE) == 1
    return min((_ORIGINAL["threads"] if alone else 1) if wanted == AUTO else wanted for wanted in _ACTIVE.values())
