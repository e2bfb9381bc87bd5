"""Approximate nearest neighbours for sets of millions: a faiss inverted-file shortlist, re-ranked exactly.

Exact search reads the whole matrix for every query: 2,000,000 × 300 float32 is 2.4 GB of memory traffic,
about 0.3 s on this CPU. From `APPROXIMATE_FROM` rows the lab builds, once, an inverted-file index (faiss
`IndexIVFScalarQuantizer`, 8-bit codes, a quarter of the matrix's size, so that serving a set stays under
twice its float32 size): a query scans the codes of its `nprobe` nearest lists for `SHORTLIST` candidates,
which are then re-ranked by their exact float32 cosine from the set's own unit rows. A returned score is
therefore exact; what can be missed is a true neighbour that the shortlist left out, and recall@10 against
exact search is measured on a seeded sample when the index is built, with `nprobe` raised until it reaches
`TARGET_RECALL`, and shown beside every answer. faiss because, measured in bench/large_vectors.py on 200,000
rows, its IVF builds in 3.5 s on 2 cores where usearch's HNSW takes 120 s and pynndescent 63 s, and its codes
keep memory low; their queries are all fast enough.

UMAP's and t-SNE's neighbour graph above the exact limit (`engine.exact_knn`) comes from `knn_graph`: a faiss HNSW graph
built and queried for every row, with its recall measured the same way. HNSW there, not IVF: every row is a
query, and on 400,000 GloVe words IVF needed nprobe 64 (4.7 min for the graph) to reach the recall HNSW gives
in under a minute (bench/umap_large.py).
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
import torch

from engine.jobs import ProgressCallback

APPROXIMATE_FROM = 1_000_000  # rows; below this an exact query takes ≤ ~150 ms here and stays exact
SHORTLIST = 100
TARGET_RECALL, RECALL_K, RECALL_SAMPLE = 0.95, 10, 200
_ADD_ROWS = 100_000
GRAPH_LINKS, GRAPH_EF_SEARCH = 16, 32  # HNSW's M and efSearch for UMAP's graph (measured: bench/umap_large.py)


@dataclass
class NeighbourIndex:
    """A built index and what was measured of it."""

    index: faiss.IndexIVFScalarQuantizer
    recall: float  # mean recall@10 against exact search over `sample` words
    sample: int

    @property
    def nprobe(self) -> int:
        return self.index.nprobe

    def top_k(self, unit: torch.Tensor, queries: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(scores, rows), each (queries, k): the shortlist's k best by exact cosine, best first."""
        _, candidates = self.index.search(queries.cpu().numpy().astype(np.float32), max(SHORTLIST, k))  # (n, S)
        candidates = torch.as_tensor(candidates, device=unit.device)
        valid = candidates >= 0  # faiss pads with -1 when the probed lists hold fewer than S rows
        rows = candidates.clamp_min(0)
        scores = torch.einsum("nsd,nd->ns", unit[rows.flatten()].view(*rows.shape, -1), queries.to(unit.device))
        scores = scores.masked_fill(~valid, -math.inf)
        best, order = scores.topk(min(k, rows.shape[1]), dim=1)
        return best, rows.gather(1, order)


