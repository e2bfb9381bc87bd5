"""Vector files too big to upload, opened from one folder the user configures, and nothing outside it.

The folder is `$EMBEDDING_LAB_VECTORS`; without it the feature is off. A file is named relative to the
folder and resolved before anything is read: no absolute names, no `..`, no symlink that leads out of the
folder, no directories, nothing unreadable. `preflight` then reads the first line (and the file's size) to
know the format, the number of words and their width, and refuses a file whose matrix would not fit in the
memory this machine has free, before a byte of vectors is parsed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from engine.errors import LabError
from engine.format_checks import MAX_DIM, preview

FOLDER_ENV_VAR = "EMBEDDING_LAB_VECTORS"
SUFFIXES = {".bin": "word2vec-binary", ".vec": "fasttext-vec", ".txt": "text"}
FORMAT_NAMES = {"word2vec-binary": "word2vec binary", "word2vec-text": "word2vec text", "fasttext-vec": "fastText .vec",
                "glove": "GloVe text (no header)"}
MEMORY_HEADROOM = 1.25  # the matrix, plus a quarter for the words, their index and the reader's buffers
_FIRST_LINE_BYTES = 1 << 20


@dataclass(frozen=True)
class VectorFile:
    """A vector file in the folder, as the picker lists it."""

    name: str  # relative to the folder, '/'-separated
    size: int  # bytes

    @property
    def label(self) -> str:
        return f"{self.name} · {self.size / 2**30:.2f} GB" if self.size >= 2**30 else f"{self.name} · {self.size / 2**20:.1f} MB"


@dataclass(frozen=True)
class Preflight:
    """What a file is, read from its first line, and what reading it will take."""

    path: Path
    format: str  # a key of FORMAT_NAMES
    rows: int  # exact for files with a header, else estimated from the size and the first row
    dim: int
    exact_rows: bool
    bytes_needed: int  # the float32 matrix and the headroom


def vectors_folder() -> Path | None:
    """The configured folder, resolved; None when the feature is off (LabError if it is set but unusable)."""
    configured = os.environ.get(FOLDER_ENV_VAR, "").strip()
    if not configured:
        return None
    folder = Path(configured).expanduser().resolve()
    if not folder.is_dir():
        raise LabError(f"{FOLDER_ENV_VAR} is set to {configured}, which is not a folder; point it at the folder that "
                       "holds your vector files, or unset it.")
    return folder


def list_files(folder: Path) -> list[VectorFile]:
    """The vector files (.bin, .vec, .txt) in the folder and its subfolders, largest first; links out are left out."""
    found = []
    for path in folder.rglob("*"):
        if path.suffix.lower() not in SUFFIXES:
            continue
        name = path.relative_to(folder).as_posix()
        try:
            found.append(VectorFile(name, resolve(folder, name).stat().st_size))
        except LabError:
            continue
    return sorted(found, key=lambda file: (-file.size, file.name))


def resolve(folder: Path, name: str) -> Path:
    """The file `name` names inside `folder`; LabError (saying why) for anything the picker must not open."""
    relative = Path(name)
    if not name.strip() or relative.is_absolute() or ".." in relative.parts:
        raise LabError(f"{name!r} is not a file name inside the vectors folder: names are relative, without '..'.")
    path = (folder / relative).resolve()
    if not path.is_relative_to(folder):
        raise LabError(f"{name} leads outside the vectors folder (through a symbolic link); only files inside it open.")
    if not path.exists():
        raise LabError(f"there is no {name} in the vectors folder (it may have been moved or deleted).")
    if not path.is_file():
        raise LabError(f"{name} is a folder, not a vector file.")
    if not os.access(path, os.R_OK):
        raise LabError(f"{name} cannot be read: the lab has no read permission for it.")
    if path.stat().st_size == 0:
        raise LabError(f"{name} is empty.")
    return path


def preflight(path: Path, fmt: str = "auto", *, available: int | None = None) -> Preflight:
    """Read the first line: the format, the words and the width; refuse what will not fit in free memory."""
    with path.open("rb") as handle:
        head = handle.read(_FIRST_LINE_BYTES)
    size = path.stat().st_size
    first = head.split(b"\n", 1)[0]
    parts = first.split()
    has_header = len(parts) == 2 and all(part.isdigit() for part in parts)
    if fmt == "auto":
        fmt = _guess(path, head, has_header)
    if fmt in ("word2vec-binary", "word2vec-text", "fasttext-vec") and not has_header:
        raise LabError(f"{path.name}: a {FORMAT_NAMES[fmt]} file starts with a header 'word_count dimensions'; this one "
                       f"starts with {preview(first.decode('utf-8', 'replace'))}. For a file without a header choose GloVe text.")
    if has_header:
        rows, dim, exact = int(parts[0]), int(parts[1]), True
    else:
        dim, exact = len(first.split()) - 1, False
        rows = max(1, round(size / max(len(first) + 1, 1)))  # the first row's length as every row's
    if not 1 <= dim <= MAX_DIM or rows < 1:
        raise LabError(f"{path.name}: the first line says {rows:,} words of {dim:,} numbers; expected 1 to {MAX_DIM:,} numbers.")
    if fmt == "word2vec-binary" and rows * (dim * 4 + 2) > size:
        raise LabError(f"{path.name}: the header promises {rows:,} words of {dim:,} numbers ({rows * dim * 4:,} bytes of "
                       f"vectors), but the file is {size:,} bytes: it is cut short or not a word2vec binary file.")
    needed = int(rows * dim * 4 * MEMORY_HEADROOM)
    free = available_memory() if available is None else available
    if needed > free:
        raise LabError(f"{path.name} holds {'' if exact else 'about '}{rows:,} words × {dim}: {rows * dim * 4 / 2**30:.1f} GB "
                       f"as float32, {needed / 2**30:.1f} GB with what reading it takes, and this machine has "
                       f"{free / 2**30:.1f} GB free. Free memory or use a smaller file (the most frequent words first).")
    return Preflight(path, fmt, rows, dim, exact, needed)


def available_memory() -> int:
    """Bytes of memory free for new work (Linux's MemAvailable; the free pages elsewhere)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def _guess(path: Path, head: bytes, has_header: bool) -> str:
    suffix = SUFFIXES.get(path.suffix.lower(), "text")
    if suffix != "text":
        return suffix
    if has_header:
        return "word2vec-binary" if b"\x00" in head else "word2vec-text"
    return "glove"
