"""Projections: shapes, agreement with scikit-learn, determinism for a seed, the disk cache, progress and cancel."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch
from sklearn.decomposition import PCA

from engine import exact_knn, projection, umap_hooks
from engine.errors import LabError
from engine.projection import ProjectionParams


@pytest.fixture(scope="module")
def blobs() -> np.ndarray:
    """Three well separated clusters of 60 points in 12 dimensions."""
    rng = np.random.default_rng(7)
    centres = rng.normal(scale=6.0, size=(3, 12))
    return np.concatenate([centre + rng.normal(size=(60, 12)) for centre in centres]).astype(np.float32)


@pytest.mark.parametrize("dims", [2, 3])
def test_pca_matches_scikit_learn_up_to_sign(blobs, dims):
    result = projection.project(blobs, ProjectionParams("pca", dims=dims), use_cache=False)
    reference = PCA(n_components=dims).fit(blobs)
    expected = reference.transform(blobs)
    assert result.coords.shape == (len(blobs), dims)
    for axis in range(dims):
        sign = np.sign(result.coords[:, axis] @ expected[:, axis])
        np.testing.assert_allclose(result.coords[:, axis], sign * expected[:, axis], atol=1e-3)
    np.testing.assert_allclose(result.explained, reference.explained_variance_ratio_, atol=1e-5)


def test_exact_neighbours_agree_with_brute_force(blobs):
    for metric in projection.METRICS:
        indices, distances = exact_knn.nearest_neighbours(blobs, 6, metric)
        points = blobs / np.linalg.norm(blobs, axis=1, keepdims=True) if metric == "cosine" else blobs
        full = 1 - points @ points.T if metric == "cosine" else np.linalg.norm(points[:, None] - points[None], axis=2)
        np.fill_diagonal(full, -1.0)
        assert (indices[:, 0] == np.arange(len(blobs))).all()
        np.testing.assert_array_equal(np.sort(indices[:, 1:], axis=1), np.sort(np.argsort(full, axis=1)[:, 1:6], axis=1))
        np.testing.assert_allclose(distances[:, 1:], np.sort(full, axis=1)[:, 1:6], atol=1e-4)


@pytest.mark.parametrize(("method", "extra"), [("umap", {"n_neighbors": 10}), ("tsne", {"perplexity": 10.0})])
def test_seeded_runs_are_identical_and_keep_clusters_apart(blobs, method, extra):
    params = ProjectionParams(method, seed=11, **extra)
    first = projection.project(blobs, params, use_cache=False)
    second = projection.project(blobs, params, use_cache=False)
    assert first.coords.shape == (len(blobs), 2)
    np.testing.assert_array_equal(first.coords, second.coords)
    # Each point's nearest projected neighbour comes from its own cluster.
    distances = np.linalg.norm(first.coords[:, None] - first.coords[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    labels = np.repeat(np.arange(3), 60)
    assert (labels[distances.argmin(axis=1)] == labels).mean() > 0.95


def test_umap_in_3d_reports_progress_to_the_end(blobs):
    reports = []
    result = projection.project(blobs, ProjectionParams("umap", dims=3, n_neighbors=8), use_cache=False,
                                on_progress=lambda step, total, metrics: reports.append((step, total, metrics)))
    assert result.coords.shape == (len(blobs), 3)
    steps = [step for step, _, _ in reports]
    assert steps == sorted(steps) and reports[-1][0] == reports[-1][1]
    assert any(metrics.get("phase") == "optimising layout" for _, _, metrics in reports)


def test_a_cancel_raised_from_the_callback_stops_umap(blobs):
    class Stop(Exception):
        pass

    def cancel_during_epochs(step, total, metrics):
        if metrics.get("phase") == "optimising layout":
            raise Stop

    with pytest.raises(Stop):
        projection.project(blobs, ProjectionParams("umap", n_neighbors=8), use_cache=False, on_progress=cancel_during_epochs)
    # The interrupted progress bar must not leave tqdm's global lock held: a UMAP in another thread still finishes.
    done = []
    worker = threading.Thread(target=lambda: done.append(
        projection.project(blobs, ProjectionParams("umap", n_neighbors=8), use_cache=False)), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert done and done[0].coords.shape == (len(blobs), 2)


def test_the_cache_returns_the_same_coordinates_and_keys_on_content(blobs):
    params = ProjectionParams("pca", dims=3)
    assert projection.cached(blobs, params) is None
    fresh = projection.project(blobs, params)
    again = projection.project(blobs, params)
    assert not fresh.cached and again.cached
    np.testing.assert_array_equal(fresh.coords, again.coords)
    assert again.explained == pytest.approx(fresh.explained)
    changed = blobs.copy()
    changed[0, 0] += 1.0
    assert projection.cached(changed, params) is None  # one number changed: a different key
    assert projection.cached(blobs, ProjectionParams("pca", dims=2)) is None
    # Parameters that do not affect PCA do not split its cache.
    assert projection.cached(blobs, ProjectionParams("pca", dims=3, seed=5, perplexity=50)) is not None


def test_a_damaged_cache_file_is_recomputed_not_trusted(blobs):
    params = ProjectionParams("pca")
    projection.project(blobs, params)
    key = projection.cache_key(blobs, params)
    (projection.cache_dir() / f"{key}.npy").write_bytes(b"not an array")
    assert projection.cached(blobs, params) is None
    assert not projection.project(blobs, params).cached


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"method": "mds"}, "method must be one of"),
    ({"dims": 4}, "dims must be 2 or 3"),
    ({"perplexity": 1}, "perplexity"),
    ({"n_neighbors": 500}, "n_neighbors"),
    ({"min_dist": 2.0}, "min_dist"),
    ({"metric": "manhattan"}, "metric"),
    ({"seed": -1}, "seed"),
])
def test_bad_parameters_name_the_parameter(kwargs, expected):
    with pytest.raises(LabError, match=expected):
        ProjectionParams(**kwargs)


def test_too_few_points_or_dimensions_are_explained():
    with pytest.raises(LabError, match="Lower the perplexity"):
        projection.project(np.random.default_rng(0).normal(size=(20, 5)), ProjectionParams("tsne"), use_cache=False)
    with pytest.raises(LabError, match="cannot be projected to 3D"):
        projection.project(np.ones((10, 2)), ProjectionParams("pca", dims=3), use_cache=False)
    with pytest.raises(LabError, match="NaN"):
        projection.project(np.full((10, 4), np.nan), ProjectionParams("pca"), use_cache=False)


def test_tsne_reports_progress_and_can_be_cancelled(blobs):
    reports = []
    projection.project(blobs, ProjectionParams("tsne", perplexity=10.0), use_cache=False,
                       on_progress=lambda step, total, metrics: reports.append((step, total, metrics)))
    assert reports[-1][0] == reports[-1][1]  # the last callback comes at the last iteration
    assert all("kl_divergence" in metrics for _, _, metrics in reports[2:])

    class Stop(Exception):
        pass

    def cancel(step, total, metrics):
        if step > 100:
            raise Stop

    with pytest.raises(Stop):
        projection.project(blobs, ProjectionParams("tsne", perplexity=10.0), use_cache=False, on_progress=cancel)


def _subspace_gap(first: np.ndarray, second: np.ndarray) -> float:
    """The largest difference between the projections onto two column spaces (0: the same subspace)."""
    q1, _ = np.linalg.qr(first)
    q2, _ = np.linalg.qr(second)
    return float(np.linalg.norm(q1 @ q1.T - q2 @ q2.T, 2))


def _ring(n: int):
    """A ring graph: its normalised adjacency has every eigenvalue but the extremes twice (cos 2πj/n)."""
    from scipy.sparse import csr_matrix

    rows = np.arange(n)
    graph = csr_matrix((np.ones(n), (rows, (rows + 1) % n)), shape=(n, n))
    return (graph + graph.T).tocsr()


@pytest.mark.parametrize("dims", [2, 3])
def test_the_fast_spectral_start_spans_umap_learns_eigenvectors(blobs, dims):
    """The largest eigenvectors of D^-½AD^-½ are umap-learn's smallest of its Laplacian: same subspace."""
    from umap.spectral import spectral_layout
    from umap.umap_ import fuzzy_simplicial_set

    rng = np.random.default_rng(0)
    points = np.concatenate([blobs, rng.normal(scale=4.0, size=(120, 12)).astype(np.float32)])  # one connected graph
    indices, distances = exact_knn.nearest_neighbours(points, 15, "euclidean")
    graph, _, _ = fuzzy_simplicial_set(points, 15, np.random.RandomState(0), "euclidean",
                                       knn_indices=indices, knn_dists=distances)
    ours = umap_hooks.spectral_layout(graph, dims)
    theirs = spectral_layout(points, graph, dims, np.random.RandomState(0))
    assert ours is not None and ours.shape == (len(points), dims)
    assert _subspace_gap(ours, theirs) < 1e-3


