"""The six sentiment models of bentrevett's notebooks, and the catalogue that describes them.

Every model maps `(inputs, lengths)` to logits in two steps, `embed` then `classify`, so a later
attribution method can differentiate with respect to the embedded tokens. `inputs` are token ids
`(batch, seq)` for the five vocabulary models and frozen MiniLM states `(batch, seq, 384)` for the
transformer model; `lengths` `(batch,)` are the true lengths (padding follows them).

A two-class problem gets one logit and a sigmoid, as in the notebooks; more classes get one logit each
and a softmax. The multi-class CNN always uses the softmax form: that switch is notebook 5's lesson.
Where this lab departs from the notebooks, it says so in the spec (GloVe here is 50-d, not 100-d;
the LSTM has 128 hidden units a direction, not 256, and the transformer's GRU head is one layer of
128, not two of 256, so that CPU epochs take seconds to a minute rather than many minutes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

from engine.errors import LabError
from engine.sentiment.vocab import PAD_INDEX, UNK_INDEX, Vocabulary
from engine.vectors import EmbeddingSet


def _mask(lengths: torch.Tensor, seq: int) -> torch.Tensor:
    """(batch, seq) True on real tokens, False on padding."""
    return torch.arange(seq, device=lengths.device)[None, :] < lengths[:, None]


def _masked_mean(embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean over the real tokens only: (batch, seq, dim) → (batch, dim)."""
    mask = _mask(lengths.to(embedded.device), embedded.shape[1]).unsqueeze(-1).to(embedded.dtype)
    return (embedded * mask).sum(dim=1) / lengths.to(embedded.device).clamp_min(1).unsqueeze(-1).to(embedded.dtype)


def _pack(embedded: torch.Tensor, lengths: torch.Tensor) -> nn.utils.rnn.PackedSequence:
    # pack_padded_sequence wants the lengths on the CPU, wherever the data is.
    return pack_padded_sequence(embedded, lengths.to("cpu"), batch_first=True, enforce_sorted=False)


