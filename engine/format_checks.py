"""The checks every embedding-file reader shares, so each format refuses the same mistakes in the same words.

Text is decoded by `engine.uploads` (which refuses empty files, binary junk and bad bytes with a line);
a reader then refuses a single word, repeated words, and numbers no embedding holds (NaN, infinity,
or beyond `MAX_ABS_VALUE`), naming the line or entry at fault.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine.errors import LabError
from engine.uploads import decode_text

MAX_DIM = 4096
# No embedding or layout has coordinates this large: such values are a misread file (text bytes read as
# floats, a wrong byte order), and they would overflow float32 norms and dot products downstream.
MAX_ABS_VALUE = 1e6


def text_lines(data: bytes, what: str) -> list[str]:
    """Decode text (engine.uploads refuses empty files, binary junk and bad bytes with a line) and split it into lines."""
    return decode_text(data, what).replace("\r\n", "\n").split("\n")


def require_two(count: int, line: int) -> None:
    if count < 2:
        raise LabError(f"the file holds a single word (line {line}); an embedding space needs at least two.")


def refuse_duplicates(words: Sequence[str], lines: Sequence[int]) -> None:
    first: dict[str, int] = {}
    for word, line in zip(words, lines):
        if word in first:
            raise LabError(f"line {line} repeats the word {word!r} first seen on line {first[word]}; each word may appear once.")
        first[word] = line


def refuse_unusable_numbers(vectors: np.ndarray, places: Sequence[str], words: Sequence[str]) -> None:
    """The one finiteness check every reader applies: NaN, infinity and |x| > MAX_ABS_VALUE are refused."""
    usable = np.isfinite(vectors) & (np.abs(vectors) <= MAX_ABS_VALUE)
    bad_rows = np.flatnonzero(~usable.all(axis=1))
    if not len(bad_rows):
        return
    row = int(bad_rows[0])
    value = float(vectors[row][~usable[row]][0])
    if math.isfinite(value):
        reason = f"numbers beyond ±{MAX_ABS_VALUE:,.0f} mean the file was misread or is damaged"
    else:
        reason = "vectors must be finite numbers"
    raise LabError(
        f"{places[row]} ({words[row]!r}) holds {value:g}: {reason} "
        f"({len(bad_rows):,} row(s) have NaN, infinity or such values)."
    )


def is_number(token: str) -> bool:
    """Whether a token parses as a float (to point at the token that broke a block's parse)."""
    try:
        float(token)
    except ValueError:
        return False
    return True


def preview(text: str, limit: int = 40) -> str:
    """A value quoted for an error message, cut to `limit` characters."""
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")