def build_index(unit: np.ndarray, *, seed: int = 0, on_progress: ProgressCallback | None = None) -> NeighbourIndex:
    """Train and fill an IVF-SQ8 index over unit rows (rows, dim), then tune nprobe to the target recall."""
    rows, dim = unit.shape
    lists = 1 << round(math.log2(2 * math.sqrt(rows)))  # √n-scaled lists, a power of two: 2,048 at 2 M rows
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(quantizer, dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
    rng = np.random.default_rng(seed)
    training = np.ascontiguousarray(unit[np.sort(rng.choice(rows, min(rows, 40 * lists), replace=False))], dtype=np.float32)
    index.cp.seed = seed
    index.train(training)
    for start in range(0, rows, _ADD_ROWS):
        index.add(np.ascontiguousarray(unit[start : start + _ADD_ROWS], dtype=np.float32))
        if on_progress is not None:
            on_progress(min(start + _ADD_ROWS, rows), rows, {"stage": "indexing"})
    built = NeighbourIndex(index, 0.0, 0)
    with warnings.catch_warnings():  # a read-only memory map: torch warns that writes would fail, and none are made
        warnings.simplefilter("ignore", UserWarning)
        _tune(built, torch.from_numpy(np.asarray(unit)), rng)
    return built


def _tune(built: NeighbourIndex, unit: torch.Tensor, rng: np.random.Generator) -> None:
    """Raise nprobe (8, 16, …, 512) until the sample's recall@10 reaches the target; record the recall."""
    sample = np.sort(rng.choice(len(unit), min(RECALL_SAMPLE, len(unit)), replace=False))
    queries = unit[torch.as_tensor(sample)].float()  # (sample, dim)
    exact = (unit @ queries.T).topk(RECALL_K + 1, dim=0).indices.T  # (sample, k + 1): the word itself among them
    for nprobe in (8, 16, 32, 64, 128, 256, 512):
        built.index.nprobe = nprobe
        _, found = built.top_k(unit, queries, RECALL_K + 1)
        built.recall = recall_at_k(found, exact, sample)
        if built.recall >= TARGET_RECALL:
            break
    built.sample = len(sample)


def knn_graph(
    matrix: np.ndarray, k: int, metric: str, *, seed: int = 0, on_progress: ProgressCallback | None = None
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """Every row's k nearest rows, itself first, from a faiss HNSW graph.

    Returns (indices (rows, k) int64, distances (rows, k) float32 — cosine: 1 − similarity, euclidean: L2 —,
    recall@(k − 1) against exact search, and the size of the seeded sample it was measured on).
    """
    points = np.ascontiguousarray(matrix, dtype=np.float32)
    rows, dim = points.shape
    if metric == "cosine":
        points = points / np.maximum(np.linalg.norm(points, axis=1, keepdims=True), 1e-12)
        index = faiss.IndexHNSWFlat(dim, GRAPH_LINKS, faiss.METRIC_INNER_PRODUCT)
    else:
        index = faiss.IndexHNSWFlat(dim, GRAPH_LINKS)  # squared L2
    report = on_progress or (lambda done, total, metrics: None)
    for start in range(0, rows, _ADD_ROWS):
        index.add(points[start : start + _ADD_ROWS])
        report(min(start + _ADD_ROWS, rows), 2 * rows, {"stage": "building the neighbour graph"})
    index.hnsw.efSearch = max(GRAPH_EF_SEARCH, k)
    scores, indices = np.empty((rows, k), np.float32), np.empty((rows, k), np.int64)
    for start in range(0, rows, _ADD_ROWS):
        scores[start : start + _ADD_ROWS], indices[start : start + _ADD_ROWS] = index.search(points[start : start + _ADD_ROWS], k)
        report(rows + min(start + _ADD_ROWS, rows), 2 * rows, {"stage": "querying the neighbour graph"})
    # Itself first, as exact search and umap-learn's own graph have it: each row's others keep their order,
    # and a row the search did not return itself for (a duplicate won its place) drops its farthest other.
    own = np.arange(rows)
    order = np.argsort(indices == own[:, None], axis=1, kind="stable")[:, : k - 1]  # (rows, k − 1): others first
    others, other_scores = np.take_along_axis(indices, order, 1), np.take_along_axis(scores, order, 1)
    distances = (1.0 - other_scores).clip(min=0.0) if metric == "cosine" else np.sqrt(other_scores.clip(min=0.0))
    indices = np.concatenate([own[:, None], others], axis=1)
    distances = np.concatenate([np.zeros((rows, 1), np.float32), distances], axis=1).astype(np.float32)
    sample = np.sort(np.random.default_rng(seed).choice(rows, min(RECALL_SAMPLE, rows), replace=False))
    everything = torch.from_numpy(points)
    queries = everything[torch.as_tensor(sample)]
    closeness = queries @ everything.T if metric == "cosine" else -torch.cdist(queries, everything)  # (sample, rows)
    exact = closeness.topk(k, dim=1).indices  # (sample, k): the word itself among them
    return indices, distances, recall_at_k(torch.from_numpy(indices[sample]), exact, sample, k - 1), len(sample)


def recall_at_k(found: torch.Tensor, exact: torch.Tensor, queries: np.ndarray, k: int = RECALL_K) -> float:
    """Mean share of each query's exact k neighbours (the query word itself left out) that were found."""
    shares = []
    for row, (got, truth) in enumerate(zip(found.tolist(), exact.tolist())):
        truth = [r for r in truth if r != queries[row]][:k]
        shares.append(len(set(truth) & set(got)) / len(truth))
    return float(np.mean(shares))


def save_index(built: NeighbourIndex, folder: Path) -> None:
    faiss.write_index(built.index, str(folder / "neighbours.faiss"))
    (folder / "neighbours.json").write_text(json.dumps({"recall": built.recall, "sample": built.sample}), encoding="utf-8")


def load_index(folder: Path) -> NeighbourIndex | None:
    """The index saved with a cache entry, or None when the set is small enough to stay exact."""
    if not (folder / "neighbours.faiss").is_file():
        return None
    measured = json.loads((folder / "neighbours.json").read_text(encoding="utf-8"))
    # memory-mapped: its codes are paged in by the lists queries probe, like the cache's matrix
    index = faiss.read_index(str(folder / "neighbours.faiss"), faiss.IO_FLAG_MMAP)
    return NeighbourIndex(index, float(measured["recall"]), int(measured["sample"]))
