"""glibc malloc settings for a process that trains in background threads, made once at engine import.

Why: torch's CPU tensors come from malloc. A background job's thread gets its own malloc arena, and
glibc hands a thread arena's freed memory back to the OS as soon as a whole heap of it is free, so a
training step that frees its gradient (5 MB for a 25,000-word embedding; with torch's unfused Adam, its
temporaries too) faults the same memory back in, zeroed, on the next step. Measured in the app's server (bench/load.py,
FastText on the tweets): ~850,000 page faults and ~1 s of kernel time in a 3 s epoch, against ~10,000
faults once this is set; the page's epoch went from ×1.57 to ×1.09 the same epoch run by the engine in
a main thread, whose arena glibc trims far less eagerly. torch has no CPU caching allocator to turn on,
and an allocator preloaded at launch (jemalloc) would not reach a user who starts `streamlit run` bare.

The cost: freed memory stays with the process for reuse (its resident size stays near its peak) instead
of returning to the OS between steps. Only glibc has `mallopt`; elsewhere nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import platform

# mallopt parameter numbers, from glibc's <malloc.h>.
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_MiB = 2**20
ON_GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"  # the only libc with mallopt
# Blocks up to 32 MiB (glibc's largest mmap threshold on 64-bit) come from the arenas, not from mmap, so
# freeing one does not unmap it. Setting any of these three turns off glibc's own threshold adjustment,
# which is why all three are set together.
MMAP_THRESHOLD = 32 * _MiB
# A thread arena deletes a heap (at most 64 MiB) that became wholly free unless that would leave less
# than the top pad free beside it; a pad over two heaps' size means no heap is ever deleted.
TOP_PAD = 256 * _MiB
# An arena shrinks its heap, and the main arena gives back the top of its own, only once more than this
# is free at the top: never for a thread arena's heap, which is smaller.
TRIM_THRESHOLD = 512 * _MiB


def keep_freed_memory() -> bool:
    """Make glibc keep freed blocks for reuse instead of returning them to the OS; True where it applied."""
    if not ON_GLIBC:
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    # mallopt returns 1 on success; apply the threshold first so no step runs with the fixed 128 KiB default.
    return all(libc.mallopt(parameter, value) == 1 for parameter, value in (
        (_M_MMAP_THRESHOLD, MMAP_THRESHOLD), (_M_TOP_PAD, TOP_PAD), (_M_TRIM_THRESHOLD, TRIM_THRESHOLD)))
