"""Texts → model inputs: a featuriser per input kind, and padded, length-bucketed batches.

A featuriser turns each text into one tensor: token ids `(tokens,)` through a vocabulary (optionally
with FastText's bigrams), or frozen MiniLM states `(tokens, 384)`. Batches group texts of similar
length (sorted within shuffled pools of 50 batches), so an RNN over packed sequences wastes little
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
from engine.sentiment.encoder import MAX_LENGTH, FrozenEncoder
from engine.sentiment.vocab import PAD_INDEX, UNK_INDEX, Vocabulary, add_bigrams, tokenize

_POOL_BATCHES = 50


@dataclass(frozen=True)
class Batch:
    inputs: torch.Tensor  # (batch, seq) ids or (batch, seq, 384) states, on the device
    lengths: torch.Tensor  # (batch,) true lengths, on the device
    labels: torch.Tensor  # (batch,) class indices, on the device
    index: torch.Tensor  # (batch,) positions of these texts in the list they came from (CPU)


class WordFeaturizer:
    """The five vocabulary models' input: token ids, with bigrams appended for FastText."""

    pad_value = PAD_INDEX

    def __init__(self, vocab: Vocabulary, *, bigrams: bool = False, max_tokens: int = 400) -> None:
        self.vocab, self.bigrams, self.max_tokens = vocab, bigrams, max_tokens

    @classmethod
    def fit(cls, texts: Sequence[str], *, bigrams: bool = False, min_freq: int = 2, max_size: int = 25_000,
            max_tokens: int = 400) -> WordFeaturizer:
        """Build the vocabulary from the training texts only (validation and test words stay unknown)."""
        unfitted = cls(Vocabulary.build([]), bigrams=bigrams, max_tokens=max_tokens)
        vocab = Vocabulary.build((unfitted.tokens(text) for text in texts), min_freq=min_freq, max_size=max_size)
        return cls(vocab, bigrams=bigrams, max_tokens=max_tokens)

    @property
    def kind(self) -> str:
        return "bigrams" if self.bigrams else "words"

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def tokens(self, text: str) -> list[str]:
        """What the model sees of a text: its first `max_tokens` words, then (FastText) their bigrams."""
        words = tokenize(text)[: self.max_tokens]
        return add_bigrams(words) if self.bigrams else words

    def transform(self, texts: Sequence[str], on_progress: ProgressCallback | None = None) -> list[torch.Tensor]:
        # A text with no tokens (only emoji, say) becomes one <unk>: every sequence needs a length ≥ 1.
        return [torch.tensor(self.vocab.encode(self.tokens(text)) or [UNK_INDEX], dtype=torch.long) for text in texts]

    def to_extras(self) -> dict[str, Any]:
        return {"kind": self.kind, "vocab": self.vocab.to_json(), "max_tokens": self.max_tokens}


class MiniLMFeaturizer:
    """The transformer model's input: frozen MiniLM token states, with its own WordPiece tokenizer."""

    pad_value = 0.0
    kind = "minilm"
    vocab_size = 0

    def __init__(self, max_length: int = MAX_LENGTH, device: torch.device | None = None) -> None:
        self.encoder = FrozenEncoder(max_length, device)

    def tokens(self, text: str) -> list[str]:
        return self.encoder.tokenize(text)

    def transform(self, texts: Sequence[str], on_progress: ProgressCallback | None = None) -> list[torch.Tensor]:
        return self.encoder.states(texts, on_progress=on_progress)

    def to_extras(self) -> dict[str, Any]:
        return {"kind": self.kind, "max_length": self.encoder.max_length}


Featurizer = WordFeaturizer | MiniLMFeaturizer


def fit_featurizer(features: str, texts: Sequence[str], device: torch.device | None = None, **options: Any) -> Featurizer:
    """The featuriser a model's spec asks for (`words`, `bigrams`, `minilm`), fitted to the training texts."""
    if features == "minilm":
        return MiniLMFeaturizer(options.get("max_length", MAX_LENGTH), device)
    if features not in ("words", "bigrams"):
        raise LabError(f"features must be words, bigrams or minilm; got {features!r}.")
    return WordFeaturizer.fit(texts, bigrams=features == "bigrams", **options)


def featurizer_from_extras(extras: dict[str, Any], device: torch.device | None = None) -> Featurizer:
    """Rebuild a stored featuriser (see `to_extras`)."""
    kind = extras.get("kind")
    if kind == "minilm":
        return MiniLMFeaturizer(int(extras.get("max_length", MAX_LENGTH)), device)
    if kind in ("words", "bigrams"):
        return WordFeaturizer(Vocabulary.from_json(extras["vocab"]), bigrams=kind == "bigrams",
                              max_tokens=int(extras.get("max_tokens", 400)))
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
) -> Iterator[Batch]:
    """Padded batches of similar-length items; shuffled pools when training, plain length order otherwise.

    `min_length` pads short batches up to it (the CNN's widest filter); `lengths` stay the true ones.
    """
    if batch_size < 1:
        raise LabError(f"batch_size must be at least 1; got {batch_size}.")
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
        if inputs.shape[1] < min_length:  # (batch, seq[, dim]) → (batch, min_length[, dim])
            extra = inputs.new_full((inputs.shape[0], min_length - inputs.shape[1], *inputs.shape[2:]), pad_value)
            inputs = torch.cat([inputs, extra], dim=1)
        targets = torch.as_tensor(labels[group] if labels is not None else np.zeros(len(group)), dtype=torch.long)
        yield Batch(inputs.to(device), torch.as_tensor(lengths[group]).to(device), targets.to(device), torch.as_tensor(group))
