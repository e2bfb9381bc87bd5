"""Approximate neighbours for sets of millions: the shortlist's recall is measured, and every score is exact."""

import numpy as np
import pytest
import torch

from engine import neighbour_index, vector_cache, vector_folder
from engine.neighbour_index import build_index, recall_at_k
from engine.vectors import EmbeddingSet

CPU = torch.device("cpu")


def planted(rows: int, dim: int = 32, group: int = 10, noise: float = 0.4, seed: int = 0) -> np.ndarray:
    """Unit rows in groups of `group` around shared centres: every word's true neighbours are its group."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(rows // group + 1, dim)).astype(np.float32)
    matrix = centres[np.arange(rows) // group] + noise * rng.normal(size=(rows, dim)).astype(np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_the_recall_the_index_reports_is_what_it_achieves():
    unit = planted(20_000)
    built = build_index(unit)
    assert built.recall >= neighbour_index.TARGET_RECALL and built.sample == neighbour_index.RECALL_SAMPLE
    # Measured again on other words: the reported figure holds.
    matrix = torch.from_numpy(unit)
    others = np.arange(5, 20_000, 97)
    exact = (matrix @ matrix[others].T).topk(11, dim=0).indices.T
    _, found = built.top_k(matrix, matrix[others], 11)
    assert recall_at_k(found, exact, others) >= built.recall - 0.05


def test_every_returned_score_is_the_exact_cosine_even_when_the_shortlist_runs_short():
    """The worst case for the re-rank: so few rows per list that the shortlist is padded with faiss's -1."""
    unit = planted(300, dim=16)
    built = build_index(unit)
    built.index.nprobe = 1  # one list of ~5 rows: far fewer candidates than SHORTLIST
    matrix = torch.from_numpy(unit)
    scores, rows = built.top_k(matrix, matrix[:20], 10)
    finite = torch.isfinite(scores)
    assert not finite.all()  # the padding happened: the test reaches the case it is about
    exact = (matrix[:20] @ matrix.T).gather(1, rows)
    np.testing.assert_allclose(scores[finite].numpy(), exact[finite].numpy(), rtol=1e-5, atol=1e-6)
    embeddings = EmbeddingSet([f"w{i}" for i in range(300)], unit, device=CPU)
    embeddings.neighbour_index = built
    for word, score in embeddings.nearest("w3", k=10):  # padded candidates never become neighbours
        assert score == pytest.approx(float(matrix[3] @ matrix[embeddings.index[word]]), abs=1e-5)


def test_a_set_of_millions_gets_its_index_when_read_and_keeps_it_in_the_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(neighbour_index, "APPROXIMATE_FROM", 2_000)
    unit = planted(3_000, dim=16)
    path = tmp_path / "big.txt"
    path.write_text("\n".join(f"w{i} " + " ".join(f"{x:.6f}" for x in row) for i, row in enumerate(unit)), encoding="utf-8")
    entry = vector_cache.read_into_cache(vector_folder.preflight(path))
    opened = vector_cache.open_cached(entry, "big", CPU)
    assert opened.neighbour_index is not None and opened.neighbour_index.recall >= neighbour_index.TARGET_RECALL
    exact = EmbeddingSet(opened.words, unit, device=CPU)
    approximate = [w for w, _ in opened.nearest("w42", k=9)]
    assert len(set(approximate) & {w for w, _ in exact.nearest("w42", k=9)}) >= 8
    assert opened.head(100).neighbour_index is None  # a slice is small: exact again


@pytest.mark.parametrize("metric", ["cosine", "euclidean"])
def test_the_umap_graph_puts_each_row_first_gives_true_distances_and_states_its_recall(metric):
    rng = np.random.default_rng(3)
    points = rng.normal(size=(1_500, 16)).astype(np.float32)
    points[10:20] = points[10]  # ten identical rows: the worst case for "itself first"
    indices, distances, recall, sample = neighbour_index.knn_graph(points, 8, metric, seed=0)
    rows = np.arange(len(points))
    assert (indices[:, 0] == rows).all() and (distances[:, 0] == 0).all()
    assert all(len(set(row)) == 8 for row in indices.tolist())  # no row listed twice
    unit = points / np.linalg.norm(points, axis=1, keepdims=True)
    if metric == "cosine":  # each distance is the metric's own for the pair returned
        expected = 1 - np.einsum("nd,nkd->nk", unit, unit[indices])
    else:
        expected = np.linalg.norm(points[:, None] - points[indices], axis=2)
    np.testing.assert_allclose(distances, expected, atol=1e-4)
    for row in range(10, 20):  # a duplicate finds the others at distance 0 (seven of its nine twins fit)
        assert set(indices[row, 1:]) <= set(range(10, 20)) and (distances[row, 1:] < 1e-5).all()
    full = 1 - unit @ unit.T if metric == "cosine" else np.linalg.norm(points[:, None] - points[None], axis=2)
    np.fill_diagonal(full, -1.0)
    truth = np.argsort(full, axis=1, kind="stable")[:, 1:8]
    everywhere = np.mean([len(set(t) & set(f)) / 7 for t, f in zip(truth.tolist(), indices[:, 1:].tolist())])
    assert sample == neighbour_index.RECALL_SAMPLE
    assert abs(recall - everywhere) < 0.05  # the sampled figure stands for the whole graph
    assert recall >= 0.9
