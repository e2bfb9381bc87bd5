"""Meaning on the axes: words placed by their cosine to directions a user names (as in Parallax, Molino et al. 2019).

An axis is a word-pair direction, `he - she` (the vector of he minus the vector of she, unit length),
or a single word, `good` (its unit vector). A word's coordinate on the axis is the cosine between its
vector and that direction, so both axes read in the same units, -1 to 1, and a word that lies along
`he - she` sits right of one that lies along `she - he`. Unlike PCA or UMAP the axes are chosen, not
found: what the picture shows is exactly what was asked, nothing is lost to a projection's trade-offs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import torch

from engine.errors import LabError
from engine.vectors import EmbeddingSet

_MINUS = re.compile(r"\s+[-−]\s+")  # a minus with spaces around it: "x-ray" stays one word


@dataclass(frozen=True)
class Axis:
    """A named direction in the space: `label` as the user wrote it, `direction` (dim,) of unit length."""

    label: str
    direction: torch.Tensor


def parse_axis(space: EmbeddingSet, text: str) -> Axis:
    """`'he - she'` (a word pair) or `'good'` (one word) as an Axis; unknown words are refused with a hint."""
    parts = [part.strip() for part in _MINUS.split(f" {text.strip()} ")]  # padded: a leading or trailing minus splits too
    if not text.strip() or len(parts) > 2 or not all(parts):
        raise LabError(f"An axis is one word ('good') or two joined by ' - ' ('he - she'); got '{text.strip()[:60]}'.")
    if len(parts) == 2 and space.key(parts[0]) == space.key(parts[1]):
        raise LabError(f"'{text.strip()}' points nowhere: a word minus itself is the zero vector.")
    direction = space.vector(parts[0]) - (space.vector(parts[1]) if len(parts) == 2 else 0.0)
    label = " − ".join(space.key(part) for part in parts)
    return Axis(label, torch.nn.functional.normalize(direction, dim=0))


def axis_coordinates(space: EmbeddingSet, axes: list[Axis]) -> np.ndarray:
    """Every word's cosine to each axis: (words, len(axes)) float32, each value in [-1, 1]."""
    directions = torch.stack([axis.direction for axis in axes], dim=1).to(space.unit.device)  # (dim, axes)
    return (space.unit @ directions).cpu().numpy().astype(np.float32)
