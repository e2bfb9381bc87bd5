"""Projections of an embedding space to 2D or 3D: PCA (torch, on the device), t-SNE (openTSNE), UMAP (umap-learn).

Nothing is ever subsampled: every row handed in comes back with coordinates. Results are cached on
disk under the lab home, keyed by a content hash of the vectors plus every parameter that changes the
result, so a repeat (also after a restart) is a file read. Long runs report
`on_progress(step, total, {"phase": ...})`; raising from that callback (a cancelled job) stops them.

Two speed choices for t-SNE and UMAP, both measured in bench/projection.py, live beside this module:
exact k nearest neighbours on the device (`engine.exact_knn`; above its limit both take a faiss HNSW graph,
`engine.neighbour_index.knn_graph`, built once per set and cached here), and umap-learn's numba compile paid
once per installation rather than once per process (`engine.umap_hooks`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import uuid
import warnings
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import torch

from engine.device import default_device
from engine.errors import LabError
from engine.exact_knn import exact_knn_fits, nearest_neighbours
from engine.jobs import ProgressCallback
from engine.neighbour_index import GRAPH_EF_SEARCH, GRAPH_LINKS, knn_graph
from engine.store import lab_home
from engine.umap_hooks import EpochSink, import_umap, release_tqdm_lock, spectral_layout


METHODS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
METRICS = ("cosine", "euclidean")
CACHE_VERSION = 1
LARGE_EPOCHS = 50  # UMAP layout epochs above the exact-neighbour limit (see _umap)


@dataclass(frozen=True)
class ProjectionParams:
    """What the user chose; checked once here so the runners can trust it."""

    method: str = "pca"
    dims: int = 2
    perplexity: float = 30.0  # t-SNE
    n_neighbors: int = 15  # UMAP
    min_dist: float = 0.1  # UMAP
    metric: str = "cosine"  # t-SNE and UMAP
    seed: int = 0  # t-SNE and UMAP
    epochs: int = 0  # UMAP's layout epochs; 0: the lab's choice (see _umap)

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise LabError(f"method must be one of {', '.join(METHODS)}; got {self.method!r}.")
        if self.dims not in (2, 3):
            raise LabError(f"dims must be 2 or 3; got {self.dims!r}.")
        if not 2 <= self.perplexity <= 200:
            raise LabError(f"perplexity must be between 2 and 200; got {self.perplexity}.")
        if not 2 <= self.n_neighbors <= 200:
            raise LabError(f"n_neighbors must be between 2 and 200; got {self.n_neighbors}.")
        if not 0.0 <= self.min_dist <= 1.0:
            raise LabError(f"min_dist must be between 0 and 1; got {self.min_dist}.")
        if self.metric not in METRICS:
            raise LabError(f"metric must be one of {', '.join(METRICS)}; got {self.metric!r}.")
        if not 0 <= self.seed < 2**31:
            raise LabError(f"seed must be a whole number from 0 to {2**31 - 1:,}; got {self.seed}.")
        if self.epochs and not 10 <= self.epochs <= 1_000:
            raise LabError(f"UMAP's layout epochs must be between 10 and 1,000 (or 0 for the lab's choice); got {self.epochs}.")

    def relevant(self) -> dict[str, Any]:
        """Only the parameters that change this method's result (the cache key and labels use these)."""
        chosen = {"method": self.method, "dims": self.dims}
        if self.method == "tsne":
            chosen |= {"perplexity": float(self.perplexity), "metric": self.metric, "seed": self.seed}
        elif self.method == "umap":
            chosen |= {"n_neighbors": self.n_neighbors, "min_dist": float(self.min_dist), "metric": self.metric, "seed": self.seed}
            chosen |= {"epochs": self.epochs} if self.epochs else {}  # the lab's choice keeps the keys it always had
        return chosen

    def describe(self) -> str:
        extras = [f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}"
                  for key, value in self.relevant().items() if key not in ("method", "dims")]
        return " · ".join([f"{METHODS[self.method]} {self.dims}D", *extras])


@dataclass(frozen=True)
class Projection:
    """Coordinates for every input row, and how they were made."""

    coords: np.ndarray  # (rows, dims) float32
    params: ProjectionParams
    seconds: float
    cached: bool = False
    explained: list[float] = field(default_factory=list)  # PCA: share of variance per axis
    axis_names: tuple[str, ...] = ()  # coordinates not made by a method here (a CSV, semantic axes) name their axes
    note: str = ""  # what the user should know of how it was made (an approximate neighbour graph and its recall)

    @property
    def axis_titles(self) -> list[str]:
        name = METHODS[self.params.method]
        if self.axis_names:
            return list(self.axis_names)
        if self.explained:
            return [f"PC{i + 1} ({share:.1%} of variance)" for i, share in enumerate(self.explained)]
        return [f"{name} {i + 1}" for i in range(self.params.dims)]


