"""Orthogonal Procrustes: turn one set of vectors onto another without bending it.

Shared by the training film (each snapshot turned onto the last, so motion means learning, not
rotation) and the Live sentiment global view (a classifier's embedding rows turned onto GloVe's).
"""

from __future__ import annotations

import numpy as np


def procrustes(source: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The map W with orthonormal columns minimising ‖source W − target‖ (Schönemann 1966): U Vᵀ of svd(sourceᵀ target).

    Square when the dimensions match (scipy's `orthogonal_procrustes`); for wider sources, the same
    SVD gives the best semi-orthogonal projection, which scipy's function does not accept.
    """
    u, _, vt = np.linalg.svd(source.T @ target, full_matrices=False)
    return u @ vt  # (d_source, d_target)


def unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Each row scaled to length 1 (a zero row stays zero)."""
    return matrix / np.maximum(np.linalg.norm(matrix, axis=-1, keepdims=True), 1e-12)
