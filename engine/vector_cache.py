"""A large vector file read once into a memory-mapped cache, so that it opens again in a second or two.

The upload readers (`engine.formats`) hold a whole file in memory; a 2,000,000 × 300 fastText file is
4.5 GB of text, so here the file is streamed in blocks of rows instead: each block parsed, checked and
unit-normalised, written into a raw float32 matrix on disk. The cache lives under the lab's home
(`vector-cache/<key>/`, the key from the file's resolved path, size and modification time, so an edited
file is read afresh): `unit.f32` (rows, dim) unit rows, `norms.f32`, `words.txt` and `manifest.json`,
written in a hidden folder and renamed into place, so a cancelled or failed read leaves nothing behind.

Why float32, not float16: the matrix products of neighbour search are fast and exact-to-float32 on a CPU
in float32, while float16 products there are emulated and slow; the disk and the page cache pay for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch

from engine import neighbour_index
from engine.errors import LabError
from engine.format_checks import is_number, preview
from engine.jobs import ProgressCallback
from engine.store import lab_home
from engine.vector_folder import FORMAT_NAMES, Preflight
from engine.vectors import EmbeddingSet

CACHE_VERSION = 1
Block = tuple[list[str], np.ndarray, list[str], int]  # words, (rows, dim) float32, where each row is, bytes read so far
_BLOCK_ROWS = 20_000
_READ_BYTES = 64 << 20


@dataclass(frozen=True)
class CachedFile:
    """A vector file already in the cache: what the picker can say about it without opening it."""

    folder: Path
    rows: int
    dim: int
    format: str
    seconds: float  # how long the first read took


def cache_root() -> Path:
    return lab_home() / "vector-cache"


def cached(path: Path) -> CachedFile | None:
    """The cache entry for this exact file (same path, size and modification time), or None."""
    return _entry(cache_root() / _key(path))


def cached_sources() -> list[tuple[Path, CachedFile]]:
    """The files with a current cache entry, and the entry (an entry whose file changed since is left out), by name.

    Read from the cache's manifests, so listing the sets already read never walks the vectors folder.
    """
    found = []
    for manifest in cache_root().glob("*/manifest.json"):
        entry = _entry(manifest.parent)
        try:
            source = Path(json.loads(manifest.read_text(encoding="utf-8"))["source"])
        except (OSError, json.JSONDecodeError, KeyError):
            continue
        if entry is not None and source.is_file() and _key(source) == manifest.parent.name:
            found.append((source, entry))
    return sorted(found, key=lambda pair: pair[0])


def _entry(folder: Path) -> CachedFile | None:
    """The entry a cache folder's manifest describes, or None (missing, damaged or of another cache version)."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if manifest.get("version") != CACHE_VERSION:
        return None
    return CachedFile(folder, int(manifest["rows"]), int(manifest["dim"]), manifest["format"], float(manifest["seconds"]))


def open_cached(entry: CachedFile, name: str, device: torch.device | None = None) -> EmbeddingSet:
    """The cached set, memory-mapped: its matrix is paged in by the queries that touch it."""
    unit = np.memmap(entry.folder / "unit.f32", dtype=np.float32, mode="r", shape=(entry.rows, entry.dim))
    norms = np.fromfile(entry.folder / "norms.f32", dtype=np.float32)
    words = (entry.folder / "words.txt").read_text(encoding="utf-8").split("\n")
    embeddings = EmbeddingSet.from_unit(words, unit, norms, name=name, device=device)
    embeddings.neighbour_index = neighbour_index.load_index(entry.folder)
    return embeddings