def project(
    vectors: np.ndarray | torch.Tensor,
    params: ProjectionParams,
    *,
    on_progress: ProgressCallback | None = None,
    use_cache: bool = True,
    device: torch.device | None = None,
) -> Projection:
    """Project (rows, dim) vectors to (rows, params.dims), from the disk cache when this exact run was done before."""
    matrix = _as_matrix(vectors)  # (rows, dim) float32, on the CPU for hashing
    report = on_progress or (lambda step, total, metrics: None)
    _check_sizes(matrix, params)
    key = cache_key(matrix, params)
    started = time.perf_counter()
    if use_cache and (hit := _cache_read(key, matrix.shape[0], params)) is not None:
        coords, explained, note = hit
        report(1, 1, {"phase": "loaded from cache"})
        return Projection(coords, params, time.perf_counter() - started, cached=True, explained=explained, note=note)
    runner = {"pca": _pca, "tsne": _tsne, "umap": _umap}[params.method]
    coords, explained, note = runner(matrix, params, report, device or default_device())
    coords = np.ascontiguousarray(coords, dtype=np.float32)
    seconds = time.perf_counter() - started
    if use_cache:
        _cache_write(key, coords, {"params": params.relevant(), "explained": explained, "note": note, "seconds": seconds})
    return Projection(coords, params, seconds, cached=False, explained=explained, note=note)


def cached(vectors: np.ndarray | torch.Tensor, params: ProjectionParams) -> Projection | None:
    """The cached projection for these vectors and parameters, or None (never computes)."""
    matrix = _as_matrix(vectors)
    started = time.perf_counter()
    hit = _cache_read(cache_key(matrix, params), matrix.shape[0], params)
    if hit is None:
        return None
    return Projection(hit[0], params, time.perf_counter() - started, cached=True, explained=hit[1], note=hit[2])


def cache_key(matrix: np.ndarray, params: ProjectionParams) -> str:
    """A content hash of the vectors, the parameters that matter, and the library that computes them."""
    digest = hashlib.blake2b(digest_size=20)
    library = {"pca": "torch", "tsne": "openTSNE", "umap": "umap-learn"}[params.method]
    digest.update(json.dumps([CACHE_VERSION, matrix.shape, params.relevant(), library, version(library)]).encode())
    digest.update(memoryview(np.ascontiguousarray(matrix, dtype=np.float32)).cast("B"))
    return digest.hexdigest()


def cache_dir() -> Path:
    return lab_home() / "cache" / "projections"


def warm_up_umap() -> float:
    """Run UMAP once on tiny data so numba's compile lands in its disk cache; returns the seconds it took.

    Only bench/projection.py calls it, to time a cold start apart from the compile; the app compiles on first use.
    """
    started = time.perf_counter()
    sample = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    for metric in METRICS:
        project(sample, ProjectionParams("umap", metric=metric), use_cache=False, device=torch.device("cpu"))
    return time.perf_counter() - started


# --- the three methods -------------------------------------------------------------------------


def _pca(matrix: np.ndarray, params: ProjectionParams, report: ProgressCallback, device: torch.device):
    """Principal axes from the eigenvectors of the (dim, dim) covariance: one pass over the data, on the device."""
    report(0, 1, {"phase": "PCA"})
    points = torch.as_tensor(matrix, device=device)  # (n, dim)
    centred = points - points.mean(dim=0)
    covariance = (centred.T.double() @ centred.double()) / max(1, len(points) - 1)  # (dim, dim)
    values, vectors = torch.linalg.eigh(covariance)  # ascending
    values, vectors = values.flip(0), vectors.flip(1)
    axes = vectors[:, : params.dims]  # (dim, dims)
    # Fix each axis's sign (largest loading positive), as scikit-learn does, so a rerun cannot mirror the plot.
    signs = torch.sign(axes.gather(0, axes.abs().argmax(dim=0, keepdim=True)))
    axes = (axes * signs).float()
    coords = centred @ axes  # (n, dims)
    total = values.clamp_min(0).sum().item()
    explained = [float(v) / total if total else 0.0 for v in values[: params.dims].tolist()]
    report(1, 1, {"phase": "PCA"})
    return coords.cpu().numpy(), explained, ""


