"""Where a projection lies: each word's neighbourhood preservation, and the whole map's trustworthiness.

A 2D picture of a 50-d space cannot keep every neighbourhood; these numbers say where it did not.

- Neighbourhood preservation of a point: the share of its k nearest neighbours in the original space
  (cosine) that are also among its k nearest in the picture (euclidean). 1 is a perfect local picture;
  a random picture scores about k / (n − 1).
- Trustworthiness (Venna & Kaski 2001; scikit-learn's `trustworthiness`): penalises points that look
  near in the picture but are far in the original space, by how far down the original ranking they are.
  scikit-learn ranks every point against every other (an n × n argsort: 3 GB at 20,000 words), so here
  each point's original ranks are counted only for the k points the picture puts near it, one block of
  rows at a time; the figure is the mean of the exact per-row terms over a seeded sample of rows (all of
  them up to `TRUST_SAMPLE`), with its standard error, and equals scikit-learn's when every row is used
  (tested).

Original neighbours come from the exact blockwise search of `exact_knn` on the device; the picture's
from a k-d tree (exact, and fast in 2 or 3 dimensions).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from scipy.spatial import cKDTree

from engine.device import default_device
from engine.errors import LabError
from engine.exact_knn import nearest_neighbours

K = 10
TRUST_SAMPLE = 1_000  # rows whose trustworthiness terms are computed; the map's figure is their mean ± its error
FAR = 3.0  # a true neighbour is "far" in the picture beyond this many times the word's nearest point there
_SIMILARITIES = 2**24  # a block holds at most this many similarities (and as many int64 slots): 192 MB


@dataclass(frozen=True)
class Trust:
    """How faithfully a projection keeps neighbourhoods, per point and for the whole map."""

    k: int
    preservation: np.ndarray  # (n,) in [0, 1]
    trustworthiness: float
    sampled: int  # rows the trustworthiness was computed over
    error: float  # the sample's standard error of the trustworthiness (0 when every row was used)
    chance: float  # the preservation a random picture would score on average: k / (n − 1)

    @property
    def mean_preservation(self) -> float:
        return float(self.preservation.mean())


def fitting_k(n: int) -> int:
    """K, or fewer for a small set: trustworthiness needs k under half the points (0 when under 3 points)."""
    return min(K, (n - 1) // 2)


def neighbourhood_trust(vectors: np.ndarray | torch.Tensor, coords: np.ndarray, *, k: int = K,
                        sample: int = TRUST_SAMPLE, seed: int = 0, device: torch.device | None = None) -> Trust:
    """Per-point neighbourhood preservation and the map's trustworthiness for `coords`, a picture of `vectors`."""
    vectors = torch.as_tensor(vectors, dtype=torch.float32)
    n = vectors.shape[0]
    if coords.shape[0] != n:
        raise LabError(f"the picture has {coords.shape[0]:,} points for {n:,} vectors; they must pair up.")
    if not 1 <= k < n / 2:
        raise LabError(f"k must be at least 1 and under half the {n:,} points (trustworthiness needs it); got {k}.")
    device = device or default_device()
    original = nearest_neighbours(vectors.cpu().numpy(), k + 1, "cosine", device)[0][:, 1:]  # (n, k): itself dropped
    pictured = picture_neighbours(coords, k)  # (n, k)
    kept = (pictured[:, :, None] == original[:, None, :]).any(axis=2)  # (n, k): picture neighbour j is a true one
    preservation = kept.sum(axis=1) / k
    rows = np.arange(n) if n <= sample else np.sort(np.random.default_rng(seed).choice(n, sample, replace=False))
    per_row = 1.0 - 2.0 / (k * (2.0 * n - 3.0 * k - 1.0)) * _rank_penalties(vectors, rows, pictured, kept, device)
    finite_population = (n - len(rows)) / max(n - 1, 1)  # no error left once every row is in the sample
    error = float(per_row.std(ddof=1) / np.sqrt(len(rows)) * np.sqrt(finite_population)) if len(rows) > 1 else 0.0
    return Trust(k, preservation, float(per_row.mean()), len(rows), error, k / (n - 1))


def picture_neighbours(coords: np.ndarray, k: int) -> np.ndarray:
    """Each point's k nearest other points in the picture (euclidean), nearest first: (n, k).

    The tree's k + 1 nearest include the point itself, but not always first: among points drawn at the
    same spot (a coordinates CSV can repeat one) any of them may come first. So the point is removed
    wherever it is, and where it is missing (k duplicates came before it) the farthest is dropped.
    """
    found = cKDTree(coords).query(coords, k=k + 1)[1]  # (n, k + 1)
    keep = found != np.arange(len(coords))[:, None]
    keep[keep.all(axis=1), -1] = False
    return found[keep].reshape(len(coords), k)


def _rank_penalties(vectors: torch.Tensor, rows: np.ndarray, pictured: np.ndarray, kept: np.ndarray,
                    device: torch.device) -> np.ndarray:
    """Per row i of `rows`: Σ over the picture's neighbours j of i not among i's original k (`kept` false) of
    (original rank of j − k).

    The original rank of j is 1 + the number of points more similar to i than j (cosine), i itself
    excluded. Rather than compare every point with each of the k candidates (k·n comparisons a row), a
    row's k candidate similarities are sorted once and every point is placed among them by binary search
    (`searchsorted`, log k comparisons): the count of points above each candidate is then a cumulative sum
    of a (k + 1)-bin histogram. Points exactly as similar as j share its better rank (scikit-learn's
    argsort orders them by index); with real vectors ties do not occur.
    """
    points = torch.nn.functional.normalize(vectors.to(device), dim=1)  # (n, dim)
    k = pictured.shape[1]
    size = max(1, _SIMILARITIES // points.shape[0])
    penalties = []
    for start in range(0, len(rows), size):
        chosen = rows[start:start + size]
        block = torch.as_tensor(chosen, device=device)
        similarity = points[block] @ points.T  # (b, n)
        similarity[torch.arange(len(block), device=device), block] = -torch.inf  # i is not its own neighbour
        candidates = torch.as_tensor(pictured[chosen], device=device)  # (b, k)
        thresholds, order = torch.sort(-similarity.gather(1, candidates), dim=1)  # (b, k): candidates, most similar first
        slots = torch.searchsorted(thresholds, -similarity, right=True)  # (b, n): thresholds ≤ −similarity of each point
        histogram = torch.zeros(len(block), k + 1, dtype=torch.int64, device=device).scatter_add_(1, slots, torch.ones_like(slots))
        nearer = histogram.cumsum(dim=1)[:, :k]  # (b, k): points strictly more similar than each sorted candidate
        outside = ~torch.as_tensor(kept[chosen], device=device).gather(1, order)  # (b, k), sorted order: not a true neighbour
        penalties.append(((nearer + 1 - k).clamp_min(0) * outside).sum(dim=1).cpu())
    return torch.cat(penalties).double().numpy()


def far_in_picture(coords: np.ndarray, centre: int, neighbours: np.ndarray, *, factor: float = FAR) -> tuple[np.ndarray, float]:
    """Which of `centre`'s true neighbours the picture puts more than `factor` × its nearest point away.

    Returns (far flags per neighbour, the distance to the centre's nearest point in the picture).
    """
    distances = np.linalg.norm(coords - coords[centre], axis=1)  # (n,)
    distances[centre] = np.inf
    nearest = float(distances.min())
    return distances[neighbours] > factor * max(nearest, 1e-12), nearest
