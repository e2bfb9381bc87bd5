"""The vocabulary side of Word2Vec: counts, min_count, subsampling, the noise distribution, the Huffman tree.

Everything here is computed once per corpus from word counts, before any training, and follows the
original C tool (and gensim) formula by formula so the two backends see the same vocabulary:
words sorted by descending count (ties keep first-seen order), subsampling keep-probabilities
`(sqrt(f / t) + 1) * t / f`, negatives drawn from count^0.75, and a Huffman tree over counts.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from engine.errors import LabError


@dataclass(frozen=True)
class Vocabulary:
    """Words kept by min_count, most frequent first, with their counts and the corpus size they came from."""

    words: list[str]
    counts: np.ndarray  # (vocab,) int64, descending
    corpus_tokens: int  # every token in the corpus, kept or not

    @classmethod
    def build(cls, sentences: Iterable[Sequence[str]], min_count: int) -> Vocabulary:
        """Count every token and keep the words seen at least `min_count` times."""
        counter: Counter[str] = Counter()
        for sentence in sentences:
            counter.update(sentence)
        return cls.from_counts(counter, min_count)

    @classmethod
    def from_counts(cls, counter: Counter[str], min_count: int) -> Vocabulary:
        """The vocabulary of already-counted tokens; refuses corpora Word2Vec cannot learn from."""
        total = sum(counter.values())
        if total == 0:
            raise LabError("The corpus has no words: after tokenising it is empty. Pick or upload a corpus with text in it.")
        kept = [(word, count) for word, count in counter.most_common() if count >= min_count]
        if not kept:
            top = counter.most_common(1)[0]
            raise LabError(
                f"No word occurs at least min_count = {min_count:,} times (the most frequent, {top[0]!r}, occurs "
                f"{top[1]:,} times in {total:,} tokens). Lower min_count or use a larger corpus."
            )
        if len(kept) < 2:
            raise LabError(
                f"Only one distinct word ({kept[0][0]!r}) reaches min_count = {min_count:,}; Word2Vec needs at least "
                f"two words to tell apart. Use a corpus with more varied text or lower min_count."
            )
        words, counts = zip(*kept)
        return cls(list(words), np.asarray(counts, dtype=np.int64), total)

    def __len__(self) -> int:
        return len(self.words)

    @property
    def index(self) -> dict[str, int]:
        return {word: i for i, word in enumerate(self.words)}

    def keep_probabilities(self, sample: float) -> np.ndarray:
        """(vocab,) probability of keeping each occurrence under frequent-word subsampling (1 when sample is 0).

        The C tool's formula with threshold t = sample × (tokens kept by min_count): a word of count c is
        kept with probability (sqrt(c / t) + 1) · t / c, capped at 1.
        """
        if sample <= 0:
            return np.ones(len(self), dtype=np.float64)
        threshold = sample * float(self.counts.sum())
        counts = self.counts.astype(np.float64)
        return np.minimum(1.0, (np.sqrt(counts / threshold) + 1.0) * threshold / counts)


@dataclass(frozen=True)
class NoiseTable:
    """The unigram^power noise distribution for negative sampling, as a cumulative table.

    Sampling is a binary search of uniform draws in the cumulative sums (as gensim's `cum_table`):
    exact for any vocabulary size, and it runs as one `searchsorted` on the training device.
    """

    probabilities: torch.Tensor  # (vocab,) float64 on the CPU, sums to 1
    cumulative: torch.Tensor  # (vocab,) float32 on the training device

    @classmethod
    def build(cls, counts: np.ndarray, power: float = 0.75, device: torch.device | None = None) -> NoiseTable:
        weights = torch.as_tensor(counts, dtype=torch.float64) ** power
        probabilities = weights / weights.sum()
        cumulative = probabilities.cumsum(0).to(torch.float32)
        cumulative[-1] = 1.0  # guard against rounding leaving the last bucket short
        return cls(probabilities, cumulative.to(device or "cpu"))

    def sample(self, shape: tuple[int, ...], generator: torch.Generator) -> torch.Tensor:
        """Word ids of the given shape drawn from the noise distribution, on the table's device."""
        draws = torch.rand(shape, generator=generator, device=self.cumulative.device)
        ids = torch.searchsorted(self.cumulative, draws, right=True)
        return ids.clamp_max_(len(self.cumulative) - 1)


@dataclass(frozen=True)
class HuffmanTree:
    """Each word's path from the root of a Huffman tree over counts: inner nodes visited and the bit taken.

    Inner nodes are numbered 0..vocab-2 in the order they were created, so the root is vocab-2. Paths
    are padded to the longest; `lengths` says how much of each row is real. Frequent words get short
    paths, which is what makes hierarchical softmax cost O(log vocab) per example.
    """

    points: np.ndarray  # (vocab, depth) int64 inner-node ids, root first, padded with 0
    codes: np.ndarray  # (vocab, depth) uint8 branch bits (0 = first-merged child), padded with 0
    lengths: np.ndarray  # (vocab,) int64 path lengths

    @classmethod
    def build(cls, counts: Sequence[int] | np.ndarray) -> HuffmanTree:
        vocab = len(counts)
        if vocab < 2:
            raise LabError("hierarchical softmax needs at least two words in the vocabulary.")
        # Heap entries (count, tiebreak, node); leaves are 0..vocab-1, inner nodes vocab.. in creation order.
        heap = [(int(count), node, node) for node, count in enumerate(counts)]
        heapq.heapify(heap)
        parent = np.zeros(2 * vocab - 1, dtype=np.int64)
        bit = np.zeros(2 * vocab - 1, dtype=np.uint8)
        for inner in range(vocab, 2 * vocab - 1):
            first_count, _, first = heapq.heappop(heap)
            second_count, _, second = heapq.heappop(heap)
            parent[first], parent[second] = inner, inner
            bit[first], bit[second] = 0, 1
            heapq.heappush(heap, (first_count + second_count, inner, inner))
        root = 2 * vocab - 2
        paths: list[tuple[list[int], list[int]]] = []
        for leaf in range(vocab):
            points, codes, node = [], [], leaf
            while node != root:
                codes.append(int(bit[node]))
                node = int(parent[node])
                points.append(node - vocab)
            paths.append((points[::-1], codes[::-1]))
        depth = max(len(points) for points, _ in paths)
        point_matrix = np.zeros((vocab, depth), dtype=np.int64)
        code_matrix = np.zeros((vocab, depth), dtype=np.uint8)
        lengths = np.zeros(vocab, dtype=np.int64)
        for row, (points, codes) in enumerate(paths):
            point_matrix[row, : len(points)] = points
            code_matrix[row, : len(codes)] = codes
            lengths[row] = len(points)
        return cls(point_matrix, code_matrix, lengths)

    def code(self, word_id: int) -> str:
        """A word's code as a bit string such as '1101', root first."""
        return "".join(str(b) for b in self.codes[word_id, : self.lengths[word_id]])