class SentimentModel(nn.Module):
    """Base: `forward = classify(embed(inputs), lengths)`."""

    def embed(self, inputs: torch.Tensor) -> torch.Tensor:
        return self.embedding(inputs)  # (batch, seq, dim)

    def classify(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.classify(self.embed(inputs), lengths)  # (batch, output_dim)


class NBoW(SentimentModel):
    """Neural bag of words: the mean of the word embeddings, then a linear layer."""

    def __init__(self, vocab_size: int, output_dim: int, embedding_dim: int = 100) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD_INDEX)
        self.fc = nn.Linear(embedding_dim, output_dim)

    def classify(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.fc(_masked_mean(embedded, lengths))


class SimpleRNN(SentimentModel):
    """Notebook 1: embedding → one-directional Elman RNN → the last hidden state → linear."""

    def __init__(self, vocab_size: int, output_dim: int, embedding_dim: int = 100, hidden_dim: int = 256) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD_INDEX)
        self.rnn = nn.RNN(embedding_dim, hidden_dim, batch_first=True)
        self.fc = nn.Linear(hidden_dim, output_dim)

    def classify(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        _, hidden = self.rnn(_pack(embedded, lengths))  # packed: hidden is after each text's last real token
        return self.fc(hidden[-1])  # (batch, hidden) → (batch, output)


class BiLSTM(SentimentModel):
    """Notebook 2: GloVe-initialised embeddings → 2-layer bidirectional LSTM over packed sequences → linear."""

    def __init__(self, vocab_size: int, output_dim: int, embedding_dim: int = 50, hidden_dim: int = 256,
                 n_layers: int = 2, dropout: float = 0.5) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD_INDEX)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers, bidirectional=True, batch_first=True,
                           dropout=dropout if n_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * hidden_dim, output_dim)

    def classify(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.rnn(_pack(self.dropout(embedded), lengths))  # hidden: (layers * 2, batch, hidden)
        final = torch.cat([hidden[-2], hidden[-1]], dim=1)  # last layer, forward and backward: (batch, 2 * hidden)
        return self.fc(self.dropout(final))


class FastText(NBoW):
    """Notebook 3 (Joulin et al. 2016): the mean of word and bigram embeddings, then a linear layer.

    The same network as NBoW (so its weights load into either); the bigrams come from the featuriser,
    so word order leaves a trace.
    """

    def __init__(self, vocab_size: int, output_dim: int, embedding_dim: int = 50) -> None:
        super().__init__(vocab_size, output_dim, embedding_dim)


class CNN(SentimentModel):
    """Notebooks 4 and 5 (Kim 2014): convolutions of widths 3, 4, 5 → ReLU → max over time → dropout → linear.

    Texts shorter than the widest filter are padded up to it by the batcher; padding rows are zero.
    """

    def __init__(self, vocab_size: int, output_dim: int, embedding_dim: int = 50, n_filters: int = 100,
                 filter_sizes: tuple[int, ...] = (3, 4, 5), dropout: float = 0.5) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD_INDEX)
        self.convs = nn.ModuleList(nn.Conv1d(embedding_dim, n_filters, size) for size in filter_sizes)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(len(filter_sizes) * n_filters, output_dim)
        self.min_length = max(filter_sizes)

    def classify(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        channels = embedded.transpose(1, 2)  # (batch, dim, seq): Conv1d slides along the last axis
        pooled = [torch.relu(conv(channels)).amax(dim=2) for conv in self.convs]  # each (batch, n_filters)
        return self.fc(self.dropout(torch.cat(pooled, dim=1)))


class TransformerGRU(SentimentModel):
    """Notebook 6: frozen transformer token states → bidirectional GRU → linear.

    The encoder is not part of this module: its states arrive precomputed (see `encoder.py`), so the
    stored model is the head alone and `embed` is the identity.
    """

    def __init__(self, output_dim: int, state_dim: int = 384, hidden_dim: int = 128, n_layers: int = 1,
                 dropout: float = 0.25) -> None:
        super().__init__()
        self.rnn = nn.GRU(state_dim, hidden_dim, num_layers=n_layers, bidirectional=True, batch_first=True,
                          dropout=dropout if n_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * hidden_dim, output_dim)

    def embed(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs.float()  # (batch, seq, 384): cached float16 states, computed in float32

    def classify(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        _, hidden = self.rnn(_pack(embedded, lengths))  # (layers * 2, batch, hidden)
        return self.fc(self.dropout(torch.cat([hidden[-2], hidden[-1]], dim=1)))


@dataclass(frozen=True)
class ModelSpec:
    """One entry of the catalogue: what the page lists and how to build the network."""

    key: str
    title: str
    notebook: str
    summary: str
    features: str  # "words", "bigrams" (words and bigrams) or "minilm" (frozen MiniLM token states)
    build: Callable[..., SentimentModel]
    hyper: dict[str, Any] = field(default_factory=dict)
    glove: bool = False  # initialise the embedding from GloVe 6B 50d
    softmax_always: bool = False  # one logit per class even for two classes
    lr: float = 1e-3  # Adam's learning rate; bags of embeddings learn faster with a larger one


CATALOGUE: dict[str, ModelSpec] = {spec.key: spec for spec in (
    ModelSpec("nbow", "Neural bag of words", "1", "Mean of learned word embeddings → linear. The fastest reference.",
              "words", NBoW, {"embedding_dim": 100}, lr=5e-3),
    ModelSpec("rnn", "Simple RNN", "1", "Learned embeddings → one-directional RNN → last hidden state → linear.",
              "words", SimpleRNN, {"embedding_dim": 100, "hidden_dim": 256}),
    ModelSpec("lstm", "Bidirectional LSTM", "2",
              "GloVe-50d embeddings (unknown and padding rows zeroed) → 2-layer bidirectional LSTM (128) over packed sequences, dropout 0.5.",
              "words", BiLSTM, {"embedding_dim": 50, "hidden_dim": 128, "n_layers": 2, "dropout": 0.5}, glove=True),
    ModelSpec("fasttext", "FastText", "3", "GloVe-initialised embeddings of words and bigrams, averaged → linear.",
              "bigrams", FastText, {"embedding_dim": 50}, glove=True, lr=5e-3),
    ModelSpec("cnn", "CNN (Kim 2014)", "4", "GloVe-50d embeddings → filters of width 3, 4, 5 (100 each) → max over time → dropout 0.5 → linear.",
              "words", CNN, {"embedding_dim": 50, "n_filters": 100, "filter_sizes": [3, 4, 5], "dropout": 0.5}, glove=True),
    ModelSpec("cnn_multiclass", "Multi-class CNN", "5", "The CNN with a softmax over one logit per class and cross-entropy loss.",
              "words", CNN, {"embedding_dim": 50, "n_filters": 100, "filter_sizes": [3, 4, 5], "dropout": 0.5},
              glove=True, softmax_always=True),
    ModelSpec("transformer", "MiniLM + GRU", "6",
              "Frozen all-MiniLM-L6-v2 token states (its own WordPiece tokenizer) → bidirectional GRU (128) → linear.",
              "minilm", TransformerGRU, {"hidden_dim": 128, "n_layers": 1, "dropout": 0.25}),
)}


def spec(key: str) -> ModelSpec:
    if key not in CATALOGUE:
        raise LabError(f"model must be one of {', '.join(CATALOGUE)}; got {key!r}.")
    return CATALOGUE[key]


def output_dim(key: str, n_classes: int) -> int:
    """One logit for two classes (sigmoid), else one per class (softmax)."""
    return 1 if n_classes == 2 and not spec(key).softmax_always else n_classes


def model_settings(key: str, hyper: dict[str, Any] | None = None) -> dict[str, Any]:
    """The catalogue's hyper-parameters for `key`, with `hyper` overriding them."""
    unknown = set(hyper or {}) - set(spec(key).hyper)
    if unknown:
        raise LabError(f"{key} takes the settings {', '.join(spec(key).hyper)}; got unknown {', '.join(sorted(unknown))}.")
    return {**spec(key).hyper, **(hyper or {})}


def build_model(key: str, n_classes: int, vocab_size: int, hyper: dict[str, Any] | None = None) -> SentimentModel:
    """A fresh, randomly initialised network; `hyper` overrides the catalogue's defaults."""
    chosen = spec(key)
    arguments = model_settings(key, hyper)
    if "filter_sizes" in arguments:  # JSON keeps lists; the module wants a tuple
        arguments["filter_sizes"] = tuple(arguments["filter_sizes"])
    if chosen.features == "minilm":
        return chosen.build(output_dim(key, n_classes), **arguments)
    return chosen.build(vocab_size, output_dim(key, n_classes), **arguments)


def init_from_glove(model: SentimentModel, vocab: Vocabulary, glove: EmbeddingSet) -> float:
    """Copy GloVe vectors into the embedding rows of known words; zero `<unk>` and `<pad>` (as notebook 2 does).

    Returns the share of the vocabulary found in GloVe; bigrams and unseen words keep their random rows.
    """
    weight = model.embedding.weight  # (vocab, dim)
    if weight.shape[1] != glove.dim:
        raise LabError(f"embedding_dim must be {glove.dim} to start from {glove.name}; got {weight.shape[1]}.")
    rows = [(i, glove.index[token]) for i, token in enumerate(vocab.itos) if token in glove.index]
    with torch.no_grad():
        if rows:
            ours, theirs = zip(*rows)
            weight[list(ours)] = glove.vectors[list(theirs)].to(weight.device, weight.dtype)
        weight[UNK_INDEX] = 0.0
        weight[PAD_INDEX] = 0.0
    return len(rows) / len(vocab)


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters (the frozen MiniLM encoder is outside the model and not counted)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def loss_function(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy on one logit, cross-entropy on several."""
    if logits.shape[1] == 1:
        return nn.functional.binary_cross_entropy_with_logits(logits[:, 0], labels.float())
    return nn.functional.cross_entropy(logits, labels)


def probabilities(logits: torch.Tensor) -> torch.Tensor:
    """(batch, output_dim) logits → (batch, n_classes) probabilities; one logit means P(class 1)."""
    if logits.shape[1] == 1:
        positive = torch.sigmoid(logits)
        return torch.cat([1 - positive, positive], dim=1)
    return torch.softmax(logits, dim=1)
