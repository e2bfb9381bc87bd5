"""k-means clusters of an embedding space, computed on the original vectors (never on a projection).

Vectors are unit-normalised first, so the clusters follow cosine similarity, the measure every
neighbour query in the lab uses. scikit-learn's KMeans does the work; above a size where full
k-means gets slow on a laptop CPU, MiniBatchKMeans gives nearly the same partition far faster.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans, MiniBatchKMeans

from engine.errors import LabError

MAX_CLUSTERS = 50
_MINI_BATCH_ABOVE = 50_000


def kmeans(vectors: np.ndarray | torch.Tensor, k: int, *, seed: int = 0) -> np.ndarray:
    """A cluster id in [0, k) for every row of (rows, dim) vectors, reproducible for a seed.

    Clusters are numbered by size, largest first, so colours stay stable when k changes a little.
    """
    matrix = vectors.detach().cpu().numpy() if isinstance(vectors, torch.Tensor) else np.asarray(vectors)
    matrix = np.asarray(matrix, dtype=np.float32)  # (rows, dim)
    if not 2 <= k <= MAX_CLUSTERS:
        raise LabError(f"the number of clusters must be between 2 and {MAX_CLUSTERS}; got {k}.")
    if len(matrix) < k:
        raise LabError(f"cannot make {k} clusters from {len(matrix)} words; choose k of at most {len(matrix)}.")
    unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    if len(unit) > _MINI_BATCH_ABOVE:
        model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
    else:
        model = KMeans(n_clusters=k, random_state=seed, n_init=1)
    labels = model.fit_predict(unit)
    order = np.argsort(-np.bincount(labels, minlength=k), kind="stable")  # old ids, largest cluster first
    renumber = np.empty(k, dtype=np.int64)
    renumber[order] = np.arange(k)
    return renumber[labels]


def cluster_names(vectors: np.ndarray | torch.Tensor, ids: np.ndarray, words: list[str], *, top: int = 3) -> list[str]:
    """A name per cluster: its `top` most central words (nearest in cosine to the cluster's mean direction)."""
    matrix = vectors.detach().cpu().numpy() if isinstance(vectors, torch.Tensor) else np.asarray(vectors)
    unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)  # (rows, dim)
    names = []
    for cluster in range(int(ids.max()) + 1):
        members = np.flatnonzero(ids == cluster)
        centre = unit[members].mean(axis=0)
        closeness = unit[members] @ (centre / max(np.linalg.norm(centre), 1e-12))  # (members,)
        central = members[np.argsort(-closeness, kind="stable")[:top]]
        names.append(" · ".join(words[row] for row in central))
    return names