def test_the_spectral_start_on_a_degenerate_spectrum_gives_eigenvectors_of_the_same_eigenvalues():
    """Worst case: a ring's Laplacian has every eigenvalue but the extremes twice, so single eigenvectors are
    not defined, and ARPACK (started from the all-ones vector, in umap-learn as here) may return one vector
    of each of two planes. What must hold: each column is an eigenvector of the Laplacian, and the
    eigenvalues are the ones umap-learn's columns have."""
    from scipy.sparse import identity
    from umap.spectral import spectral_layout

    graph = _ring(200)
    laplacian = identity(200) - graph / 2  # every degree is 2

    def eigenvalues_and_residual(layout):
        basis, _ = np.linalg.qr(layout)
        rayleigh = basis.T @ (laplacian @ basis)
        return np.sort(np.diag(rayleigh)), float(np.linalg.norm(laplacian @ basis - basis @ rayleigh))

    ours, ours_residual = eigenvalues_and_residual(umap_hooks.spectral_layout(graph, 2))
    theirs, _ = eigenvalues_and_residual(spectral_layout(np.zeros((200, 2)), graph, 2, np.random.RandomState(0)))
    assert ours_residual < 1e-3
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    assert ours[0] == pytest.approx(1 - np.cos(2 * np.pi / 200), abs=1e-6)  # the smallest non-trivial eigenvalue


