"""How much of each text a model reads: a cap chosen from the training texts, and head + tail past it.

Tweets fit in 48 word pieces; movie reviews run to hundreds of words and a few to thousands, so one
fixed cap either wastes work on short texts or blinds a model to most of a long one. The cap follows
the data instead: the length that covers `COVERAGE` of the training texts, within the model's limits.
A text over the cap keeps its first quarter and its last three quarters: a review's verdict sits more
often in its closing lines than in its plot summary, and Sun et al. (2019, "How to Fine-Tune BERT for
Text Classification?") found head + tail truncation beats keeping the head alone on IMDB.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

import numpy as np

from engine.errors import LabError

COVERAGE = 0.95
HEAD_SHARE = 0.25  # of the cap, kept from the start of a long text; the rest comes from its end

Item = TypeVar("Item")


def covering_length(lengths: Iterable[int], *, lower: int, upper: int, coverage: float = COVERAGE) -> int:
    """The smallest cap that leaves `coverage` of the texts whole, clipped to [lower, upper]."""
    if not 0 < coverage <= 1:
        raise LabError(f"coverage must be a fraction in (0, 1]; got {coverage}.")
    if not 1 <= lower <= upper:
        raise LabError(f"the length limits must satisfy 1 ≤ lower ≤ upper; got {lower} and {upper}.")
    values = np.fromiter(lengths, dtype=np.int64)
    if values.size == 0:
        return lower
    # "lower" interpolation: a value that occurs in the data, the largest with at most 1 - coverage above it.
    needed = int(np.ceil(np.quantile(values, coverage, method="inverted_cdf")))
    return int(min(max(needed, lower), upper))


def head_and_tail(items: Sequence[Item], cap: int) -> list[Item]:
    """`items` whole when they fit in `cap`, else their first quarter-cap and their last cap − that."""
    if cap < 1:
        raise LabError(f"a length cap must be at least 1; got {cap}.")
    if len(items) <= cap:
        return list(items)
    head = int(cap * HEAD_SHARE)
    return [*items[:head], *items[len(items) - (cap - head):]]


def share_cut(lengths: Iterable[int], cap: int) -> float:
    """The share of texts longer than `cap` (read head + tail), for the page to state."""
    values = np.fromiter(lengths, dtype=np.int64)
    return float((values > cap).mean()) if values.size else 0.0
