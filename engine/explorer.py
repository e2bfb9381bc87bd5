"""The embedding-space explorer's logic, kept out of the page so tests can call it: which words a search
matches, which points are drawn, which categories a legend keeps, and neighbour diagnostics. It returns
data (rows, masks, ranks); the figure is drawn on the UI side (`pages/_space_figures.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from engine.errors import LabError
from engine.formats import Coordinates

MAX_DRAWN = {2: 1_000_000, 3: 50_000}  # 2D: the WebGL point map (bench/map.py); 3D: plotly turns sluggish beyond
MAX_CATEGORIES = 20


def match_words(words: Sequence[str], query: str, *, regex: bool) -> np.ndarray:
    """A (rows,) bool mask of the words a search matches.

    With regex, a case-insensitive `re.search`; otherwise a list of words separated by commas or
    spaces, each matched exactly (ignoring case).
    """
    text = query.strip()
    if not text:
        return np.zeros(len(words), dtype=bool)
    if len(text) > 500:
        raise LabError(f"the search is {len(text):,} characters long; keep it under 500.")
    if regex:
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error as error:
            raise LabError(f"'{text}' is not a valid regular expression: {error}.") from None
        return np.fromiter((pattern.search(word) is not None for word in words), dtype=bool, count=len(words))
    wanted = {part.lower() for part in re.split(r"[,\s]+", text) if part}
    return np.fromiter((word.lower() in wanted for word in words), dtype=bool, count=len(words))


def drawn_rows(total: int, dims: int, keep: np.ndarray | None = None) -> np.ndarray:
    """Rows to draw: all when they fit, else the first MAX_DRAWN (most frequent) plus every row in `keep`."""
    cap = MAX_DRAWN[dims]
    if total <= cap:
        return np.arange(total)
    rows = np.arange(cap)
    if keep is not None and keep[cap:].any():
        rows = np.concatenate([rows, cap + np.flatnonzero(keep[cap:])])
    return rows


def category_values(values: Sequence[str]) -> list[str]:
    """Categories for a legend: the MAX_CATEGORIES − 1 most common values, the rest as 'other'."""
    common = {value for value, _ in Counter(values).most_common(MAX_CATEGORIES - 1)}
    return [value if value in common else "other" for value in values]


def projection_ranks(coords: np.ndarray, query: int, others: Sequence[int]) -> list[int]:
    """How far down the list of nearest points *in the projection* each of `others` is from `query` (1 = nearest).

    Comparing these with the neighbours' order in the original space shows what the projection distorts.
    """
    distances = np.linalg.norm(coords - coords[query], axis=1)  # (rows,)
    distances[query] = -1.0  # the query itself ranks 0 and is not counted
    order = np.argsort(distances, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return [int(rank[row]) for row in others]


def align_coordinates(words: Sequence[str], coordinates: Coordinates) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Match a coordinates CSV to a set's words.

    Returns (rows of the set that have coordinates, their (rows, 2|3) points, CSV words not in the set).
    """
    index = {word: i for i, word in enumerate(words)}
    found = [(index[word], i) for i, word in enumerate(coordinates.words) if word in index]
    unknown = [word for word in coordinates.words if word not in index]
    if not found:
        raise LabError(
            f"none of the {len(coordinates.words):,} words in the coordinates CSV are in this set "
            f"(first: {coordinates.words[0]!r}); choose the set they were computed for."
        )
    found.sort()
    rows = np.array([row for row, _ in found], dtype=np.int64)
    points = coordinates.points[[source for _, source in found]]
    return rows, points, unknown
