"""Each analogy question's best two candidates over a vocabulary, folded in one chunk of cosines at a time.

`engine.benchmarks.evaluate_analogies` hands over the questions as rows (a, b, c, expected). For each
vocabulary chunk one (distinct words × chunk) matrix product gives every cosine the questions need,
and each question's running best score, its row and the second-best score are updated from it (3CosAdd
or 3CosMul; the three given words never answer). On a CPU a compiled numba kernel does that in one
pass; on a GPU, or when asked for, torch does it in blocks. The second-best score is what lets the
evaluator find near-ties.
"""

from __future__ import annotations

import numpy as np
import torch
from numba import njit, prange

from engine.analogies import COSMUL_EPSILON
from engine.jobs import ProgressCallback
from engine.vectors import EmbeddingSet


def scan(
    embeddings: EmbeddingSet,
    questions: np.ndarray,
    excluded: np.ndarray,
    limit: int,
    method: str,
    backend: str,
    on_progress: ProgressCallback | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best score, its row and the second-best score per question, over the first `limit` rows."""
    distinct, positions = np.unique(questions[:, :3], return_inverse=True)
    positions = positions.reshape(-1, 3)  # (answered, 3): where a, b, c sit among the distinct words
    device = embeddings.device
    words = embeddings.unit[torch.as_tensor(distinct, device=device)]  # (distinct, dim)
    use_kernel = backend == "auto" and device.type == "cpu"
    if use_kernel:
        tile = _kernel_tile(len(distinct))
        chunk = max(tile, _CHUNK_FLOATS // len(distinct) // tile * tile)  # few products, each many tiles wide
        state: _KernelState | _TorchState = _KernelState(len(questions), tile)
    else:
        chunk = max(256, 2**25 // max(len(questions), 1))
        state = _TorchState(len(questions), device)
    total = -(-limit // chunk)
    for step, start in enumerate(range(0, limit, chunk), start=1):
        stop = min(start + chunk, limit)
        sims = words @ embeddings.unit[start:stop].T  # (distinct, chunk): every cosine the questions need
        state.update(sims, positions, excluded, start, method)
        if on_progress is not None:
            on_progress(step, total, {"words_scanned": stop, "questions": len(questions)})
    return state.result()


class _TorchState:
    """The running top two per question, on any device: one (questions × chunk) block at a time."""

    _BLOCK = 2**25  # floats in one score block: 128 MiB

    def __init__(self, count: int, device: torch.device) -> None:
        self.values = torch.full((count, 2), -torch.inf, device=device)  # (questions, 2)
        self.rows = torch.full((count, 2), -1, dtype=torch.int64, device=device)

    def update(self, sims: torch.Tensor, positions: np.ndarray, excluded: np.ndarray, start: int, method: str) -> None:
        device, width = sims.device, sims.shape[1]
        places = torch.as_tensor(positions, device=device)
        banned = torch.as_tensor(excluded, device=device) - start  # (questions, 3)
        banned = torch.where((banned >= 0) & (banned < width), banned, width)  # out of chunk → spare column
        step = max(1, self._BLOCK // (width + 1))
        for first in range(0, len(places), step):
            part = slice(first, first + step)
            a, b, c = (sims[places[part, i]] for i in range(3))  # each (block, chunk)
            scores = torch.full((a.shape[0], width + 1), -torch.inf, device=device)
            scores[:, :width] = _combine(a, b, c, method)
            scores.scatter_(1, banned[part], -torch.inf)
            values, rows = scores[:, :width].topk(min(2, width), dim=1)
            merged_values = torch.cat([self.values[part], values], dim=1)
            merged_rows = torch.cat([self.rows[part], rows + start], dim=1)
            top, order = merged_values.topk(2, dim=1)
            self.values[part], self.rows[part] = top, merged_rows.gather(1, order)

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values, rows = self.values.cpu().numpy(), self.rows.cpu().numpy()
        return values[:, 0], rows[:, 0], values[:, 1]


def _combine(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, method: str) -> torch.Tensor:
    """Scores from the cosines of candidates to a, b and c (same shapes), as the kernel computes them."""
    if method == "3cosadd":
        return b + c - a
    return ((1 + b) * 0.5) * ((1 + c) * 0.5) / ((1 + a) * 0.5 + COSMUL_EPSILON)


# ---------------------------------------------------------------- the CPU kernel
# torch has no fused "gather three rows, combine, keep the best two" operation; done as separate torch
# ops on the CPU it writes and rereads a (questions × chunk) block several times, several times slower
# than this one pass. numba (already required by umap-learn) compiles it once and caches it on disk.

_ADD, _MUL = 0, 1
_METHOD_CODES = {"3cosadd": _ADD, "3cosmul": _MUL}
_FLOOR = np.float32(-3e38)  # "no score yet": finite, since fastmath code may assume there are no infinities
_BLOCK = 256  # candidates tested at once with vector instructions before any branchy bookkeeping


_CHUNK_FLOATS = 2**23  # one (distinct words × chunk) cosine block: 32 MiB


def _kernel_tile(distinct: int) -> int:
    """Vocabulary rows per tile, so the (distinct words × tile) cosines being read fit a core's 2 MiB cache."""
    return int(np.clip(2**19 // max(distinct, 1) // _BLOCK * _BLOCK, _BLOCK, 16 * _BLOCK))


_ONE, _HALF, _EPSILON = np.float32(1), np.float32(0.5), np.float32(COSMUL_EPSILON)  # float32 throughout


@njit(fastmath=True, cache=True)
def _kernel_score(sa, sb, sc, method):  # pragma: no cover - compiled
    if method == _ADD:
        return sb + sc - sa
    return ((_ONE + sb) * _HALF) * ((_ONE + sc) * _HALF) / ((_ONE + sa) * _HALF + _EPSILON)


@njit(fastmath=True, cache=True)
def _block_hits(ra, rb, rc, threshold, method):  # pragma: no cover - compiled
    """How many candidates of a block beat `threshold`: a branch-free loop the compiler vectorises.

    The block arrives as slices indexed from 0; with offset indices LLVM leaves the loop scalar (7× slower).
    """
    count = np.int32(0)
    if method == _ADD:
        for x in range(ra.shape[0]):
            if rb[x] + rc[x] - ra[x] > threshold:
                count += np.int32(1)
    else:
        for x in range(ra.shape[0]):
            if _kernel_score(ra[x], rb[x], rc[x], _MUL) > threshold:
                count += np.int32(1)
    return count


@njit(fastmath=True, cache=True, parallel=True)
def _scan_chunk(sims, positions, excluded, start, method, tile, best, best_row, second):  # pragma: no cover - compiled
    """Fold a vocabulary chunk of cosines (distinct, chunk) into each question's running top two.

    Column tiles of `tile` rows keep the cosines being read in a core's cache; the questions of a tile are
    split across numba's threads (each question's running top two is its own, so no two threads write alike).
    """
    width = sims.shape[1]
    for t0 in range(0, width, tile):
        t1 = min(t0 + tile, width)
        for q in prange(positions.shape[0]):
            ra, rb, rc = sims[positions[q, 0], t0:t1], sims[positions[q, 1], t0:t1], sims[positions[q, 2], t0:t1]
            top, top_row, runner_up = best[q], best_row[q], second[q]
            for lo in range(0, t1 - t0, _BLOCK):
                hi = min(lo + _BLOCK, t1 - t0)
                block_a, block_b, block_c = ra[lo:hi], rb[lo:hi], rc[lo:hi]
                if _block_hits(block_a, block_b, block_c, runner_up, method) == 0:
                    continue  # the common case once the frequent words have set a high bar
                for x in range(hi - lo):
                    score = _kernel_score(block_a[x], block_b[x], block_c[x], method)
                    row = start + t0 + lo + x
                    if score <= runner_up or row == excluded[q, 0] or row == excluded[q, 1] or row == excluded[q, 2]:
                        continue
                    if score > top:
                        runner_up, top, top_row = top, score, row
                    else:
                        runner_up = score
            best[q], best_row[q], second[q] = top, top_row, runner_up


class _KernelState:
    """The running top two per question in NumPy arrays, updated in place by the compiled kernel."""

    def __init__(self, count: int, tile: int) -> None:
        self.tile = tile
        self.best = np.full(count, _FLOOR, dtype=np.float32)
        self.best_row = np.full(count, -1, dtype=np.int64)
        self.second = np.full(count, _FLOOR, dtype=np.float32)

    def update(self, sims: torch.Tensor, positions: np.ndarray, excluded: np.ndarray, start: int, method: str) -> None:
        _scan_chunk(sims.numpy(), positions, excluded, start, _METHOD_CODES[method], self.tile, self.best, self.best_row, self.second)

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.best, self.best_row, self.second
