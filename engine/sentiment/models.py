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

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from transformers.models.bert.modeling_bert import BertLayer

from engine.errors import LabError
from engine.sentiment.encoder import (LAYERS, attention_length_multiple, minilm_config, piece_embeddings, pretrained_layer,
                                      run_layers)
from engine.sentiment.vocab import PAD_INDEX, UNK_INDEX, SentimentVocabulary
from engine.vectors import EmbeddingSet


def _mask(lengths: torch.Tensor, seq: int) -> torch.Tensor:
    """(batch, seq) True on real tokens, False on padding."""
    return torch.arange(seq, device=lengths.device)[None, :] < lengths[:, None]


def _masked_mean(embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Mean over the real tokens only: (batch, seq, dim) → (batch, dim)."""
    mask = _mask(lengths.to(embedded.device), embedded.shape[1]).unsqueeze(-1).to(embedded.dtype)
    return (embedded * mask).sum(dim=1) / lengths.to(embedded.device).clamp_min(1).unsqueeze(-1).to(embedded.dtype)


def reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Each sequence's real steps in reverse order, its padding left where it was: (batch, seq, dim) → same."""
    steps = torch.arange(x.shape[1], device=x.device)[None, :]  # (1, seq)
    last = (lengths.to(x.device) - 1)[:, None]  # (batch, 1)
    source = torch.where(steps <= last, last - steps, steps)  # (batch, seq)
    return x.gather(1, source[..., None].expand(-1, -1, x.shape[2]))


_RNN_KERNELS = {"LSTM": torch.lstm, "GRU": torch.gru, "RNN_TANH": torch.rnn_tanh}


def run_recurrent(rnn: nn.RNNBase, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The final hidden state of every layer and direction, `(layers * directions, batch, hidden)`, as packing gives.

    Why not `pack_padded_sequence`: on the CPU a packed sequence runs torch's step-by-step kernel, 25-30×
    slower than oneDNN's fused RNN, which only takes padded input. Padding is right of the real steps, so
    a forward pass reads it only after a text ends: its state at step `length - 1` is exactly the packed
    one. The backward direction runs over each text reversed within its length (padding still on the
    right), so it too never reads padding before it has read the whole text. Each layer and direction is
    one call of the fused kernel with that direction's weights of `rnn` (so stored weights are unchanged).
    """
    kernel = _RNN_KERNELS[rnn.mode]
    directions = 2 if rnn.bidirectional else 1
    batch = embedded.shape[0]
    last = (lengths.to(embedded.device) - 1).clamp_min(0)  # (batch,)
    rows = torch.arange(batch, device=embedded.device)
    layer_input, finals = embedded, []
    for layer in range(rnn.num_layers):
        outputs = []
        for direction in range(directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            weights = [getattr(rnn, f"{name}{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            start = embedded.new_zeros(1, batch, rnn.hidden_size)
            hx = (start, start) if rnn.mode == "LSTM" else start
            steps = reverse_within_length(layer_input, lengths) if direction else layer_input
            out = kernel(steps, hx, weights, True, 1, 0.0, rnn.training, False, True)[0]  # (batch, seq, hidden)
            finals.append(out[rows, last])  # (batch, hidden): after the text's last real step in this direction
            outputs.append(reverse_within_length(out, lengths) if direction else out)
        layer_input = torch.cat(outputs, dim=2)  # (batch, seq, hidden * directions)
        if rnn.dropout and rnn.training and layer < rnn.num_layers - 1:
            layer_input = nn.functional.dropout(layer_input, rnn.dropout, training=True)
    return torch.stack(finals)


class SentimentModel(nn.Module):
    """Base: `forward = classify(embed(inputs), lengths)`."""

    mixed_precision = False  # run under autocast (bfloat16 where native): only the fine-tuned transformer
    min_length = 1  # the fewest positions a batch is padded to (a CNN's widest filter)

    def length_multiple(self, device: torch.device) -> int:
        """Each batch's padded length is rounded up to a multiple of this on `device` (1: no rounding)."""
        return 1

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
        hidden = run_recurrent(self.rnn, embedded, lengths)  # (1, batch, hidden): after each text's last real token
        return self.fc(hidden[-1])  # (batch, hidden) → (batch, output)


class BiLSTM(SentimentModel):
    """Notebook 2: GloVe-initialised embeddings → 2-layer bidirectional LSTM → its final states → linear.

    Mixed precision: oneDNN's bfloat16 LSTM made an epoch over movie reviews 1.3× faster here, with the
    same validation accuracy.
    """

    mixed_precision = True

    def __init__(self, vocab_size: int, output_dim: int, embedding_dim: int = 50, hidden_dim: int = 256,
                 n_layers: int = 2, dropout: float = 0.5) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=PAD_INDEX)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers, bidirectional=True, batch_first=True,
                           dropout=dropout if n_layers > 1 else 0.0)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(2 * hidden_dim, output_dim)

    def classify(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        hidden = run_recurrent(self.rnn, self.dropout(embedded), lengths)  # (layers * 2, batch, hidden)
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
    stored model is the head alone and `embed` is the identity. Mixed precision, as for the BiLSTM.
    """

    mixed_precision = True

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
        hidden = run_recurrent(self.rnn, embedded, lengths)  # (layers * 2, batch, hidden)
        return self.fc(self.dropout(torch.cat([hidden[-2], hidden[-1]], dim=1)))


class FineTunedMiniLM(SentimentModel):
    """Notebook 6 as it stands today: the transformer itself trained, not only a head on top of it.

    MiniLM's top `layers` encoder layers (starting from their pretrained weights) → the mean over the real
    word pieces (how all-MiniLM-L6-v2 was trained to pool) → dropout → linear. The states entering the
    first of those layers arrive precomputed (see `encoder.py`): the layers below stay frozen, so after
    the first epoch each step costs only the top layers, and a second run on the same texts reads them
    from disk. `layers=6` fine-tunes every layer: its input is then the word-piece ids, looked up in the
    frozen embedding layer on the device, since caching that lookup costs more than it saves.
    """

    mixed_precision = True

    def __init__(self, output_dim: int, layers: int = 2, dropout: float = 0.1) -> None:
        super().__init__()
        if not 1 <= layers <= LAYERS:
            raise LabError(f"layers (the encoder layers to fine-tune) must be between 1 and {LAYERS}; got {layers}.")
        # No dropout on the attention probabilities: with it, PyTorch's CPU attention falls back from the
        # fused flash kernel to the matrix-materialising one, and the (batch, heads, seq, seq) dropout mask
        # alone took a fifth of a fine-tuning epoch here. The hidden-state dropout (0.1) stays.
        self.config = copy.deepcopy(minilm_config())
        self.config.attention_probs_dropout_prob = 0.0
        self.first_layer = LAYERS - layers
        self.layers = nn.ModuleList(BertLayer(self.config, layer_idx=i) for i in range(self.first_layer, LAYERS))
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(self.config.hidden_size, output_dim)

    def start_from_pretrained(self) -> None:
        """Copy MiniLM's pretrained weights into the trainable layers (a fresh model's starting point)."""
        for offset, layer in enumerate(self.layers):
            layer.load_state_dict(pretrained_layer(self.first_layer + offset).state_dict())

    def parameter_groups(self, lr: float) -> list[dict[str, Any]]:
        """The pretrained layers learn slowly (they already know English), the fresh linear layer at `lr`."""
        return [{"params": list(self.layers.parameters()), "lr": ENCODER_LR}, {"params": list(self.fc.parameters()), "lr": lr}]

    def length_multiple(self, device: torch.device) -> int:
        """Attention's rule (`encoder.attention_length_multiple`); the mean below reads only the real pieces."""
        return attention_length_multiple(device)

    def embed(self, inputs: torch.Tensor) -> torch.Tensor:
        if not inputs.is_floating_point():  # (batch, seq) piece ids: every layer trains, the lookup runs here
            return piece_embeddings(inputs)
        return inputs.float()  # (batch, seq, 384): cached float16 states of layer `first_layer`

    def classify(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = _mask(lengths.to(embedded.device), embedded.shape[1]).long()  # (batch, seq)
        hidden = run_layers(self.layers, embedded, mask, self.config)  # (batch, seq, 384)
        return self.fc(self.dropout(_masked_mean(hidden.float(), lengths)))


ENCODER_LR = 1e-4  # AdamW's peak rate for fine-tuned encoder layers (the head uses the spec's lr)
# How a fine-tuned transformer trains unless told otherwise: a few epochs in small batches, as notebook 6
# fine-tunes BERT (a pretrained encoder needs few, small steps; the models trained from scratch take up to
# 10 epochs in batches of 64). This is the recipe bench/fine_tune.py and docs/BENCHMARKS.md measure.
FINE_TUNE_EPOCHS = 3
FINE_TUNE_BATCH_SIZE = 16


def default_fine_tune_layers(device: torch.device) -> int:
    """How many MiniLM layers to fine-tune by default: all of them on a GPU, the top 2 on a CPU.

    On a GPU both take about as long (an H200 spent its time on the host, not on the arithmetic: 2.5–11 s an
    epoch over 944 reviews for either, run to run) and every layer scores higher (88.1 % vs 86.4 % test, 3
    seeds). On a CPU all six layers cost about three times the top two's epoch (66 s against 22 s on a 2-core
    Xeon with AMX; docs/BENCHMARKS.md, bench/fine_tune.py).
    """
    return LAYERS if device.type == "cuda" else 2


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
    fine_tune: bool = False  # AdamW with warm-up and linear decay, mixed precision (see train.py)
    short_texts: bool = False  # also trains on each long text's closing sentences and the dataset's short texts


CATALOGUE: dict[str, ModelSpec] = {spec.key: spec for spec in (
    ModelSpec("nbow", "Neural bag of words", "1", "Mean of learned word embeddings → linear. The fastest reference.",
              "words", NBoW, {"embedding_dim": 100}, lr=5e-3),
    ModelSpec("rnn", "Simple RNN", "1", "Learned embeddings → one-directional RNN → last hidden state → linear.",
              "words", SimpleRNN, {"embedding_dim": 100, "hidden_dim": 256}),
    ModelSpec("lstm", "Bidirectional LSTM", "2",
              "GloVe-50d embeddings (unknown and padding rows zeroed) → 2-layer bidirectional LSTM (128), dropout 0.5.",
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
    ModelSpec("minilm_ft", "MiniLM fine-tuned", "6",
              "all-MiniLM-L6-v2 itself trained: its top layers fine-tuned (AdamW, warm-up then linear decay; the lower "
              "layers frozen, their states cached on disk) → mean of the word pieces → linear. Besides each training "
              "review it reads the review's closing sentences (up to 48 words, where reviewers give their verdict) "
              "and, on the movie reviews, as many one-sentence Rotten Tomatoes reviews (rated by 20 people each) as it "
              "has training reviews, a fresh draw each epoch from the training snippets the lab ships.",
              "minilm", FineTunedMiniLM, {"layers": 2, "dropout": 0.1}, fine_tune=True, short_texts=True),
)}


def spec(key: str) -> ModelSpec:
    if key not in CATALOGUE:
        raise LabError(f"model must be one of {', '.join(CATALOGUE)}; got {key!r}.")
    return CATALOGUE[key]


def input_layer(key: str, settings: dict[str, Any]) -> int:
    """Which MiniLM layer's states a transformer model reads: the output (6), or below its fine-tuned layers."""
    return LAYERS - int(settings["layers"]) if spec(key).fine_tune else LAYERS


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


def init_from_glove(model: SentimentModel, vocab: SentimentVocabulary, glove: EmbeddingSet) -> float:
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
