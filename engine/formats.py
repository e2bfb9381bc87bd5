"""Reading embedding files: word2vec text and binary, GloVe text, fastText .vec, TensorBoard projector TSV,
and a CSV of precomputed 2D/3D coordinates.

Every reader takes the uploaded bytes and either returns clean float32 vectors or raises LabError
saying what is wrong and on which line (or entry): binary junk, a plain CSV, an empty file, rows of
different lengths, a single word, repeated words, NaN or infinity, a file over the size limit (the
checks every reader shares are in `engine.format_checks`). Nothing here unpickles; a header's counts
are checked against the file's size before any memory is allocated for them.

gensim reads word2vec binary (`engine.word2vec_binary`). The text readers are our own: gensim's
text reader names neither the line of a short row nor a repeated word (it keeps the first and logs),
and parses each number in a Python loop; here every line is checked and numbers are parsed by numpy.
The writers are in `engine.format_writers`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from engine.errors import LabError
from engine.format_checks import MAX_DIM, preview, refuse_duplicates, refuse_unusable_numbers, require_two, text_lines
from engine.uploads import VECTOR_FILE_LIMIT, check_size
from engine.word2vec_binary import read_word2vec_binary

# Rows are parsed this many at a time, so a 200 MB file never becomes one giant list of strings.
_PARSE_CHUNK_ROWS = 20_000

FORMATS = {
    "word2vec-text": "word2vec text (.txt, header line 'count dimensions')",
    "word2vec-binary": "word2vec binary (.bin)",
    "glove": "GloVe text (.txt, no header line)",
    "fasttext-vec": "fastText .vec (word2vec text with a header)",
    "projector-tsv": "TensorBoard projector TSV (vectors.tsv + optional metadata.tsv)",
}
_WORD_COLUMNS = ("word", "token", "label", "name", "text")


@dataclass(frozen=True)
class LoadedVectors:
    """What a reader found: unique words, their (words, dim) float32 vectors, per-word metadata."""

    words: list[str]
    vectors: np.ndarray  # (words, dim) float32
    format: str
    metadata: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Coordinates:
    """Precomputed 2D or 3D coordinates for words, as read from a CSV."""

    words: list[str]
    points: np.ndarray  # (words, 2 or 3) float32
    axes: list[str]


def guess_format(filename: str, data: bytes) -> str:
    """The likely format of an upload from its name and first line (the user may override it)."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".bin":
        return "word2vec-binary"
    if suffix == ".vec":
        return "fasttext-vec"
    if suffix == ".tsv":
        return "projector-tsv"
    first = data[:4096].split(b"\n", 1)[0].split()
    if len(first) == 2 and all(part.isdigit() for part in first):
        return "word2vec-binary" if b"\x00" in data[:65536] else "word2vec-text"
    return "glove"


def read_vectors(
    data: bytes, fmt: str, *, metadata: bytes | None = None, max_bytes: int = VECTOR_FILE_LIMIT
) -> LoadedVectors:
    """Parse an uploaded vector file in the named format (see FORMATS); raise LabError if it is not one."""
    if fmt not in FORMATS:
        raise LabError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}.")
    check_size(data, max_bytes, "the vector file")
    if fmt == "word2vec-binary":
        words, vectors = read_word2vec_binary(data)
        return LoadedVectors(words, vectors, "word2vec-binary")
    if fmt == "projector-tsv":
        return _read_projector_tsv(data, metadata, max_bytes)
    if metadata is not None:
        raise LabError("a metadata file goes only with a projector vectors.tsv.")
    return _read_text(data, fmt)


# --- word2vec text, GloVe, fastText .vec --------------------------------------------------------