def test_a_disconnected_graph_leaves_the_spectral_start_to_umap_learn():
    from scipy.sparse import block_diag

    graph = block_diag([_ring(50), _ring(50)]).tocsr()
    assert umap_hooks.spectral_layout(graph, 2) is None


def test_umap_above_the_exact_limit_uses_the_approximate_graph_says_so_and_keeps_the_note(blobs, monkeypatch):
    monkeypatch.setitem(exact_knn.EXACT_KNN_MAX, "cpu", 100)  # the 180 blobs count as a large set
    params = ProjectionParams("umap", n_neighbors=10, seed=3)
    result = projection.project(blobs, params, device=torch.device("cpu"))
    assert result.note.startswith("Approximate neighbour graph (faiss HNSW): recall@9 ")
    assert f"{projection.LARGE_EPOCHS} layout epochs" in result.note
    distances = np.linalg.norm(result.coords[:, None] - result.coords[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    labels = np.repeat(np.arange(3), 60)
    assert (labels[distances.argmin(axis=1)] == labels).mean() > 0.95  # clusters still kept apart
    again = projection.cached(blobs, params)
    assert again is not None and again.note == result.note  # the cache remembers how it was made


def test_the_approximate_graph_is_built_once_and_a_damaged_one_rebuilt(blobs, monkeypatch):
    monkeypatch.setitem(exact_knn.EXACT_KNN_MAX, "cpu", 100)
    builds = []
    real = projection.knn_graph
    monkeypatch.setattr(projection, "knn_graph", lambda *args, **kwargs: builds.append(1) or real(*args, **kwargs))
    first = projection.project(blobs, ProjectionParams("umap", n_neighbors=10, min_dist=0.1), use_cache=False)
    second = projection.project(blobs, ProjectionParams("umap", n_neighbors=10, min_dist=0.5), use_cache=False)
    assert len(builds) == 1 and first.note == second.note  # a new min_dist reuses the graph and its measured recall
    (stored,) = projection.cache_dir().glob("*.graph.npz")
    stored.write_bytes(b"not an npz file")
    projection.project(blobs, ProjectionParams("umap", n_neighbors=10, min_dist=0.3), use_cache=False)
    assert len(builds) == 2  # a damaged graph is rebuilt, not trusted


def test_tsne_above_the_exact_limit_uses_the_approximate_graph_too(blobs, monkeypatch):
    monkeypatch.setitem(exact_knn.EXACT_KNN_MAX, "cpu", 100)
    result = projection.project(blobs, ProjectionParams("tsne", perplexity=10.0, seed=2), use_cache=False)
    assert result.note.startswith("Approximate neighbour graph (faiss HNSW): recall@30 ")
    distances = np.linalg.norm(result.coords[:, None] - result.coords[None], axis=2)
    np.fill_diagonal(distances, np.inf)
    labels = np.repeat(np.arange(3), 60)
    assert (labels[distances.argmin(axis=1)] == labels).mean() > 0.95


def test_chosen_umap_epochs_are_validated_run_and_only_then_part_of_the_key(blobs):
    with pytest.raises(LabError, match="layout epochs"):
        ProjectionParams("umap", epochs=5)
    assert "epochs" not in ProjectionParams("umap").relevant()  # the lab's choice: the keys cached results always had
    assert ProjectionParams("umap", epochs=30).relevant()["epochs"] == 30
    reports = []
    projection.project(blobs, ProjectionParams("umap", n_neighbors=8, epochs=30), use_cache=False,
                       on_progress=lambda step, total, metrics: reports.append(total))
    assert reports[-1] == 32  # 30 epochs and the two set-up steps
