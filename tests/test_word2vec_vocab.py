"""Vocabulary, subsampling, the noise table and the Huffman tree against hand-checked values."""

import numpy as np
import pytest
import torch

from engine.errors import LabError
from engine.word2vec.vocab import HuffmanTree, NoiseTable, Vocabulary

# CLRS's classic example (Introduction to Algorithms, §16.3): its optimal prefix code.
CLRS_COUNTS = {"a": 45, "b": 13, "c": 12, "d": 16, "e": 9, "f": 5}
CLRS_CODES = {"a": "0", "b": "101", "c": "100", "d": "111", "e": "1101", "f": "1100"}


def test_huffman_codes_match_the_textbook_tree():
    words = list(CLRS_COUNTS)
    tree = HuffmanTree.build([CLRS_COUNTS[w] for w in words])
    assert {w: tree.code(i) for i, w in enumerate(words)} == CLRS_CODES
    # Every path starts at the root, the last inner node created (vocab - 2).
    assert set(tree.points[:, 0]) == {len(words) - 2}
    assert list(tree.lengths) == [len(CLRS_CODES[w]) for w in words]


def test_huffman_paths_visit_distinct_inner_nodes_and_form_a_prefix_code():
    counts = np.random.default_rng(0).integers(1, 1000, size=200)
    tree = HuffmanTree.build(counts)
    codes = [tree.code(i) for i in range(len(counts))]
    assert len(set(codes)) == len(codes)
    assert not any(a != b and b.startswith(a) for a in codes for b in codes)
    for row, length in enumerate(tree.lengths):
        path = tree.points[row, :length]
        assert len(set(path)) == length and path.max() <= len(counts) - 2
    # Huffman puts frequent words on shorter paths.
    assert tree.lengths[counts.argmax()] <= tree.lengths[counts.argmin()]


def test_noise_table_draws_follow_count_to_the_three_quarters():
    counts = np.array([1000, 100, 10, 1])
    table = NoiseTable.build(counts)
    expected = counts**0.75 / (counts**0.75).sum()
    np.testing.assert_allclose(table.probabilities.numpy(), expected)
    draws = table.sample((200_000,), torch.Generator().manual_seed(0))
    observed = np.bincount(draws.numpy(), minlength=len(counts)) / draws.numel()
    np.testing.assert_allclose(observed, expected, atol=0.005)
    assert draws.min() >= 0 and draws.max() < len(counts)


def test_vocabulary_sorts_by_count_and_applies_min_count():
    vocab = Vocabulary.build([["b", "a", "b"], ["c", "b", "a", "d"]], min_count=2)
    assert vocab.words == ["b", "a"]
    assert list(vocab.counts) == [3, 2] and vocab.corpus_tokens == 7


def test_subsampling_keeps_rare_words_and_thins_frequent_ones():
    vocab = Vocabulary(["the", "rare"], np.array([10_000, 1]), 10_001)
    keep = vocab.keep_probabilities(1e-3)
    threshold = 1e-3 * 10_001
    assert keep[1] == 1.0
    assert keep[0] == pytest.approx((np.sqrt(10_000 / threshold) + 1) * threshold / 10_000)
    assert np.all(vocab.keep_probabilities(0) == 1)


@pytest.mark.parametrize(
    ("sentences", "min_count", "message"),
    [([[], []], 1, "no words"), ([["a", "b"]], 5, "min_count"), ([["echo"] * 50], 1, "one distinct word")],
)
def test_unusable_corpora_are_refused_with_a_reason(sentences, min_count, message):
    with pytest.raises(LabError, match=message):
        Vocabulary.build(sentences, min_count)
