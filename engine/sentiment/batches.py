"""Texts → model inputs: a featuriser per input kind, and padded, length-bucketed batches.

A featuriser turns each text into one tensor: token ids `(tokens,)` through a vocabulary (optionally
with FastText's bigrams), or frozen MiniLM states `(tokens, 384)`. How many tokens it reads follows the
training texts (`plan_lengths`: the cap that covers 95% of them), and a longer text keeps its head and
tail (see `lengths`). Batches group texts of similar
length (sorted within shuffled pools of 50 batches), so an RNN over padded sequences wastes little
work on padding while the order of training examples still changes every epoch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch.nn.utils.rnn import pad_sequence

from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sentiment.encoder import LAYERS, LENGTH_LIMITS, MAX_LENGTH, FrozenEncoder
from engine.sentiment.lengths import covering_length, head_and_tail, share_cut
from engine.sentiment.vocab import PAD_INDEX, UNK_INDEX, SentimentVocabulary, add_bigrams, sentiment_tokens

_POOL_BATCHES = 50
WORD_LIMITS = (16, 2_000)  # words: the CNN's widest filter needs a few; past 2,000 the RNNs crawl
STORED_MAX_TOKENS = 400  # a stored model from before the cap followed the data


@dataclass(frozen=True)
class LengthPlan:
    """The training texts' lengths, and the caps chosen from them: what the models read, and what that leaves out."""

    word_counts: tuple[int, ...]  # per text, in the vocabulary models' words
    piece_counts: tuple[int, ...]  # per text, in MiniLM word pieces ([CLS] and [SEP] included)

    @property
    def max_tokens(self) -> int:
        return covering_length(self.word_counts, lower=WORD_LIMITS[0], upper=WORD_LIMITS[1])

    @property
    def max_length(self) -> int:
        return covering_length(self.piece_counts, lower=LENGTH_LIMITS[0], upper=LENGTH_LIMITS[1])

    def words_cut(self, cap: int) -> float:
        """The share of texts longer than `cap` words (read head + tail)."""
        return share_cut(self.word_counts, cap)

    def pieces_cut(self, cap: int) -> float:
        return share_cut(self.piece_counts, cap)

    def mean_pieces(self, cap: int) -> float:
        """How many word pieces MiniLM reads of a text on average under `cap`."""
        return float(np.minimum(np.asarray(self.piece_counts), cap).mean()) if self.piece_counts else 0.0


def plan_lengths(texts: Sequence[str], device: torch.device | None = None) -> LengthPlan:
    """The training texts' lengths in words and in MiniLM word pieces; the caps that cover 95% of them whole."""
    words = tuple(len(sentiment_tokens(text)) for text in texts)
    return LengthPlan(words, tuple(FrozenEncoder(LENGTH_LIMITS[1], device).piece_counts(texts)))


@dataclass(frozen=True)
class Batch:
    inputs: torch.Tensor  # (batch, seq) ids or (batch, seq, 384) states, on the device
    lengths: torch.Tensor  # (batch,) true lengths, on the device
    labels: torch.Tensor  # (batch,) class indices, on the device
    index: torch.Tensor  # (batch,) positions of these texts in the list they came from (CPU)


class WordFeaturizer:
    """The five vocabulary models' input: token ids, with bigrams appended for FastText."""

    pad_value = PAD_INDEX

    def __init__(self, vocab: SentimentVocabulary, *, bigrams: bool = False, max_tokens: int = STORED_MAX_TOKENS) -> None:
        low, high = WORD_LIMITS
        if not low <= max_tokens <= high:
            raise LabError(f"max_tokens must be between {low} and {high} words; got {max_tokens}.")
        self.vocab, self.bigrams, self.max_tokens = vocab, bigrams, max_tokens

    @classmethod
    def fit(cls, texts: Sequence[str], *, bigrams: bool = False, min_freq: int = 2, max_size: int = 25_000,
            max_tokens: int | None = None) -> WordFeaturizer:
        """Build the vocabulary from the training texts only (validation and test words stay unknown).

        `max_tokens` None: the cap that covers 95% of the training texts (see `plan_lengths`).
        """
        words = [sentiment_tokens(text) for text in texts]
        if max_tokens is None:
            max_tokens = covering_length(map(len, words), lower=WORD_LIMITS[0], upper=WORD_LIMITS[1])
        unfitted = cls(SentimentVocabulary.build([]), bigrams=bigrams, max_tokens=max_tokens)
        vocab = SentimentVocabulary.build((unfitted._read(text_words) for text_words in words), min_freq=min_freq, max_size=max_size)
        return cls(vocab, bigrams=bigrams, max_tokens=max_tokens)

    @property
    def kind(self) -> str:
        return "bigrams" if self.bigrams else "words"

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def tokens(self, text: str) -> list[str]:
        """What the model sees of a text: its words (head + tail past `max_tokens`), then (FastText) their bigrams."""
        return self._read(sentiment_tokens(text))

    def _read(self, words: list[str]) -> list[str]:
        kept = head_and_tail(words, self.max_tokens)
        return add_bigrams(kept) if self.bigrams else kept

    def transform(self, texts: Sequence[str], on_progress: ProgressCallback | None = None, *,
                  remember: bool = True) -> list[torch.Tensor]:
        """Token ids per text (`remember` is for the MiniLM featuriser's state cache; ids cost nothing to redo)."""
        # A text with no tokens (only emoji, say) becomes one <unk>: every sequence needs a length ≥ 1.
        return [torch.tensor(self.vocab.encode(self.tokens(text)) or [UNK_INDEX], dtype=torch.long) for text in texts]

    def to_extras(self) -> dict[str, Any]:
        return {"kind": self.kind, "vocab": self.vocab.to_json(), "max_tokens": self.max_tokens}


