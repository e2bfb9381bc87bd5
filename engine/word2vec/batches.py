"""Training examples for Word2Vec, generated on the training device in whole-tensor operations.

The corpus becomes one long tensor of word ids with a sentence number per token, cut into blocks of
whole sentences. For each block and epoch we subsample frequent words, draw each centre word's
dynamic window (uniform in 1..window, as the C tool and gensim do), and build a (tokens, 2·window)
matrix of context ids with a mask: CBOW reads its rows, skip-gram flattens the mask into pairs.
No per-word Python loop runs during training, so a GPU is never left waiting on the CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import torch

from engine.word2vec.vocab import Vocabulary


@dataclass(frozen=True)
class EncodedCorpus:
    """A corpus as word ids on a device; out-of-vocabulary tokens are removed, as both gensim and C do."""

    ids: torch.Tensor  # (tokens,) int64 word ids
    sentence: torch.Tensor  # (tokens,) int64 sentence number of each token
    blocks: list[tuple[int, int, int]]  # (start, end, raw words) of runs of whole sentences
    raw_words: int  # tokens in the corpus before out-of-vocabulary words were removed

    @classmethod
    def encode(
        cls, sentences: Sequence[Sequence[str]], vocab: Vocabulary, device: torch.device, block_tokens: int = 50_000
    ) -> EncodedCorpus:
        index = vocab.index
        raw_lengths = np.fromiter((len(s) for s in sentences), dtype=np.int64, count=len(sentences))
        flat = np.fromiter((index.get(w, -1) for w in chain.from_iterable(sentences)), dtype=np.int64, count=int(raw_lengths.sum()))
        sentence_of = np.repeat(np.arange(len(sentences), dtype=np.int64), raw_lengths)
        known = flat >= 0
        ids, sentence_of = flat[known], sentence_of[known]
        kept_lengths = np.bincount(sentence_of, minlength=len(sentences))
        blocks = _blocks(kept_lengths, raw_lengths, block_tokens)
        return cls(torch.from_numpy(ids).to(device), torch.from_numpy(sentence_of).to(device), blocks, int(raw_lengths.sum()))


def _blocks(kept_lengths: np.ndarray, raw_lengths: np.ndarray, block_tokens: int) -> list[tuple[int, int, int]]:
    """Group whole sentences into blocks of about `block_tokens` kept tokens each."""
    ends = np.cumsum(kept_lengths)
    raw_ends = np.cumsum(raw_lengths)
    blocks, start, raw_start, sentence = [], 0, 0, 0
    while sentence < len(ends):
        # the last sentence whose end stays within the budget; always at least one sentence
        last = max(sentence, int(np.searchsorted(ends, start + block_tokens, side="right")) - 1)
        end, raw_end = int(ends[last]), int(raw_ends[last])
        blocks.append((start, end, raw_end - raw_start))
        start, raw_start, sentence = end, raw_end, last + 1
    return blocks


def subsample(
    ids: torch.Tensor, sentence: torch.Tensor, keep_probability: torch.Tensor, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Drop each occurrence of a word with 1 - keep_probability[word]; the survivors close ranks."""
    keep = torch.rand(ids.shape, generator=generator, device=ids.device) < keep_probability[ids]  # (tokens,)
    return ids[keep], sentence[keep]


def context_windows(
    ids: torch.Tensor, sentence: torch.Tensor, window: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Context ids (tokens, 2·window) and a mask of which are real, with a dynamic window per centre word.

    Column order is offsets -window..-1, +1..+window. A context is real when it lies inside the block,
    in the centre's sentence, and within the centre's reduced window (drawn uniformly from 1..window).
    """
    count = ids.shape[0]
    offsets = torch.cat([torch.arange(-window, 0), torch.arange(1, window + 1)]).to(ids.device)  # (2W,)
    reach = window - torch.randint(0, window, (count,), generator=generator, device=ids.device)  # (tokens,) in 1..W
    positions = torch.arange(count, device=ids.device).unsqueeze(1) + offsets  # (tokens, 2W)
    inside = (positions >= 0) & (positions < count)
    positions = positions.clamp_(0, max(count - 1, 0))
    mask = inside & (sentence[positions] == sentence.unsqueeze(1)) & (offsets.abs() <= reach.unsqueeze(1))
    return ids[positions], mask


def skipgram_pairs(ids: torch.Tensor, contexts: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(input, target) pairs in corpus order: the context word is the input, the centre word the target.

    That is the C tool's and gensim's orientation: the context's input vector predicts the centre word.
    """
    centres = ids.unsqueeze(1).expand_as(contexts)  # (tokens, 2W)
    return contexts[mask], centres[mask]  # (pairs,), (pairs,)


def cbow_examples(
    ids: torch.Tensor, contexts: torch.Tensor, mask: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(contexts, mask, centre) rows for CBOW, dropping centres with no context at all."""
    has_context = mask.any(dim=1)  # (tokens,)
    return contexts[has_context], mask[has_context], ids[has_context]
