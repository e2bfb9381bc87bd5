"""Exact top-k cosine search of query rows against a unit-normalised vocabulary matrix.

The answer is always exact; what varies is how it is reached, chosen by the hardware:
- one query on the CPU: torch's matrix-vector product on every core, then the top k of 16 slices in
  parallel and of their 16·k winners (`torch.topk` of one long row runs on one core): 2.1 ms for
  400,000 words here, against 3.5 ms for numpy's product and one `topk` (OpenBLAS's idle threads
  then spin against torch's);
- many queries on a CPU with bfloat16 matrix instructions (AVX-512 BF16, AMX): score in bfloat16,
  which halves the memory written and read for the (queries × vocabulary) block and runs the product
  about 5× faster, keep a generous shortlist per query (a compiled scan with a running threshold,
  3× faster than `torch.topk` on the block, which sorts what it keeps), re-score the shortlist in
  float32, and prove the result: a word left off a shortlist scored at most the shortlist's last bfloat16 score, so its
  exact cosine is at most that plus the rounding bound. A query that cannot be proved so is redone in
  float32. GPUs skip this (their float32 products are fast, and their bfloat16 reductions may be
  split in lower precision, which would void the bound);
- otherwise: float32 products in chunks through one reused score buffer.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from numba import njit, prange

# A (queries × vocabulary) score block is capped at this many bytes, so a thousand queries against
# 400,000 words are scored in chunks instead of one 1.6 GB matrix.
MAX_SCORE_BYTES = 2**27
# From this many queries on, the bfloat16 shortlist pays for its extra steps.
LOW_PRECISION_MIN_QUERIES = 16
SHORTLIST_EXTRA = 32
BF16_UNIT_ROUNDOFF = 2.0**-8  # bfloat16 keeps 8 significant bits: rounding to nearest errs ≤ 2⁻⁸ relative


def bf16_score_error(dim: int) -> float:
    """A bound on |bfloat16 cosine − exact cosine| for unit vectors of `dim` components.

    With u = 2⁻⁸, both operands are rounded: q̃ = q + δq, ũ = x + δx with |δq_i| ≤ u|q_i|, |δx_i| ≤ u|x_i|, so
    |q̃·ũ − q·x| ≤ |δq·x| + |q·δx| + |δq·δx| ≤ (2u + u²)·Σ|q_i||x_i| ≤ 2u + u² (Cauchy–Schwarz, unit rows).
    The products are summed in float32 (unit roundoff 2⁻²⁴): ≤ dim · 2⁻²⁴ · Σ|q̃_i ũ_i| ≤ dim · 2⁻²⁴ · (1 + u)²
    (the classical γ_n bound to first order; the factor 1.01 covers the higher-order terms for dim < 10⁵).
    The float32 sum s is then stored in bfloat16: ≤ u·|s|, and |s| ≤ 1 + (the two errors above).
    Near 1 this is about 3u ≈ 0.0118; counting one operand only (the old 0.008) is beaten by a real pair
    (tests/test_search_bound.py builds it).
    """
    operands = 2 * BF16_UNIT_ROUNDOFF + BF16_UNIT_ROUNDOFF**2
    accumulation = 1.01 * dim * 2.0**-24 * (1 + BF16_UNIT_ROUNDOFF) ** 2
    return operands + accumulation + BF16_UNIT_ROUNDOFF * (1 + operands + accumulation)


@lru_cache(maxsize=1)
def cpu_has_fast_bfloat16() -> bool:
    """Whether oneDNN runs bfloat16 matrix products natively on this CPU."""
    return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())


def top_k(
    unit: torch.Tensor, queries: torch.Tensor, k: int, unit_bf16: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Exact (scores, rows), each (queries, k), of the k largest cosines per query row.

    `unit` is (vocab, dim) with unit rows, `queries` (n, dim) with unit rows; `unit_bf16`, when given,
    is `unit` in bfloat16 and enables the shortlist strategy on a capable CPU.
    """
    if unit.device.type == "cpu" and len(queries) == 1:
        values, rows = top_k_of_row(torch.mv(unit, queries[0]), k)  # scores (vocab,)
        return values[None], rows[None]
    if unit_bf16 is not None and unit.device.type == "cpu" and len(queries) >= LOW_PRECISION_MIN_QUERIES:
        return _top_k_shortlisted(unit, unit_bf16, queries, k)
    return _top_k_float32(unit, queries, k)


SINGLE_ROW_SLICES = 16  # enough slices to keep every core busy, few enough that merging their winners is free