def _read_text(data: bytes, fmt: str) -> LoadedVectors:
    lines = text_lines(data, "the vector file")
    rows = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not rows:
        raise LabError("the vector file has only blank lines: there are no words in it.")
    header: tuple[int, int] | None = None
    first_number, first_line = rows[0]
    parts = first_line.split()
    if len(parts) == 2 and all(part.isdigit() for part in parts):
        header = (int(parts[0]), int(parts[1]))
        rows = rows[1:]
    elif fmt in ("word2vec-text", "fasttext-vec"):
        raise LabError(
            f"line {first_number}: a {fmt} file starts with a header 'word_count dimensions' (two whole numbers); "
            f"this line starts with {preview(first_line)}. For a file without a header choose GloVe text."
        )
    if not rows:
        raise LabError("the vector file has a header line but no words after it.")
    dim = header[1] if header else _row_dim(*rows[0])
    if not 1 <= dim <= MAX_DIM:
        raise LabError(f"line {rows[0][0]}: vectors must have 1 to {MAX_DIM:,} numbers; this file says {dim:,}.")
    if header and header[0] != len(rows):
        raise LabError(
            f"line {first_number}: the header promises {header[0]:,} words, but the file has {len(rows):,} "
            f"(is it cut short, or was the header written for another file?)."
        )
    require_two(len(rows), rows[0][0])
    words: list[str] = []
    vectors = np.empty((len(rows), dim), dtype=np.float32)  # (words, dim)
    for start in range(0, len(rows), _PARSE_CHUNK_ROWS):
        split = [(number, *_split_row(number, line, dim)) for number, line in rows[start : start + _PARSE_CHUNK_ROWS]]
        words.extend(word for _, word, _ in split)
        vectors[start : start + len(split)] = _parse_numbers([(number, values) for number, _, values in split], dim)
    refuse_duplicates(words, [number for number, _ in rows])
    refuse_unusable_numbers(vectors, [f"line {number}" for number, _ in rows], words)
    return LoadedVectors(words, vectors, fmt)


def _row_dim(number: int, line: str) -> int:
    parts = line.split()
    if len(parts) == 1 and "," in line:
        raise LabError(
            f"line {number} looks like comma-separated values (a CSV), not a vector file: a row is a word and its "
            f"numbers separated by spaces. To load precomputed 2D/3D coordinates, use the coordinates CSV upload."
        )
    if len(parts) < 2:
        raise LabError(f"line {number} holds {preview(line)} and no numbers: each row is a word followed by its vector.")
    return len(parts) - 1


def _split_row(number: int, line: str, dim: int) -> tuple[str, list[str]]:
    parts = line.split()
    if len(parts) != dim + 1:
        if len(parts) == 1 and "," in line:
            _row_dim(number, line)  # raises the CSV message
        raise LabError(
            f"line {number} has {len(parts) - 1:,} numbers after its word, but the vectors in this file have {dim:,}: "
            f"every row must be a word followed by exactly {dim:,} numbers."
        )
    return parts[0], parts[1:]


def _parse_numbers(rows: Sequence[tuple[int, list[str]]], dim: int) -> np.ndarray:
    """Parse rows of number strings in one numpy call; on failure, find the row and the token at fault."""
    try:
        return np.array([values for _, values in rows], dtype=np.float32).reshape(len(rows), dim)
    except ValueError:
        for number, values in rows:
            for token in values:
                try:
                    float(token)
                except ValueError:
                    raise LabError(f"line {number}: {preview(token)} is not a number.") from None
        raise


# --- TensorBoard projector TSV -----------------------------------------------------------------


def _read_projector_tsv(data: bytes, metadata: bytes | None, max_bytes: int) -> LoadedVectors:
    lines = text_lines(data, "vectors.tsv")
    rows = [(number, line) for number, line in enumerate(lines, start=1) if line.strip()]
    if not rows:
        raise LabError("vectors.tsv has only blank lines: there are no vectors in it.")
    first_fields = rows[0][1].split("\t")
    if len(first_fields) == 1 and "," in rows[0][1]:
        raise LabError("line 1 of vectors.tsv looks like comma-separated values: a projector vectors.tsv separates numbers by tabs.")
    if len(first_fields) == 1 and len(rows[0][1].split()) > 1:
        raise LabError(
            f"line {rows[0][0]} of vectors.tsv has no tabs: a projector vectors.tsv separates its numbers by tabs. "
            f"A word followed by numbers and spaces is word2vec or GloVe text; choose that format."
        )
    dim = len(first_fields)
    if dim > MAX_DIM:
        raise LabError(f"line {rows[0][0]} of vectors.tsv has {dim:,} numbers; at most {MAX_DIM:,} are supported.")
    parsed = []
    for number, line in rows:
        values = line.split("\t")
        if len(values) != dim:
            raise LabError(
                f"line {number} of vectors.tsv has {len(values):,} tab-separated numbers, line {rows[0][0]} has {dim:,}: "
                f"every row must have the same number."
            )
        parsed.append((number, values))
    require_two(len(rows), rows[0][0])
    vectors = np.concatenate(
        [_parse_numbers(parsed[s : s + _PARSE_CHUNK_ROWS], dim) for s in range(0, len(parsed), _PARSE_CHUNK_ROWS)]
    )  # (rows, dim)
    columns: dict[str, list[str]] = {}
    notes: list[str] = []
    if metadata is not None:
        check_size(metadata, max_bytes, "metadata.tsv")
        columns = _read_metadata(metadata, len(rows))
    word_column = next((name for name in columns if name.lower() in _WORD_COLUMNS and _unique(columns[name])), None)
    word_column = word_column or next((name for name in columns if _unique(columns[name])), None)
    if word_column:
        words = columns[word_column]
        notes.append(f"words taken from the metadata column '{word_column}'.")
    else:
        words = [f"#{i}" for i in range(1, len(rows) + 1)]
        notes.append("no metadata column with one distinct value per row, so points are named #1, #2, …")
    refuse_unusable_numbers(vectors, [f"line {number} of vectors.tsv" for number, _ in rows], words)
    return LoadedVectors(words, vectors, "projector-tsv", columns, notes)


