"""Writing embedding files and layouts: the word2vec family (through gensim's writer), TensorBoard projector TSV,
and the coordinates CSV. `engine.formats` reads each of them back.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from gensim.models import KeyedVectors

from engine.errors import LabError


def write_vectors(words: Sequence[str], vectors: np.ndarray, fmt: str) -> bytes:
    """Serialise words and (words, dim) vectors in a word2vec-family format, via gensim's writer."""
    if fmt not in ("word2vec-text", "word2vec-binary", "glove", "fasttext-vec"):
        raise LabError(f"write_vectors writes word2vec-text, word2vec-binary, glove or fasttext-vec; got {fmt!r}.")
    spaced = [word for word in words if not word or any(ch.isspace() for ch in word)]
    if spaced:
        raise LabError(
            f"{fmt} separates a word from its numbers by a space, so words may not contain spaces; "
            f"{len(spaced):,} do (first: {spaced[0]!r}). Export as projector TSV instead."
        )
    matrix = np.asarray(vectors, dtype=np.float32)
    kv = KeyedVectors(vector_size=matrix.shape[1])
    kv.add_vectors(list(words), matrix)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "vectors"
        kv.save_word2vec_format(str(path), binary=fmt == "word2vec-binary", write_header=fmt != "glove")
        return path.read_bytes()


def write_projector_vectors(vectors: np.ndarray) -> bytes:
    """A projector vectors.tsv: one row of tab-separated numbers per word, no header."""
    buffer = io.StringIO()
    np.savetxt(buffer, np.asarray(vectors, dtype=np.float32), delimiter="\t", fmt="%.6g")
    return buffer.getvalue().encode("utf-8")


def write_projector_metadata(words: Sequence[str], metadata: dict[str, Sequence] | None = None) -> bytes:
    """A projector metadata.tsv with a header: word, then any other columns.

    TSV has no escaping, so tabs and line breaks inside values become spaces.
    """
    columns = {"word": list(words), **{name: list(values) for name, values in (metadata or {}).items() if name != "word"}}
    header = "\t".join(_tsv_cell(name) for name in columns)
    rows = ["\t".join(_tsv_cell(value) for value in cells) for cells in zip(*columns.values())]
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def write_coordinates(words: Sequence[str], points: np.ndarray, extra: dict[str, Sequence] | None = None) -> bytes:
    """A CSV of word, x, y[, z] (plus any extra columns), read back by read_coordinates."""
    axes = ["x", "y", "z"][: points.shape[1]]
    table = pd.DataFrame({"word": list(words), **{axis: points[:, i] for i, axis in enumerate(axes)}, **(extra or {})})
    return table.to_csv(index=False).encode("utf-8")


def _tsv_cell(value: object) -> str:
    return " ".join(str(value).replace("\t", " ").splitlines())