def top_k_of_row(scores: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The k largest entries of a 1-D tensor and their positions, with `topk` run across cores.

    Exact: each of the k largest entries lies in some slice and is among that slice's k largest (fewer
    than k entries of its slice beat it, or it would not be among the k largest overall), so the k largest of
    the slices' winners are the k largest of the row. Ties may be ordered differently from one `topk`.
    """
    slice_length = len(scores) // SINGLE_ROW_SLICES
    if slice_length <= k:
        return scores.topk(k)
    covered = slice_length * SINGLE_ROW_SLICES
    values, positions = scores[:covered].view(SINGLE_ROW_SLICES, slice_length).topk(k, dim=1)
    positions = positions + torch.arange(0, covered, slice_length, device=scores.device)[:, None]
    values, positions = values.flatten(), positions.flatten()
    if covered < len(scores):  # the few entries past the last whole slice compete too
        values = torch.cat([values, scores[covered:]])
        positions = torch.cat([positions, torch.arange(covered, len(scores), device=scores.device)])
    best, order = values.topk(k)
    return best, positions[order]


def _chunk(unit: torch.Tensor, queries: torch.Tensor, dtype: torch.dtype) -> int:
    """Queries per score block: as many as fit MAX_SCORE_BYTES (twice as many in bfloat16)."""
    return min(len(queries), max(1, MAX_SCORE_BYTES // (len(unit) * dtype.itemsize)))


def _top_k_float32(unit: torch.Tensor, queries: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    chunk = _chunk(unit, queries, torch.float32)
    # One buffer for every chunk: allocating ~100 MB per chunk costs more in page faults than the product.
    buffer = torch.empty(chunk, len(unit), device=unit.device)  # (chunk, vocab)
    values, rows = [], []
    for start in range(0, len(queries), chunk):
        block = queries[start : start + chunk]
        scores = torch.mm(block, unit.T, out=buffer[: len(block)])  # (≤chunk, vocab)
        top_values, top_rows = scores.topk(k, dim=1)
        values.append(top_values)
        rows.append(top_rows)
    return torch.cat(values), torch.cat(rows)


def _top_k_shortlisted(
    unit: torch.Tensor, unit_bf16: torch.Tensor, queries: torch.Tensor, k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    wide = k + SHORTLIST_EXTRA
    if wide >= len(unit):
        return _top_k_float32(unit, queries, k)
    chunk = _chunk(unit, queries, torch.bfloat16)
    buffer = torch.empty(chunk, len(unit), dtype=torch.bfloat16)  # (chunk, vocab)
    shortlist_buffer = np.empty((chunk, wide), dtype=np.int64)
    error = bf16_score_error(unit.shape[1])
    values, rows = [], []
    for start in range(0, len(queries), chunk):
        block = queries[start : start + chunk]  # (n, dim)
        approx = torch.mm(block.to(torch.bfloat16), unit_bf16.T, out=buffer[: len(block)])  # (n, vocab)
        _scan_for_shortlist(approx.view(torch.int16).numpy(), shortlist_buffer[: len(block)])
        shortlist = torch.from_numpy(shortlist_buffer[: len(block)].copy())  # (n, wide)
        floor = approx.gather(1, shortlist).amin(dim=1).float()  # (n,) lowest bfloat16 score kept
        exact = torch.bmm(unit[shortlist], block[:, :, None]).squeeze(2)  # (n, wide), float32
        top_values, order = exact.topk(k, dim=1)
        top_rows = shortlist.gather(1, order)
        # Subtle: proven only if the k-th exact score beats anything the shortlist may have missed.
        unproven = top_values[:, -1] < floor + error
        if unproven.any():
            top_values[unproven], top_rows[unproven] = _top_k_float32(unit, block[unproven], k)
        values.append(top_values)
        rows.append(top_rows)
    return torch.cat(values), torch.cat(rows)


# bfloat16 bits read as int16 order like the floats once negative values have their magnitude bits
# flipped; the scan below compares these keys, which vectorises where a float16 view would not.
_FLIP = np.int16(0x7FFF)
_SCAN_BLOCK = 256


@njit(inline="always")
def _key(bits):  # pragma: no cover - compiled
    return bits ^ ((bits >> 15) & _FLIP)


@njit(cache=True)
def _count_above(block, threshold):  # pragma: no cover - compiled
    """How many keys of a block exceed `threshold`: branch-free, so the compiler vectorises it."""
    count = 0
    for x in range(block.shape[0]):
        if _key(block[x]) > threshold:
            count += 1
    return count


@njit(parallel=True, cache=True)
def _scan_for_shortlist(bits, out_rows):  # pragma: no cover - compiled
    """For each row of bfloat16 scores (as int16 bits), the columns of `out_rows.shape[1]` largest.

    Keeps a running threshold (the smallest key kept) and skips, 256 at a time, the blocks with
    nothing above it: after the first few thousand words nearly every block is skipped.
    """
    width = out_rows.shape[1]
    for q in prange(bits.shape[0]):
        row, rows = bits[q], out_rows[q]
        keys = np.empty(width, dtype=np.int16)
        for j in range(width):
            keys[j], rows[j] = _key(row[j]), j
        low = np.argmin(keys)
        threshold = keys[low]
        for start in range(width, row.shape[0], _SCAN_BLOCK):
            block = row[start : start + _SCAN_BLOCK]
            if _count_above(block, threshold) == 0:
                continue
            for x in range(block.shape[0]):
                key = _key(block[x])
                if key > threshold:
                    keys[low], rows[low] = key, start + x
                    low = np.argmin(keys)
                    threshold = keys[low]