def _read_metadata(data: bytes, count: int) -> dict[str, list[str]]:
    """metadata.tsv: a header row when it has several columns; one column may come without one (TensorBoard's rule)."""
    lines = text_lines(data, "metadata.tsv")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        raise LabError("metadata.tsv is empty; leave it out or give one row per vector.")
    header = lines[0].split("\t")
    if len(header) == 1 and len(lines) == count:
        return {"label": [line.strip() for line in lines]}
    if len(lines) - 1 != count:
        raise LabError(
            f"metadata.tsv has {len(lines) - 1:,} rows after its header line but vectors.tsv has {count:,} vectors: "
            f"they must pair up one to one."
        )
    names = [name.strip() or f"column {i + 1}" for i, name in enumerate(header)]
    if len(set(names)) != len(names):
        raise LabError(f"line 1 of metadata.tsv repeats a column name: {', '.join(names)}.")
    columns: dict[str, list[str]] = {name: [] for name in names}
    for number, line in enumerate(lines[1:], start=2):
        values = line.split("\t")
        if len(values) != len(names):
            raise LabError(f"line {number} of metadata.tsv has {len(values)} columns; the header has {len(names)}.")
        for name, value in zip(names, values):
            columns[name].append(value.strip())
    return columns


# --- coordinates CSV ---------------------------------------------------------------------------


def read_coordinates(data: bytes, *, max_bytes: int = VECTOR_FILE_LIMIT) -> Coordinates:
    """A CSV with a header: a word column and 2 or 3 numeric columns (x, y[, z])."""
    check_size(data, max_bytes, "the coordinates CSV")
    text_lines(data, "the coordinates CSV")  # refuses binary junk and non-UTF-8 with a line number
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.EmptyDataError:
        raise LabError("the coordinates CSV is empty.") from None
    except pd.errors.ParserError as error:
        raise LabError(f"the coordinates CSV is malformed: {error}".rstrip(".") + ".") from None
    names = [str(name) for name in table.columns]
    word_column = next((name for name in names if name.strip().lower() in _WORD_COLUMNS), names[0])
    axes = [name for name in names if name != word_column]
    if len(axes) not in (2, 3):
        raise LabError(
            f"line 1: a coordinates CSV has a header with a word column and 2 or 3 coordinate columns "
            f"(word,x,y or word,x,y,z); this one has the columns {', '.join(names)}."
        )
    if len(table) < 2:
        raise LabError(f"the coordinates CSV has {len(table)} row(s) of data; it needs at least two words.")
    points = np.empty((len(table), len(axes)), dtype=np.float32)  # (words, 2 or 3)
    for column, axis in enumerate(axes):
        numbers = pd.to_numeric(table[axis], errors="coerce")
        bad = np.flatnonzero(numbers.isna().to_numpy())
        if len(bad):
            row = int(bad[0])
            raise LabError(
                f"line {row + 2} of the coordinates CSV: {axis} is {preview(table[axis].iloc[row])}, not a number."
            )
        points[:, column] = numbers.to_numpy(dtype=np.float32)
    words = [word.strip() for word in table[word_column].tolist()]
    empty = [i for i, word in enumerate(words) if not word]
    if empty:
        raise LabError(f"line {empty[0] + 2} of the coordinates CSV has no word.")
    refuse_unusable_numbers(points, [f"line {row + 2} of the coordinates CSV" for row in range(len(words))], words)
    refuse_duplicates(words, list(range(2, len(words) + 2)))
    return Coordinates(words, points, axes)


def _unique(values: Sequence[str]) -> bool:
    return len(set(values)) == len(values) and all(values)