def _tsne(matrix: np.ndarray, params: ProjectionParams, report: ProgressCallback, device: torch.device):
    """openTSNE: 250 iterations with early exaggeration, then 500 normal ones, with progress every 25."""
    from openTSNE import TSNEEmbedding, affinity, initialization, nearest_neighbors

    early, late = 250, 500
    total = early + late + 1
    report(0, total, {"phase": "nearest neighbours"})
    k = min(len(matrix) - 1, int(3 * params.perplexity))
    threads = _threads() if len(matrix) >= 10_000 else 1  # below that, thread start-up costs more than it saves
    note = ""
    if exact_knn_fits(len(matrix), device):
        indices, distances = nearest_neighbours(matrix, k + 1, params.metric, device)
    else:
        indices, distances, recall, sample = _approximate_graph(matrix, k + 1, params, lambda phase: report(0, total, {"phase": phase}))
        note = _graph_note(k, recall, sample)
    knn = nearest_neighbors.PrecomputedNeighbors(indices[:, 1:], distances[:, 1:].astype(np.float64))
    affinities = affinity.PerplexityBasedNN(knn_index=knn, perplexity=params.perplexity, n_jobs=threads)
    report(1, total, {"phase": "affinities"})
    start = initialization.pca(matrix, n_components=params.dims, random_state=params.seed)

    def progress(offset: int, phase: str):
        def callback(iteration: int, error: float, embedding) -> None:
            report(1 + offset + iteration, total, {"phase": phase, "kl_divergence": float(error)})
        return callback

    # openTSNE's own rule: Barnes–Hut below 10,000 points, FFT interpolation above (FFT supports 2D only).
    gradient = "fft" if params.dims == 2 and len(matrix) >= 10_000 else "bh"
    options = {"negative_gradient_method": gradient, "n_jobs": threads, "random_state": params.seed}
    embedding = TSNEEmbedding(start, affinities, **options)
    embedding = embedding.optimize(early, exaggeration=12, momentum=0.5, callbacks=progress(0, "early exaggeration"),
                                   callbacks_every_iters=25)
    embedding = embedding.optimize(late, momentum=0.8, callbacks=progress(early, "optimising"), callbacks_every_iters=25)
    return np.asarray(embedding), [], note


def _umap(matrix: np.ndarray, params: ProjectionParams, report: ProgressCallback, device: torch.device):
    """umap-learn with the lab's neighbour graph and spectral start, and per-epoch progress.

    Up to the exact limit (`engine.exact_knn`) the graph is exact, the layout seeded and single-threaded (umap-learn's
    rule for reproducibility), 200 epochs (umap-learn's own default). Above it — 400,000 GloVe words, say — the
    graph is faiss HNSW's (recall measured and stated), and the layout runs on every core for `LARGE_EPOCHS`
    epochs: umap-learn's 200 took 406 s of layout alone at 400,000 words here; bench/umap_large.py measures what
    the fewer epochs keep. Such a run is not bit-reproducible (neither the graph's parallel build nor the parallel
    layout is); the cache keeps its result.
    """
    umap = import_umap()
    n = len(matrix)
    exact = exact_knn_fits(n, device)
    epochs = params.epochs or ((200 if n > 10_000 else 500) if exact else LARGE_EPOCHS)  # explicit: progress has a total
    total = epochs + 2
    note = ""
    report(0, total, {"phase": "nearest neighbours"})
    if exact:
        indices, distances = nearest_neighbours(matrix, params.n_neighbors, params.metric, device)
    else:
        indices, distances, recall, sample = _approximate_graph(matrix, params.n_neighbors, params,
                                                                lambda phase: report(0, total, {"phase": phase}))
        note = _graph_note(params.n_neighbors - 1, recall, sample) + f" {epochs} layout epochs on {_threads()} threads."
    report(1, total, {"phase": "fuzzy graph and spectral layout"})
    knn = (indices.astype(np.int32), distances, None)
    init = _spectral_init(matrix, knn[0], knn[1], params)
    sink = EpochSink(report, 2, total)
    model = umap.UMAP(
        n_components=params.dims, n_neighbors=params.n_neighbors, min_dist=params.min_dist, metric=params.metric,
        random_state=params.seed if exact else None, n_jobs=1 if exact else _threads(), n_epochs=epochs,
        precomputed_knn=knn, init=init,
        tqdm_kwds={"disable": False, "file": sink, "bar_format": "{n}/{total}", "mininterval": 0.2},
    )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*(knn_search_index|n_jobs|[Cc]annot cache).*")
            coords = model.fit_transform(matrix)
    finally:
        if sink.interrupted:
            release_tqdm_lock()
    report(total, total, {"phase": "done"})
    return coords, [], note


