"""How the lab drives umap-learn: its compile paid once per installation, a faster spectral start, and progress.

- umap-learn 0.5 compiles ~60 numba functions without `cache=True`, so every new process paid ~45 s
  before its first UMAP. We import it with numba's `njit` defaulting to `cache=True`, so that compile
  lands in numba's on-disk cache (next to the installed package) and is paid once per installation
  (the other speed choice measured in bench/projection.py, beside `engine.exact_knn`).
- Its spectral initialisation asks ARPACK for the smallest eigenvectors of a Laplacian, slowly;
  `spectral_layout` finds the same ones as the largest eigenvectors of a related matrix.
- It offers no progress callback, only tqdm keyword arguments: `EpochSink` turns its bar into progress
  reports, and `release_tqdm_lock` undoes the hold tqdm keeps on its lock when a report raises.
"""

from __future__ import annotations

import re
import sys
import threading

import numpy as np

from engine.jobs import ProgressCallback

_UMAP_IMPORT = threading.Lock()


def import_umap():
    """Import umap-learn with numba's njit caching to disk (see the module docstring); idempotent."""
    with _UMAP_IMPORT:
        if "umap" in sys.modules:
            return sys.modules["umap"]
        import numba

        original = numba.njit

        def njit_cached(*args, **kwargs):
            kwargs.setdefault("cache", True)
            return original(*args, **kwargs)

        numba.njit = njit_cached
        try:
            import umap
        finally:
            numba.njit = original
        return umap


def spectral_layout(graph, dims: int) -> np.ndarray | None:
    """The eigenvectors umap-learn's spectral layout uses, (rows, dims), or None where it must do it itself.

    umap-learn asks ARPACK for the smallest eigenvectors of the normalised Laplacian L = I − D^-½ A D^-½
    (which="SM"), which converges slowly (4.5 s of CPU on 20,000 GloVe words). L's eigenvalues are
    1 − those of N = D^-½ A D^-½ with the same eigenvectors, so its smallest are N's largest (which="LA"),
    found in about 0.1 s. Both drop the trivial eigenvector (D^½·1). With distinct eigenvalues the two give
    the same subspace; where eigenvalues repeat (a ring graph), neither answer is unique: both give
    eigenvectors of the same eigenvalues, not always the same ones (tests/test_projection.py checks both
    cases). A graph in several pieces needs umap-learn's component-by-component layout: None.
    """
    from scipy.sparse import diags
    from scipy.sparse.csgraph import connected_components
    from scipy.sparse.linalg import ArpackError, ArpackNoConvergence, eigsh

    if connected_components(graph, directed=False)[0] > 1:
        return None
    scale = diags(1.0 / np.sqrt(np.asarray(graph.sum(axis=1)).ravel()))
    try:
        values, vectors = eigsh(scale @ graph @ scale, dims + 1, which="LA", tol=1e-4, v0=np.ones(graph.shape[0]))
    except (ArpackError, ArpackNoConvergence):
        return None
    return vectors[:, np.argsort(values)[::-1][1:]]  # (rows, dims): drop the trivial top eigenvector


class EpochSink:
    """A file for umap-learn's tqdm bar, formatted as 'n/total', turned into progress reports.

    umap-learn offers no progress callback, only tqdm keyword arguments; this is the narrowest hook.
    An exception raised by the report (a cancelled job) propagates out of the epoch loop.
    """

    _COUNT = re.compile(r"(\d+)/(\d+)")

    def __init__(self, report: ProgressCallback, offset: int, total: int) -> None:
        self.report, self.offset, self.total = report, offset, total
        self.interrupted = False

    def write(self, text: str) -> int:
        found = self._COUNT.findall(text)
        if found and not self.interrupted:
            done = int(found[-1][0])
            try:
                self.report(min(self.total, self.offset + done), self.total, {"phase": "optimising layout", "epoch": done})
            except BaseException:
                self.interrupted = True
                raise
        return len(text)

    def flush(self) -> None:
        pass


def release_tqdm_lock() -> None:
    """Undo the hold tqdm keeps on its global lock when a write raises inside refresh().

    tqdm 4.x acquires that lock around display() without try/finally, so an exception from our sink (a
    cancelled job) leaves it held by this thread and every later progress bar in the process deadlocks.
    """
    from tqdm import tqdm

    try:
        tqdm.get_lock().release()
    except (RuntimeError, ValueError, AssertionError):
        pass  # the exception came from close(), whose `with` block already released it
