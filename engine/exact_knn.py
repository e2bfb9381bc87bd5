"""Exact k nearest neighbours on the device, for t-SNE and UMAP (a speed choice measured in bench/projection.py).

The k nearest neighbours are computed exactly on the device with one matrix product per block, when
the set is small enough (always on a GPU); this skips pynndescent's per-process numba compile and
is exact rather than approximate. Above the limit UMAP and t-SNE take a faiss HNSW graph
(`engine.neighbour_index.knn_graph`), built once per set and cached, its recall measured and stated.
"""

from __future__ import annotations

import numpy as np
import torch

from engine.device import default_device

# Exact neighbours cost n² · dim multiply-adds: fine up to this many points on a CPU, and far beyond on a GPU.
EXACT_KNN_MAX = {"cpu": 60_000, "cuda": 500_000}
# A block of the (rows × n) similarity matrix holds at most this many floats (128 MiB of float32).
_MAX_BLOCK = 2**25


def exact_knn_fits(rows: int, device: torch.device) -> bool:
    """Whether `rows` points are few enough for exact neighbours on this device (`EXACT_KNN_MAX`)."""
    return rows <= EXACT_KNN_MAX.get(device.type, EXACT_KNN_MAX["cpu"])


def nearest_neighbours(
    matrix: np.ndarray, k: int, metric: str, device: torch.device | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Exact k nearest neighbours of every row, itself first: (rows, k) int64 indices and float32 distances.

    Cosine distance is 1 − cosine similarity; euclidean is the L2 distance. Computed block by block
    as matrix products on the device.
    """
    device = device or default_device()
    points = torch.as_tensor(matrix, dtype=torch.float32, device=device)  # (n, dim)
    if metric == "cosine":
        points = torch.nn.functional.normalize(points, dim=1)
    squares = (points * points).sum(dim=1)  # (n,)
    n = points.shape[0]
    block = max(1, _MAX_BLOCK // n)
    indices, distances = [], []
    for start in range(0, n, block):
        rows = points[start : start + block]  # (block, dim)
        scores = rows @ points.T  # (block, n): similarity, or −½ squared distance up to a per-row constant
        if metric == "euclidean":
            scores = scores - 0.5 * squares  # larger is closer
        own = torch.arange(start, start + rows.shape[0], device=device)
        scores[torch.arange(rows.shape[0], device=device), own] = torch.inf  # itself first, even among duplicates
        top, where = scores.topk(k, dim=1)
        if metric == "cosine":
            dist = (1.0 - top).clamp_min(0.0)
        else:
            dist = (squares[start : start + rows.shape[0], None] - 2.0 * top).clamp_min(0.0).sqrt()
        dist[:, 0] = 0.0
        indices.append(where.cpu())
        distances.append(dist.cpu())
    return torch.cat(indices).numpy(), torch.cat(distances).numpy().astype(np.float32)
