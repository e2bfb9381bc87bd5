"""The hashing trick: a token's column is its stable hash modulo d, so no vocabulary is kept, and tokens may collide.

The lecture's alternative to indexing a vocabulary (`engine.one_hot`). How often distinct tokens share
a bucket is measured beside what chance predicts: the expected share of tokens that share one, and the
birthday problem's probability that any two do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.utils import murmurhash3_32

from engine.errors import LabError

MAX_HASH_DIM = 2**24


def check_hash_dim(dim: int) -> int:
    if not isinstance(dim, (int, np.integer)) or not 1 <= dim <= MAX_HASH_DIM:
        raise LabError(f"The hashing dimensionality must be a whole number from 1 to {MAX_HASH_DIM:,}; got {dim!r}.")
    return int(dim)


def stable_hash(token: str) -> int:
    """MurmurHash3 (32-bit, seed 0), as in scikit-learn's HashingVectorizer: the same on every run.

    Python's own hash() of a string is salted per process (PYTHONHASHSEED), so it would put a word in
    a different bucket after every restart.
    """
    return abs(murmurhash3_32(token, seed=0))


def hash_buckets(tokens: Sequence[str], dim: int) -> np.ndarray:
    """(tokens,) bucket of each token in [0, dim): the column FeatureHasher(alternate_sign=False) uses."""
    dim = check_hash_dim(dim)
    return np.array([stable_hash(token) for token in tokens], dtype=np.int64) % dim


@dataclass(frozen=True)
class Collisions:
    """Which distinct tokens share a bucket at one dimensionality."""

    dim: int
    buckets: dict[str, int]
    groups: list[list[str]]  # tokens per shared bucket, largest group first

    @property
    def colliding(self) -> int:
        return sum(len(group) for group in self.groups)

    @property
    def rate(self) -> float:
        """The fraction of tokens that share their bucket with at least one other token."""
        return self.colliding / len(self.buckets) if self.buckets else 0.0


def collisions(tokens: Sequence[str], dim: int) -> Collisions:
    """Hash every distinct token into `dim` buckets and group those that collide."""
    distinct = list(dict.fromkeys(tokens))
    buckets = dict(zip(distinct, hash_buckets(distinct, dim).tolist()))
    shared: dict[int, list[str]] = {}
    for token, bucket in buckets.items():
        shared.setdefault(bucket, []).append(token)
    groups = sorted((group for group in shared.values() if len(group) > 1), key=len, reverse=True)
    return Collisions(check_hash_dim(dim), buckets, groups)


def expected_collision_rate(n: int, dim: int) -> float:
    """Expected fraction of n random tokens sharing a bucket: 1 - (1 - 1/dim)^(n - 1)."""
    return 0.0 if n < 2 else 1.0 - (1.0 - 1.0 / dim) ** (n - 1)


def birthday_probability(n: int, dim: int) -> float:
    """Probability that at least two of n random tokens share one of dim buckets (the birthday problem), exactly."""
    if n > dim:
        return 1.0
    return float(1.0 - np.exp(np.sum(np.log1p(-np.arange(n) / dim))))


def birthday_dim(n: int, probability: float = 0.5) -> float:
    """The dimensionality at which n tokens collide with the given probability: ≈ n² / (2 ln(1/(1-p)))."""
    return n * (n - 1) / (2 * math.log(1 / (1 - probability)))


def collision_curve(tokens: Sequence[str], dims: Sequence[int]) -> list[dict[str, float]]:
    """Measured vs expected collision rates for the distinct tokens, one row per dimensionality."""
    distinct = list(dict.fromkeys(tokens))
    hashes = np.array([stable_hash(token) for token in distinct], dtype=np.int64)  # (n,)
    rows = []
    for dim in sorted(set(int(d) for d in dims)):
        _, inverse, sizes = np.unique(hashes % check_hash_dim(dim), return_inverse=True, return_counts=True)
        rows.append({
            "dimensionality": dim,
            "measured": float(np.mean(sizes[inverse] > 1)) if len(distinct) else 0.0,
            "expected": expected_collision_rate(len(distinct), dim),
            "any collision (birthday)": birthday_probability(len(distinct), dim),
        })
    return rows


def curve_dims(chosen: int, n: int) -> list[int]:
    """Log-spaced dimensionalities from 2 to well past the birthday bound, plus the chosen one."""
    top = min(MAX_HASH_DIM, max(64, 2 * n * n))  # past n², collisions have all but vanished
    return sorted({*np.unique(np.geomspace(2, top, 48).round().astype(int)).tolist(), check_hash_dim(chosen)})
