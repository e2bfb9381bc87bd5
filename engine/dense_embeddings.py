"""Dense embeddings: nn.Embedding as a lookup that replaces the one-hot matrix product, and what it knows.

The lecture's last step, after `engine.one_hot` and `engine.hashing_trick`: the lookup W[ids] gives
exactly the numbers of one_hot(ids) @ W for a fraction of the work; a table of d numbers per word is
small beside one-hot's width (`memory_table` sets the three representations side by side); and a
randomly initialised table knows nothing about words, which its cosines beside GloVe's show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from engine.device import default_device
from engine.errors import LabError
from engine.hashing_trick import check_hash_dim, expected_collision_rate
from engine.one_hot import FLOAT_BYTES, OneHotVocabulary, one_hot
from engine.text import shorten
from engine.vectors import EmbeddingSet

MAX_EMBED_DIM = 1024


def check_embed_dim(dim: int) -> int:
    if not isinstance(dim, (int, np.integer)) or not 1 <= dim <= MAX_EMBED_DIM:
        raise LabError(f"The embedding size d must be a whole number from 1 to {MAX_EMBED_DIM}; got {dim!r}.")
    return int(dim)


def embedding_layer(vocab_size: int, dim: int, seed: int = 0, device: torch.device | None = None) -> torch.nn.Embedding:
    """nn.Embedding(vocab_size, dim, padding_idx=0) with N(0, 1) rows drawn from `seed` (torch's own init).

    A private generator keeps the seed's result reproducible without touching the global RNG that other
    sessions share.
    """
    dim = check_embed_dim(dim)
    layer = torch.nn.Embedding(vocab_size, dim, padding_idx=0, device=device or default_device())
    generator = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        layer.weight.copy_(torch.randn(vocab_size, dim, generator=generator))  # (vocab, d)
        layer.weight[0].zero_()  # the padding row, as padding_idx promises
    return layer


@dataclass(frozen=True)
class LookupCheck:
    """one_hot(ids) @ W beside W[ids]: the same numbers, one a matrix product, the other a lookup."""

    ids: torch.Tensor  # (samples, length)
    product: torch.Tensor  # (samples, length, d) from the one-hot matrix product
    lookup: torch.Tensor  # (samples, length, d) from nn.Embedding
    max_abs_difference: float
    exactly_equal: bool
    multiply_adds_product: int
    values_read_lookup: int


def lookup_check(layer: torch.nn.Embedding, ids: torch.Tensor) -> LookupCheck:
    """Compare the one-hot matrix product with the embedding lookup for the given ids."""
    weight = layer.weight.detach()  # (vocab, d)
    with torch.no_grad():
        lookup = layer(ids)  # (samples, length, d)
        product = one_hot(ids, weight.shape[0]) @ weight  # (samples, length, vocab) @ (vocab, d)
    difference = float((product - lookup).abs().max()) if lookup.numel() else 0.0
    positions = ids.numel()
    return LookupCheck(ids, product, lookup, difference, bool(torch.equal(product, lookup)),
                       positions * weight.shape[0] * weight.shape[1], positions * weight.shape[1])


@dataclass(frozen=True)
class MemoryRow:
    """One representation's cost for one vocabulary, per token and for a batch."""

    vocabulary: int
    representation: str
    values_per_token: int
    non_zero_per_token: int
    bytes_per_token: int
    batch_bytes: int
    parameter_bytes: int
    expected_shared_slot: float


def memory_table(
    vocab_size: int, hash_dim: int, embed_dim: int, batch_tokens: int, other_vocab: int = 20_000
) -> list[MemoryRow]:
    """Dimensions, non-zeros and float32 memory of one-hot, hashing and dense, for two vocabulary sizes."""
    hash_dim, embed_dim = check_hash_dim(hash_dim), check_embed_dim(embed_dim)
    rows = []
    for vocab in (vocab_size, other_vocab):
        for name, width, non_zero, params, shared in (
            ("one-hot", vocab, 1, 0, 0.0),
            ("hashing trick", hash_dim, 1, 0, expected_collision_rate(vocab, hash_dim)),
            ("dense nn.Embedding", embed_dim, embed_dim, vocab * embed_dim * FLOAT_BYTES, 0.0),
        ):
            per_token = width * FLOAT_BYTES
            rows.append(MemoryRow(vocab, name, width, non_zero, per_token, batch_tokens * per_token, params, shared))
    return rows


def cosine_matrix(vectors: torch.Tensor) -> torch.Tensor:
    """(n, d) → (n, n) cosine similarities; a zero row (padding) has cosine 0 with everything."""
    unit = vectors / vectors.norm(dim=1, keepdim=True).clamp_min(1e-12)  # (n, d)
    return unit @ unit.T


@dataclass(frozen=True)
class PretrainedComparison:
    """The same words' cosine similarities under a random nn.Embedding and under GloVe."""

    words: list[str]  # the words compared, at most `cap` of those GloVe knows
    known: int  # how many of the vocabulary's words GloVe knows
    missing: list[str]  # vocabulary words GloVe does not have
    random_cosines: torch.Tensor  # (words, words)
    glove_cosines: torch.Tensor  # (words, words)

    def mean_off_diagonal(self, which: str) -> float:
        matrix = self.random_cosines if which == "random" else self.glove_cosines
        n = matrix.shape[0]
        return float((matrix.sum() - matrix.diagonal().sum()) / (n * (n - 1))) if n > 1 else 0.0

    def closest_pair(self, which: str) -> tuple[str, str, float] | None:
        """The most similar pair of distinct words under one table."""
        matrix = (self.random_cosines if which == "random" else self.glove_cosines).clone()
        if matrix.shape[0] < 2:
            return None
        matrix.fill_diagonal_(-2.0)
        flat = int(matrix.argmax())
        i, j = divmod(flat, matrix.shape[0])
        return self.words[i], self.words[j], float(matrix[i, j])


def compare_with_glove(
    vocabulary: OneHotVocabulary, layer: torch.nn.Embedding, glove: EmbeddingSet, cap: int = 30
) -> PretrainedComparison:
    """The vocabulary's words (most frequent first, at most `cap`) that GloVe knows, under both tables."""
    words = vocabulary.tokens[2:]  # skip <pad> and <unk>
    # GloVe is lower-case: 'The' and 'the' are one GloVe word, so only the first spelling of each is kept.
    first_spelling: dict[str, str] = {}
    for word in words:
        if word.lower() in glove.index:
            first_spelling.setdefault(word.lower(), word)
    found = list(first_spelling.values())
    missing = [word for word in words if word.lower() not in glove.index]
    if len(found) < 2:
        known = ", ".join(shorten(word) for word in found) or "none"
        unknown = f"; it does not know {', '.join(shorten(word) for word in missing[:8])}" if missing else ""
        raise LabError(
            f"A similarity needs two different words that GloVe knows, and it knows {len(found)} of yours "
            f"({known}){unknown}. GloVe 6B is lower-case English: type a few different English words."
        )
    known, found, index = len(found), found[:cap], vocabulary.index
    rows = torch.tensor([index[word] for word in found], device=layer.weight.device)
    random_vectors = layer.weight.detach()[rows]  # (found, d)
    glove_vectors = torch.stack([glove.vector(word.lower(), unit=False) for word in found])  # (found, 50)
    return PretrainedComparison(found, known, missing, cosine_matrix(random_vectors), cosine_matrix(glove_vectors))