class MiniLMFeaturizer:
    """The transformer models' input: MiniLM's token states at `layer` (6: its output), with its WordPiece tokenizer."""

    pad_value = 0.0
    kind = "minilm"
    vocab_size = 0

    def __init__(self, max_length: int = MAX_LENGTH, device: torch.device | None = None, *, layer: int = LAYERS) -> None:
        self.encoder = FrozenEncoder(max_length, device, layer=layer)

    def tokens(self, text: str) -> list[str]:
        return self.encoder.tokenize(text)

    def transform(self, texts: Sequence[str], on_progress: ProgressCallback | None = None, *,
                  remember: bool = True) -> list[torch.Tensor]:
        """MiniLM states per text; `remember=False` keeps throwaway texts (an explanation's variants) out of the cache.

        At layer 0 (every layer fine-tuned) the input is the word-piece ids, which the model embeds on the device
        (`encoder.piece_embeddings`); the padding id is 0, the same as `pad_value`.
        """
        if self.encoder.layer == 0:
            return [torch.tensor(ids) for ids in self.encoder.piece_ids(texts)]
        return self.encoder.states(texts, on_progress=on_progress, remember=remember)

    def to_extras(self) -> dict[str, Any]:
        return {"kind": self.kind, "max_length": self.encoder.max_length, "layer": self.encoder.layer}


Featurizer = WordFeaturizer | MiniLMFeaturizer


def fit_featurizer(features: str, texts: Sequence[str], device: torch.device | None = None, *,
                   max_tokens: int | None = None, max_length: int | None = None, layer: int = LAYERS) -> Featurizer:
    """The featuriser a model's spec asks for (`words`, `bigrams`, `minilm`), fitted to the training texts.

    A cap left as None is chosen from `texts` (the length that covers 95% of them).
    """
    if features == "minilm":
        if max_length is None:
            counts = FrozenEncoder(LENGTH_LIMITS[1], device).piece_counts(texts)
            max_length = covering_length(counts, lower=LENGTH_LIMITS[0], upper=LENGTH_LIMITS[1])
        return MiniLMFeaturizer(max_length, device, layer=layer)
    if features not in ("words", "bigrams"):
        raise LabError(f"features must be words, bigrams or minilm; got {features!r}.")
    return WordFeaturizer.fit(texts, bigrams=features == "bigrams", max_tokens=max_tokens)


def featurizer_from_extras(extras: dict[str, Any], device: torch.device | None = None) -> Featurizer:
    """Rebuild a stored featuriser (see `to_extras`)."""
    kind = extras.get("kind")
    if kind == "minilm":
        return MiniLMFeaturizer(int(extras.get("max_length", MAX_LENGTH)), device, layer=int(extras.get("layer", LAYERS)))
    if kind in ("words", "bigrams"):
        return WordFeaturizer(SentimentVocabulary.from_json(extras["vocab"]), bigrams=kind == "bigrams",
                              max_tokens=int(extras.get("max_tokens", STORED_MAX_TOKENS)))
    raise LabError(f"unknown featuriser {kind!r} in a stored classifier; expected words, bigrams or minilm.")


def count_batches(n_items: int, batch_size: int) -> int:
    return math.ceil(n_items / batch_size)


def iter_batches(
    items: Sequence[torch.Tensor],
    labels: np.ndarray | None,
    batch_size: int,
    *,
    pad_value: float,
    device: torch.device,
    shuffle: bool = False,
    seed: int = 0,
    min_length: int = 1,
    length_multiple: int = 1,
) -> Iterator[Batch]:
    """Padded batches of similar-length items; shuffled pools when training, plain length order otherwise.

    `min_length` pads short batches up to it (the CNN's widest filter), and `length_multiple` pads each
    batch's length up to a multiple of it (fewer distinct shapes: see `encoder.attention_length_multiple`);
    `lengths` stay the true ones.
    """
    if batch_size < 1:
        raise LabError(f"batch_size must be at least 1; got {batch_size}.")
    if length_multiple < 1:
        raise LabError(f"length_multiple must be at least 1; got {length_multiple}.")
    lengths = np.fromiter((len(item) for item in items), dtype=np.int64, count=len(items))
    if shuffle:
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(items))
        pool = batch_size * _POOL_BATCHES
        pools = [order[i:i + pool] for i in range(0, len(order), pool)]
        order = np.concatenate([chunk[np.argsort(lengths[chunk], kind="stable")] for chunk in pools] or [order])
        groups = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        groups = [groups[i] for i in rng.permutation(len(groups))]
    else:
        order = np.argsort(lengths, kind="stable")
        groups = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    for group in groups:
        inputs = pad_sequence([items[i] for i in group], batch_first=True, padding_value=pad_value)
        width = max(min_length, math.ceil(inputs.shape[1] / length_multiple) * length_multiple)
        if inputs.shape[1] < width:  # (batch, seq[, dim]) → (batch, width[, dim])
            extra = inputs.new_full((inputs.shape[0], width - inputs.shape[1], *inputs.shape[2:]), pad_value)
            inputs = torch.cat([inputs, extra], dim=1)
        targets = torch.as_tensor(labels[group] if labels is not None else np.zeros(len(group)), dtype=torch.long)
        yield Batch(inputs.to(device), torch.as_tensor(lengths[group]).to(device), targets.to(device), torch.as_tensor(group))