def read_into_cache(checked: Preflight, on_progress: ProgressCallback | None = None) -> CachedFile:
    """Stream the file into the cache (progress in bytes read); LabError naming the line or entry at fault."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".tmp-{uuid.uuid4().hex}"
    staging.mkdir()
    started = time.perf_counter()
    try:
        with open(staging / "unit.f32", "wb") as unit_file, open(staging / "norms.f32", "wb") as norms_file:
            sink = _Sink(unit_file, norms_file, checked, on_progress)
            blocks = _binary_blocks(checked) if checked.format == "word2vec-binary" else _text_blocks(checked)
            for words, matrix, places, read in blocks:
                sink.add(words, matrix, places, read)
        if sink.rows < 2:
            raise LabError(f"{checked.path.name} holds {sink.rows} word; a set needs at least two.")
        if checked.exact_rows and sink.rows != checked.rows:
            raise LabError(f"{checked.path.name}: the header promises {checked.rows:,} words, but the file holds "
                           f"{sink.rows:,} (is it cut short?).")
        (staging / "words.txt").write_text("\n".join(sink.rows_of), encoding="utf-8")
        if sink.rows >= neighbour_index.APPROXIMATE_FROM:  # built now, once, so that every later query is fast
            unit = np.memmap(staging / "unit.f32", dtype=np.float32, mode="r", shape=(sink.rows, checked.dim))
            neighbour_index.save_index(neighbour_index.build_index(unit, on_progress=on_progress), staging)
            del unit
        manifest = {"version": CACHE_VERSION, "source": str(checked.path), "format": checked.format, "rows": sink.rows,
                    "dim": checked.dim, "dtype": "float32", "seconds": round(time.perf_counter() - started, 2)}
        (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        final = root / _key(checked.path)
        shutil.rmtree(final, ignore_errors=True)  # an older, unreadable entry for the same file
        os.replace(staging, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return CachedFile(final, sink.rows, checked.dim, checked.format, manifest["seconds"])


class _Sink:
    """Checks each block (repeated words, numbers that are not finite), normalises it and appends it to disk."""

    def __init__(self, unit_file: BinaryIO, norms_file: BinaryIO, checked: Preflight,
                 on_progress: ProgressCallback | None) -> None:
        self.unit_file, self.norms_file, self.checked, self.on_progress = unit_file, norms_file, checked, on_progress
        self.rows_of: dict[str, int] = {}  # every word so far and its row, in file order (a repeat is refused)
        self.size = checked.path.stat().st_size

    @property
    def rows(self) -> int:
        return len(self.rows_of)

    def add(self, words: list[str], matrix: np.ndarray, places: list[str], read: int) -> None:
        """Append a block; `places` says where each row is in the file ("line 12", "entry 7")."""
        bad = np.flatnonzero(~np.isfinite(matrix).all(axis=1))
        if len(bad):
            raise LabError(f"{self.checked.path.name}: {places[bad[0]]} ({words[bad[0]]!r}) holds a number that is not "
                           "finite (inf or nan).")
        first_row = self.rows
        for offset, word in enumerate(words):
            if self.rows_of.setdefault(word, first_row + offset) != first_row + offset:
                raise LabError(f"{self.checked.path.name}: {places[offset]} repeats the word {word!r} (first in row "
                               f"{self.rows_of[word] + 1:,}); each word may appear once.")
        norms = np.linalg.norm(matrix, axis=1).astype(np.float32)  # (block,)
        (matrix / np.maximum(norms, 1e-12)[:, None]).astype(np.float32).tofile(self.unit_file)
        norms.tofile(self.norms_file)
        if self.on_progress is not None:
            self.on_progress(read, self.size, {"rows": self.rows})


def _text_blocks(checked: Preflight) -> Iterator[Block]:
    """Blocks of rows from word2vec text, fastText .vec or GloVe text, skipping a header and blank lines."""
    dim, name = checked.dim, checked.path.name
    with checked.path.open("rb") as handle:
        if checked.exact_rows:
            handle.readline()
        number = 1 if checked.exact_rows else 0
        while True:
            lines = handle.readlines(_READ_BYTES // 8)
            if not lines:
                return
            words, values, places = [], [], []
            for raw in lines:
                number += 1
                try:
                    parts = raw.decode("utf-8").split()
                except UnicodeDecodeError:
                    raise LabError(f"{name}: line {number} is not UTF-8 text; is the format {FORMAT_NAMES[checked.format]}?") from None
                if not parts:
                    continue
                if len(parts) != dim + 1:
                    raise LabError(f"{name}: line {number} has {len(parts) - 1:,} numbers after its word; the vectors in "
                                   f"this file have {dim:,}.")
                words.append(parts[0])
                values.append(parts[1:])
                places.append(f"line {number:,}")
            if not words:
                continue
            try:
                matrix = np.array(values, dtype=np.float32)  # (block, dim)
            except ValueError:
                row, token = next((r, t) for r, row in enumerate(values) for t in row if not is_number(t))
                raise LabError(f"{name}: {places[row]}: {preview(token)} is not a number.") from None
            yield words, matrix, places, handle.tell()


def _binary_blocks(checked: Preflight) -> Iterator[Block]:
    """Blocks of entries from a word2vec binary file: a word, a space, dim little-endian float32s, maybe a newline."""
    dim, name, width, rows = checked.dim, checked.path.name, checked.dim * 4, checked.rows
    with checked.path.open("rb") as handle:
        handle.readline()
        buffer, position, done = b"", 0, 0
        while done < rows:
            count = min(_BLOCK_ROWS, rows - done)
            words, matrix = [], np.empty((count, dim), dtype=np.float32)
            for row in range(count):
                while True:
                    space = buffer.find(b" ", position)
                    if space != -1 and len(buffer) - space - 1 >= width:
                        break
                    more = handle.read(_READ_BYTES)
                    if not more:
                        raise LabError(f"{name}: the file ends after {done + row:,} of the {rows:,} words its header "
                                       "promises: it is cut short or damaged.")
                    buffer, position = buffer[position:] + more, 0
                try:
                    words.append(buffer[position:space].lstrip(b"\n").decode("utf-8"))
                except UnicodeDecodeError:
                    raise LabError(f"{name}: entry {done + row + 1:,} has a word that is not UTF-8 text.") from None
                matrix[row] = np.frombuffer(buffer, dtype="<f4", count=dim, offset=space + 1)
                position = space + 1 + width
            places = [f"entry {done + row + 1:,}" for row in range(count)]
            yield words, matrix, places, handle.tell() - (len(buffer) - position)
            done += count


def _key(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha1(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:20]
