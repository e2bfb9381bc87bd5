"""A user's typed text, or an uploaded `.txt` / `.csv`, as documents to classify, or refused with a reason.

Every document keeps where it came from (`line 3`, `row 7`) so a predictions table can point back into
the file, and whatever was skipped on the way (blank lines, rows without text) is said in `notes`.
Sizes are checked here, where the input arrives: one document may have at most `MAX_DOCUMENT_CHARS`
(each of its words is occluded to explain it; a typed text is cut there), one upload at most `MAX_DOCUMENTS`. Decoding and CSV
reading go through `engine.uploads`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.errors import LabError
from engine.uploads import NOT_TEXT, decode_text, read_csv_text

MAX_DOCUMENT_CHARS = 20_000  # about 3,500 words: a long review fits; each word of it is occluded to explain it
MAX_DOCUMENTS = 100_000


@dataclass(frozen=True)
class Documents:
    """Texts to score, each with where it came from (`line 3`, `row 7`), and notes on what was skipped."""

    texts: list[str]
    positions: list[int]
    unit: str  # "line", "row" or "file"
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)


def check_text(text: str) -> tuple[str, str]:
    """A typed text, stripped, and a note of what was cut ('' if nothing); refuses empty and whitespace-only text.

    A text past MAX_DOCUMENT_CHARS keeps its first MAX_DOCUMENT_CHARS characters, cut after the last whole
    word, and the note says so: a pasted book is classified and explained on its opening, not refused.
    """
    if not text:
        raise LabError("Type or paste some text first: the box is empty.")
    stripped = text.strip()
    if not stripped:
        raise LabError("The text holds only spaces and line breaks; type some words to classify.")
    if len(stripped) <= MAX_DOCUMENT_CHARS:
        return stripped, ""
    cut = stripped[:MAX_DOCUMENT_CHARS]
    space = cut.rfind(" ")
    kept = cut[:space] if space > MAX_DOCUMENT_CHARS // 2 else cut
    return kept, (f"The text has {len(stripped):,} characters; its first {len(kept):,} (about "
                  f"{len(kept.split()):,} words) are classified and explained. For many texts, upload a .txt file.")


def read_text_file(data: bytes, name: str, *, whole: bool = False) -> Documents:
    """A .txt upload as one document per non-blank line, or (`whole`) the whole file as one document."""
    text = decode_text(data, name)
    if whole:
        whole_text = _fits(text.strip(), f"{name} as one document", "use one document per line instead")
        return Documents([whole_text], [1], "file")
    lines = text.splitlines()
    kept = [(number, line.strip()) for number, line in enumerate(lines, start=1) if line.strip()]
    _refuse_long((len(line) for _, line in kept), [number for number, _ in kept], "line", name)
    skipped = len(lines) - len(kept)
    notes = [f"Skipped {skipped:,} blank line{'s' if skipped != 1 else ''}."] if skipped else []
    return _limited(Documents([line for _, line in kept], [number for number, _ in kept], "line", notes), name)


def read_csv_table(data: bytes, name: str) -> pd.DataFrame:
    """A .csv upload as a table of strings (delimiter sniffed), for the page to offer its columns."""
    return read_csv_text(decode_text(data, name), name)


def read_csv_column(table: pd.DataFrame, column: str, name: str) -> Documents:
    """One document per row of `column`; rows without text are skipped (and counted), a column of numbers refused."""
    if column not in table.columns:
        listed = ", ".join(map(repr, map(str, table.columns)))
        raise LabError(f"{name} has no column {column!r}; its columns are {listed}.")
    values = table[column].astype(str).str.strip()
    missing = values.str.lower().isin(NOT_TEXT)
    numbers = ~missing & pd.to_numeric(values, errors="coerce").notna()
    if missing.all():
        raise LabError(f"Column {column!r} of {name} is empty (every cell is blank or NaN). "
                       f"Pick the column that holds the texts.")
    if (missing | numbers).all():
        examples = ", ".join(pd.unique(values[numbers])[:3])
        raise LabError(f"Column {column!r} of {name} holds numbers ({examples}, …), not text. "
                       f"Pick the column that holds the texts.")
    keep = ~missing.to_numpy()
    rows = (np.flatnonzero(keep) + 2).tolist()  # +2: a spreadsheet's row number, after the header
    texts = values[keep].tolist()
    _refuse_long(map(len, texts), rows, "row", name)
    skipped = int((~keep).sum())
    plural = "s" if skipped != 1 else ""
    notes = [f"Skipped {skipped:,} row{plural} with no text (blank or NaN) in {column!r}."] if skipped else []
    return _limited(Documents(texts, rows, "row", notes), name)


def _fits(text: str, what: str, fix: str) -> str:
    if len(text) > MAX_DOCUMENT_CHARS:
        raise LabError(f"{what} has {len(text):,} characters; a document may have at most {MAX_DOCUMENT_CHARS:,} "
                       f"(the models read a long text's head and tail). {fix[0].upper()}{fix[1:]}.")
    return text


def _refuse_long(lengths, positions: Sequence[int], unit: str, name: str) -> None:
    long = [(position, n) for position, n in zip(positions, lengths) if n > MAX_DOCUMENT_CHARS]
    if long:
        listed = ", ".join(f"{unit} {position:,} ({n:,} characters)" for position, n in long[:3])
        more = f" and {len(long) - 3:,} more" if len(long) > 3 else ""
        raise LabError(f"{name}: {listed}{more} {'is' if len(long) == 1 else 'are'} longer than {MAX_DOCUMENT_CHARS:,} "
                       f"characters, the most one document may have (the models read a long text's head and tail). "
                       f"Split or shorten {'it' if len(long) == 1 else 'them'}.")


def _limited(documents: Documents, name: str) -> Documents:
    if not documents.texts:
        raise LabError(f"{name} holds no text to classify.")
    if len(documents) > MAX_DOCUMENTS:
        raise LabError(f"{name} holds {len(documents):,} documents; the page scores at most {MAX_DOCUMENTS:,} at once. "
                       f"Split the file.")
    return documents
