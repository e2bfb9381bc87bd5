"""Dynamic windows, subsampling and example generation on the device."""

import numpy as np
import torch

from engine.word2vec.batches import EncodedCorpus, _blocks, cbow_examples, context_windows, skipgram_pairs, subsample
from engine.word2vec.vocab import Vocabulary


def test_windows_stay_inside_sentences_and_the_drawn_reach():
    ids = torch.arange(30)
    sentence = torch.tensor([0] * 12 + [1] * 3 + [2] * 15)
    window = 4
    contexts, mask = context_windows(ids, sentence, window, torch.Generator().manual_seed(0))
    assert contexts.shape == mask.shape == (30, 2 * window)
    offsets = np.array([-4, -3, -2, -1, 1, 2, 3, 4])
    for centre in range(30):
        for column in np.flatnonzero(mask[centre].numpy()):
            other = int(contexts[centre, column])  # ids equal positions here
            assert other - centre == offsets[column]
            assert sentence[other] == sentence[centre]
    assert not mask[12:15, [0, 1, 6, 7]].any()  # the 3-word sentence has no context 3 or 4 away


def test_the_dynamic_window_is_symmetric_and_uniform_in_one_to_window():
    window, count = 5, 20_000
    ids = torch.arange(count)
    contexts, mask = context_windows(ids, torch.zeros(count, dtype=torch.long), window, torch.Generator().manual_seed(0))
    inner = mask[window:-window]  # centres far from both ends
    assert torch.equal(inner[:, :window], inner[:, window:].flip(1))  # as many words left as right
    reach = inner[:, window:].sum(1)  # (centres,) the drawn reach, 1..window
    shares = np.bincount(reach.numpy(), minlength=window + 1)[1:] / len(reach)
    np.testing.assert_allclose(shares, 1 / window, atol=0.02)


def test_skipgram_pairs_and_cbow_rows_come_from_the_same_windows():
    ids = torch.tensor([5, 6, 7, 8, 9])
    sentence = torch.tensor([0, 0, 0, 1, 1])
    contexts, mask = context_windows(ids, sentence, 2, torch.Generator().manual_seed(1))
    inputs, targets = skipgram_pairs(ids, contexts, mask)
    assert len(inputs) == int(mask.sum())
    assert all((int(t) < 8) == (int(i) < 8) for i, t in zip(inputs, targets))  # never across the sentence break
    rows, row_mask, centres = cbow_examples(ids, contexts, mask)
    assert row_mask.any(dim=1).all() and len(centres) == int(mask.any(dim=1).sum())


def test_subsampling_drops_words_by_their_keep_probability():
    ids = torch.tensor([0, 1] * 5000)
    kept, _ = subsample(ids, torch.zeros_like(ids), torch.tensor([0.2, 1.0]), torch.Generator().manual_seed(0))
    assert (kept == 1).sum() == 5000
    assert abs(int((kept == 0).sum()) - 1000) < 150


def test_encoding_drops_unknown_words_and_blocks_hold_whole_sentences():
    sentences = [["a", "b", "zz"], ["b", "a"], ["a"], ["b", "b", "a"]]
    vocab = Vocabulary.build(sentences, min_count=2)
    corpus = EncodedCorpus.encode(sentences, vocab, torch.device("cpu"), block_tokens=3)
    assert corpus.raw_words == 9 and corpus.ids.numel() == 8
    assert corpus.blocks[0][0] == 0 and corpus.blocks[-1][1] == 8
    assert sum(raw for _, _, raw in corpus.blocks) == 9
    for start, end, _ in corpus.blocks:  # a block boundary is always a sentence boundary
        assert start == 0 or corpus.sentence[start] != corpus.sentence[start - 1]
    assert _blocks(np.array([10, 1]), np.array([10, 1]), 4) == [(0, 10, 10), (10, 11, 1)]