def _approximate_graph(matrix: np.ndarray, k: int, params: ProjectionParams, say) -> tuple[np.ndarray, np.ndarray, float, int]:
    """`knn_graph`'s k neighbours for these vectors, built once and kept in the cache (a new min_dist or seed reuses them)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(json.dumps([CACHE_VERSION, matrix.shape, "hnsw", GRAPH_LINKS, GRAPH_EF_SEARCH, k, params.metric,
                              version("faiss-cpu")]).encode())
    digest.update(memoryview(np.ascontiguousarray(matrix, dtype=np.float32)).cast("B"))
    path = cache_dir() / f"{digest.hexdigest()}.graph.npz"
    try:
        with np.load(path, allow_pickle=False) as stored:
            indices, distances = stored["indices"], stored["distances"]
            if indices.shape == distances.shape == (len(matrix), k):
                say("neighbour graph from the cache")
                return indices, distances, float(stored["recall"]), int(stored["sample"])
    except (OSError, ValueError, KeyError):
        pass  # none yet, or damaged: build it
    built = knn_graph(matrix, k, params.metric, seed=params.seed,
                      on_progress=lambda done, of, metrics: say(f"{metrics['stage']}: {done / of:.0%}"))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{uuid.uuid4().hex[:8]}.{path.name}")
        np.savez(temporary, indices=built[0], distances=built[1], recall=built[2], sample=built[3])
        os.replace(temporary, path)
    except OSError:
        pass  # a full or read-only disk costs only the cache
    return built


def _graph_note(k: int, recall: float, sample: int) -> str:
    return f"Approximate neighbour graph (faiss HNSW): recall@{k} {recall:.2f} against exact search on {sample} sampled words."


def _spectral_init(matrix: np.ndarray, indices: np.ndarray, distances: np.ndarray, params: ProjectionParams):
    """UMAP's spectral initialisation, found faster: (rows, dims) coordinates, or "spectral" to let umap-learn do it."""
    from umap.umap_ import fuzzy_simplicial_set

    random_state = np.random.RandomState(params.seed)
    graph, _, _ = fuzzy_simplicial_set(matrix, params.n_neighbors, random_state, params.metric,
                                       knn_indices=indices, knn_dists=distances)  # (rows, rows) sparse
    layout = spectral_layout(graph, params.dims) if len(matrix) >= 4 * (params.dims + 2) else None
    if layout is None:
        return "spectral"
    # The same scaling and jitter umap-learn applies to its own spectral layout.
    layout = layout * (10.0 / np.abs(layout).max())
    return (layout + random_state.normal(scale=0.0001, size=layout.shape)).astype(np.float32)


# --- checks, cache -----------------------------------------------------------------------------


def _as_matrix(vectors: np.ndarray | torch.Tensor) -> np.ndarray:
    if isinstance(vectors, torch.Tensor):
        vectors = vectors.detach().to("cpu", torch.float32).numpy()
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    if matrix.ndim != 2:
        raise LabError(f"expected a 2-D matrix (words × dimensions); got shape {matrix.shape}.")
    if not np.isfinite(matrix).all():
        raise LabError("the vectors hold NaN or infinity; a projection needs finite numbers.")
    return matrix


def _check_sizes(matrix: np.ndarray, params: ProjectionParams) -> None:
    rows, dim = matrix.shape
    if dim < params.dims:
        raise LabError(f"these vectors have {dim} dimension(s); they cannot be projected to {params.dims}D.")
    minimum = {"pca": 2, "tsne": int(3 * params.perplexity) + 2, "umap": params.n_neighbors + 2}[params.method]
    if rows < minimum:
        hint = {"tsne": " Lower the perplexity or add words.", "umap": " Lower n_neighbors or add words."}.get(params.method, "")
        raise LabError(f"{METHODS[params.method]} with these settings needs at least {minimum} points; got {rows}.{hint}")


def _threads() -> int:
    return max(1, min(os.cpu_count() or 1, torch.get_num_threads()))


def _cache_read(key: str, rows: int, params: ProjectionParams) -> tuple[np.ndarray, list[float], str] | None:
    folder = cache_dir()
    try:
        coords = np.load(folder / f"{key}.npy", allow_pickle=False)
        meta = json.loads((folder / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if coords.shape != (rows, params.dims) or coords.dtype != np.float32 or not np.isfinite(coords).all():
        return None  # a damaged or foreign file: recompute rather than trust it
    return coords, [float(v) for v in meta.get("explained", [])], str(meta.get("note", ""))


def _cache_write(key: str, coords: np.ndarray, meta: dict[str, Any]) -> None:
    """Write coordinates then their JSON atomically (temporary name, then rename); a failed write is not an error."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex[:8]
        temporary = folder / f".{key}.{token}.npy"
        np.save(temporary, coords, allow_pickle=False)
        os.replace(temporary, folder / f"{key}.npy")
        note = folder / f".{key}.{token}.json"
        note.write_text(json.dumps({**meta, "created": time.time()}), encoding="utf-8")
        os.replace(note, folder / f"{key}.json")
    except OSError:
        pass  # a full or read-only disk costs only the cache, never the result
