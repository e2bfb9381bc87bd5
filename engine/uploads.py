"""Turning the bytes of a user's upload into text or a table, or refusing them with a reason.

Uploads arrive as bytes from a browser. Text is decoded as UTF-8 (with or without a byte-order mark)
or UTF-16 when a byte-order mark says so; anything else that does not decode, or that looks binary
(NUL bytes in a file without a UTF-16 mark), is refused with the line where decoding failed.
"""

from __future__ import annotations

import codecs
import csv
import io

import pandas as pd

from engine.errors import LabError

DEFAULT_LIMIT_BYTES = 200 * 2**20  # matches server.maxUploadSize in .streamlit/config.toml


def decode_text(data: bytes, name: str = "the file", *, limit_bytes: int = DEFAULT_LIMIT_BYTES) -> str:
    """Decode an uploaded file's bytes to text; LabError says why a file is refused."""
    if len(data) > limit_bytes:
        raise LabError(f"{name} is {len(data) / 2**20:.1f} MB; the limit is {limit_bytes / 2**20:.0f} MB.")
    if not data.strip():
        raise LabError(f"{name} is empty.")
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _decode(data, encoding, name)
    if b"\x00" in data[:8192]:
        raise LabError(f"{name} looks like a binary file (it contains NUL bytes), not text.")
    return _decode(data, "utf-8", name)


def _decode(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise LabError(
            f"{name} is not valid {encoding.upper().replace('-SIG', '')} text: byte {error.start:,} on line {line} "
            f"cannot be decoded. Save the file as UTF-8 and upload it again."
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
