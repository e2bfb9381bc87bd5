"""Turning the bytes of a user's upload into text or a table, or refusing them with a reason.

Uploads arrive as bytes from a browser. Text is decoded as UTF-8 (with or without a byte-order mark)
or UTF-16 when a byte-order mark says so; anything else that does not decode, UTF-16 without a mark,
or a file with NUL bytes (binary) is refused with the line where it went wrong. Every reader of user
text in the engine decodes through here.
"""

from __future__ import annotations

import codecs
import csv
import io

import pandas as pd

from engine.errors import LabError

MIB = 2**20
# Every upload limit, in bytes, in one place. The browser refuses anything over SERVER_LIMIT before it
# reaches the engine (server.maxUploadSize in .streamlit/config.toml, in MiB; a test keeps them equal).
SERVER_LIMIT = 200 * MIB
VECTOR_FILE_LIMIT = SERVER_LIMIT  # embedding sets and coordinates: GloVe-sized files are the point
CORPUS_LIMIT = SERVER_LIMIT  # Word2Vec corpora
ZIP_EXPANSION = 4  # a corpus zip may unpack to this many times its upload limit
LABELLED_TEXTS_LIMIT = 50 * MIB  # a sentiment dataset: every text is featurised in memory
BENCHMARK_FILE_LIMIT = 20 * MIB  # analogy questions and word pairs: the Google set is 0.6 MiB


def check_size(data: bytes, limit_bytes: int, name: str = "the file") -> None:
    """Refuse an upload over `limit_bytes`, or an empty one, with sizes in MiB."""
    if len(data) > limit_bytes:
        raise LabError(f"{name} is {len(data) / MIB:,.1f} MiB; the upload limit is {limit_bytes / MIB:,.0f} MiB.")
    if not data or data.isspace():  # (not data.strip(): that copies a 200 MiB upload to look at its ends)
        raise LabError(f"{name} is empty.")


def decode_text(data: bytes, name: str = "the file", *, limit_bytes: int = SERVER_LIMIT) -> str:
    """Decode an uploaded file's bytes to text; LabError says why a file is refused, and where."""
    check_size(data, limit_bytes, name)
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _decode(data, encoding, name)
    if _looks_like_bomless_utf16(data):
        raise LabError(
            f"{name} looks like UTF-16 text without a byte-order mark, which cannot be read reliably. "
            f"Save it as UTF-8 (or UTF-16 with a BOM) and upload it again."
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise LabError(f"{name} holds binary data (a NUL byte on line {line}), not text.")
    return _decode(data, "utf-8", name)


def _looks_like_bomless_utf16(data: bytes) -> bool:
    """Mostly-ASCII UTF-16 puts a NUL in every other byte; real binary files scatter them."""
    head = data[:4096]
    if len(head) < 4 or b"\x00" not in head:
        return False
    even, odd = head[0::2], head[1::2]
    mostly_nul = max(even.count(0) / len(even), odd.count(0) / len(odd)) > 0.9
    return mostly_nul and min(even.count(0), odd.count(0)) < len(odd) * 0.05


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise LabError(
            f"{name} is not valid {encoding.upper().replace('-SIG', '')} text: line {line}, column {column} "
            f"(byte 0x{data[error.start]:02x}) cannot be decoded. Save the file as UTF-8 and upload it again."
        ) from None


def read_csv_text(text: str, name: str = "the file") -> pd.DataFrame:
    """Parse CSV text (delimiter sniffed among , ; tab) into a table of strings."""
    try:
        dialect = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise LabError(f"{name} is not a readable CSV file: {str(error).strip()}") from None
    if table.empty or len(table.columns) == 0:
        raise LabError(f"{name} has a header but no rows.")
    return table


# The one rule for "which column holds text": the file readers and every page that offers a column use it.
NOT_TEXT = {"", "nan", "na", "n/a", "null", "none", "#n/a", "-"}  # cells that mean "no value", case-insensitive


def text_share(column: pd.Series) -> float:
    """The share of a column's cells that hold text: not blank, not a "no value" marker, not a number."""
    values = column.astype(str).str.strip()
    text = ~values.str.lower().isin(NOT_TEXT) & pd.to_numeric(values, errors="coerce").isna()
    return float(text.mean()) if len(values) else 0.0


def holds_text(column: pd.Series) -> bool:
    return text_share(column) >= 0.5


def columns_text_first(table: pd.DataFrame) -> list[str]:
    """Every column: those holding text first, the longest texts first (a review before its label), then the rest."""
    text = [column for column in table.columns if holds_text(table[column])]
    text.sort(key=lambda column: -table[column].astype(str).str.len().mean())
    return [str(column) for column in text + [column for column in table.columns if column not in text]]
