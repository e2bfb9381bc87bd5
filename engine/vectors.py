"""An embedding set: words and their vectors on the device, answering every neighbour query.

Modelled on gensim's KeyedVectors: one object owns the words, their index, the matrix and its
unit-normalised copy (computed once). Queries are batched matrix products on the device, and return
`[(word, cosine)]` without the query words themselves.
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Iterable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import torch

from engine.device import default_device
from engine import search
from engine.errors import LabError

if TYPE_CHECKING:
    from engine.neighbour_index import NeighbourIndex

Query = str | torch.Tensor | np.ndarray
Neighbours = list[tuple[str, float]]

# Spelling suggestions look only at the most frequent words: fast, and what a user most likely meant.
_SUGGESTION_POOL = 50_000
_MAX_QUERY_CHARS = 200


class EmbeddingSet:
    """Words and vectors held on one device, unit-normalised once for cosine queries."""

    neighbour_index: NeighbourIndex | None = None  # set for sets of millions, by engine.vector_cache

    def __init__(
        self,
        words: Sequence[str],
        vectors: np.ndarray | torch.Tensor,
        *,
        name: str = "",
        device: torch.device | None = None,
    ) -> None:
        self.name = name
        self.device = device or default_device()
        matrix = torch.as_tensor(vectors, dtype=torch.float32)
        if matrix.ndim != 2:
            raise LabError(f"vectors must be a 2-D matrix (words × dimensions); got shape {tuple(matrix.shape)}.")
        if matrix.shape[0] != len(words):
            raise LabError(f"got {len(words):,} words but {matrix.shape[0]:,} vectors; they must pair up one to one.")
        if len(words) == 0:
            raise LabError("an embedding set needs at least one word.")
        self._set_words(words)
        self._vectors: torch.Tensor | None = matrix.to(self.device)  # (vocab, dim)
        self._norms = self._vectors.norm(dim=1)  # (vocab,)
        # An all-zero vector has no direction; it stays zero and so is never anyone's neighbour.
        self.unit = self._vectors / self._norms.clamp_min(1e-12).unsqueeze(1)  # (vocab, dim)

    @classmethod
    def from_unit(cls, words: Sequence[str], unit: np.ndarray, norms: np.ndarray, *, name: str = "",
                  device: torch.device | None = None) -> EmbeddingSet:
        """A set from rows already of unit length and their norms, such as a memory-mapped cache of millions.

        On the CPU nothing is copied: `unit` stays the (read-only) mapping, so the set costs the pages a
        query touches, not a second matrix; `vectors` is rebuilt from the norms only if something asks.
        """
        embeddings = cls.__new__(cls)
        embeddings.name, embeddings.device = name, device or default_device()
        if unit.ndim != 2 or unit.shape[0] != len(words) or norms.shape != (len(words),) or not len(words):
            raise LabError(f"got {len(words):,} words for unit rows of shape {unit.shape} and {norms.shape[0]:,} norms.")
        embeddings._set_words(words)
        with warnings.catch_warnings():  # a read-only mapping: torch warns that writes would fail, and none are made
            warnings.simplefilter("ignore", UserWarning)
            embeddings.unit = torch.from_numpy(unit).to(embeddings.device)  # (vocab, dim)
            embeddings._norms = torch.from_numpy(np.asarray(norms, dtype=np.float32)).to(embeddings.device)  # (vocab,)
        embeddings._vectors = None
        return embeddings

    def _set_words(self, words: Sequence[str]) -> None:
        self.words: list[str] = list(words)
        self.index: dict[str, int] = {word: i for i, word in enumerate(self.words)}
        if len(self.index) != len(self.words):
            duplicates = _first_duplicates(self.words)
            raise LabError(f"each word may appear once; repeated: {', '.join(map(repr, duplicates))}.")
        self._longest_word = max(len(word) for word in self.words)

    @property
    def vectors(self) -> torch.Tensor:
        """(vocab, dim) the vectors as given (for a set built from unit rows, rebuilt from the norms once)."""
        if self._vectors is None:
            self._vectors = self.unit * self._norms.unsqueeze(1)
        return self._vectors

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self.index

    def __repr__(self) -> str:
        return f"EmbeddingSet({self.name!r}, {len(self):,} words × {self.dim}, {self.device})"

    @cached_property
    def _unit_bf16(self) -> torch.Tensor | None:
        """`unit` in bfloat16 for batched search, on CPUs that multiply bfloat16 natively (else None)."""
        if self.device.type != "cpu" or not search.cpu_has_fast_bfloat16():
            return None
        return self.unit.to(torch.bfloat16)

    @property
    def dim(self) -> int:
        return self.unit.shape[1]

    def head(self, count: int) -> EmbeddingSet:
        """The first `count` words (for GloVe, the most frequent) as a set of their own."""
        if not 1 <= count <= len(self):
            raise LabError(f"count must be between 1 and {len(self):,}; got {count:,}.")
        if count == len(self):
            return self
        # from the unit rows and norms: a memory-mapped set of millions must not rebuild all its vectors for a slice
        first = self._vectors[:count] if self._vectors is not None else self.unit[:count] * self._norms[:count, None]
        return EmbeddingSet(self.words[:count], first, name=f"{self._label} (top {count:,})", device=self.device)

    def key(self, word: str, *, fold_case: bool = True) -> str:
        """The vocabulary entry for `word`: an exact match, else (with fold_case) its lower-case form.

        Raises LabError naming the word and suggesting close spellings when neither is present.
        """
        if not isinstance(word, str):
            raise LabError(f"expected a word as text; got {type(word).__name__}.")
        text = word.strip()
        if not text:
            raise LabError("Type a word first: the box is empty.")
        if len(text) > _MAX_QUERY_CHARS:
            raise LabError(f"That is {len(text):,} characters long; type a single word.")
        if len(text) > self._longest_word:  # cannot be a word here, and too long for a useful suggestion
            shown = text if len(text) <= 40 else text[:39] + "…"
            raise LabError(f"'{shown}' ({len(text):,} characters) is not in the vocabulary of {self._label}: "
                           f"its longest word has {self._longest_word}.")
        if text in self.index:
            return text
        if fold_case and text.lower() in self.index:
            return text.lower()
        hint = self.suggest(text)
        tail = f" Did you mean: {', '.join(hint)}?" if hint else ""
        raise LabError(f"'{text}' is not in the vocabulary of {self._label}.{tail}")

    def index_of(self, word: str, *, fold_case: bool = True) -> int:
        return self.index[self.key(word, fold_case=fold_case)]

    def vector(self, word: str, *, unit: bool = True, fold_case: bool = True) -> torch.Tensor:
        """The (dim,) vector of a word, unit-length by default."""
        row = self.index_of(word, fold_case=fold_case)
        return (self.unit if unit else self.vectors)[row]

    def similarity(self, first: str, second: str) -> float:
        """Cosine similarity of two words."""
        return float(self.vector(first) @ self.vector(second))

    def suggest(self, word: str, n: int = 5) -> list[str]:
        """Close spellings from the most frequent words, for 'did you mean' hints."""
        probe = word.strip().lower()
        pool = [w for w in self.words[:_SUGGESTION_POOL] if abs(len(w) - len(probe)) <= 2]
        return difflib.get_close_matches(probe, pool, n=n, cutoff=0.75)

    def nearest(self, query: Query, k: int = 10, exclude: Iterable[str] = ()) -> Neighbours:
        """The k words closest in cosine to one word or vector, without the query word."""
        return self.nearest_many([query], k=k, exclude=exclude)[0]

    def nearest_many(self, queries: Sequence[Query], k: int = 10, exclude: Iterable[str] = ()) -> list[Neighbours]:
        """Top-k neighbours for many queries at once (see engine.search for how the batch is scored).

        Each query is a word (left out of its own results) or a vector of this set's dimension;
        words in `exclude` are left out of every result.
        """
        if k < 1:
            raise LabError(f"k must be at least 1; got {k}.")
        shared_exclusions = {self.index_of(word) for word in exclude}
        matrix, own_rows = self._query_matrix(queries)  # (queries, dim)
        widest = len(shared_exclusions) + 1
        fetch = min(k + widest, len(self))
        if self.neighbour_index is not None:  # millions of rows: an approximate shortlist, re-ranked exactly
            top_scores, top_rows = self.neighbour_index.top_k(self.unit, matrix, fetch)
        else:
            top_scores, top_rows = search.top_k(self.unit, matrix, fetch, self._unit_bf16)  # (queries, fetch) each
        results: list[Neighbours] = []
        for query, (row_scores, rows) in enumerate(zip(top_scores.tolist(), top_rows.tolist())):
            skip = shared_exclusions | own_rows[query]
            # an approximate index pads a short shortlist with -inf scores: never neighbours
            kept = [(self.words[r], s) for r, s in zip(rows, row_scores) if r not in skip and s != -math.inf]
            results.append(kept[:k])
        return results

    def _query_matrix(self, queries: Sequence[Query]) -> tuple[torch.Tensor, list[set[int]]]:
        """Stack queries into unit rows (queries, dim), with the vocabulary rows each one excludes."""
        if len(queries) == 0:
            raise LabError("no query given: type at least one word.")
        rows: list[torch.Tensor] = []
        own: list[set[int]] = []
        for query in queries:
            if isinstance(query, str):
                row = self.index_of(query)
                rows.append(self.unit[row])
                own.append({row})
            else:
                vector = torch.as_tensor(query, dtype=torch.float32, device=self.device).flatten()
                if vector.numel() != self.dim:
                    raise LabError(f"a query vector must have {self.dim} numbers; got {vector.numel()}.")
                rows.append(vector / vector.norm().clamp_min(1e-12))
                own.append(set())
        return torch.stack(rows), own

    @property
    def _label(self) -> str:
        return self.name or "this embedding set"


def _first_duplicates(words: Sequence[str], limit: int = 3) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for word in words:
        if word in seen and word not in repeated:
            repeated.append(word)
            if len(repeated) == limit:
                break
        seen.add(word)
    return repeated
