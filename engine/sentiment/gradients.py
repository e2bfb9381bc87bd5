"""Integrated gradients (Sundararajan et al. 2017) on a classifier's embedding layer, through Captum.

IG integrates the gradient of P(target) along the straight line from a baseline input to the text, in
the embedding space. Its attributions are complete: they add up to P(target | text) − P(target |
baseline), up to the integral's numerical error, which Captum reports as the convergence delta. The
baseline is the padding token at every position (the input that says nothing) with the text's own
length, so a model reads it as it reads the text.

The vocabulary models attribute to the rows of their own `nn.Embedding`; the transformer models to
MiniLM's word-piece embeddings, run through the frozen layers below the model's input and then the
model (gradients flow through MiniLM; its weights stay as they are). Captum integrates over the
embedded tensors rather than hooking the embedding layers: the classifiers and the MiniLM encoder are
shared by every session, and a hook on them would reach another session's predictions (and the state
cache). Tokens are mapped back to the words of `vocab.sentiment_tokens`: a word piece gives all of its
attribution to its word, a FastText bigram half to each of its two words, so the words' scores still add
up to the same total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from captum.attr import IntegratedGradients
from torch import nn

from engine.sentiment.batches import MiniLMFeaturizer, WordFeaturizer
from engine.sentiment.encoder import run_layers
from engine.sentiment.lengths import head_and_tail
from engine.sentiment.models import probabilities
from engine.sentiment.predict import SentimentClassifier
from engine.sentiment.vocab import PAD_INDEX, UNK_INDEX, add_bigrams

STEPS = (16, 128)  # Gauss-Legendre points: the second only when the first leaves the integral unconverged
TOLERANCE = 0.01  # |delta| in probability below which IG counts as converged (or 5% of ΔP, if that is larger)
Forward = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]  # (embedded, lengths) → P(target) (batch,)
Owners = list[list[tuple[int, float]]]  # per input token: (word position, share of the token's attribution)


@dataclass(frozen=True)
class Gradients:
    """Per word, its integrated gradient for P(target); the totals IG's completeness is checked against."""

    scores: np.ndarray  # (words,) NaN for words past the model's cap that it does not read
    text_probability: float  # P(target | text, as the words are fed)
    baseline_probability: float  # P(target | padding baseline)
    delta: float  # Σ attributions − (text − baseline): the integral's error
    steps: int  # the integration points used

    @property
    def converged(self) -> bool:
        """Whether the words' scores add up to ΔP within the tolerance (else the path is too rough for the steps)."""
        return abs(self.delta) <= max(TOLERANCE, 0.05 * abs(self.text_probability - self.baseline_probability))


def integrated_gradients(classifier: SentimentClassifier, words: list[str], target: int, *,
                         steps: tuple[int, ...] = STEPS) -> Gradients:
    """IG of P(target) for `words` (the tokens `sentiment_tokens` gives), one score per word.

    Tries each number of `steps` in turn and stops at the first that converges: a model whose output
    swings sharply between the baseline and the text (a saturated transformer can) needs a finer grid.
    """
    model = classifier.model.eval()  # float32, no dropout: the attribution explains the model as it predicts
    if isinstance(classifier.featurizer, MiniLMFeaturizer):
        ids, owners, embed, forward = _piece_inputs(classifier, words, target)
        baseline = torch.full_like(ids, classifier.featurizer.encoder.tokenizer.pad_token_id)
        baseline[:, 0], baseline[:, -1] = ids[:, 0], ids[:, -1]  # [CLS] and [SEP] stay: only the words are absent
        length = ids.shape[1]
    else:
        ids, owners, length = word_inputs(classifier.featurizer, words, model.min_length)
        embed = model.embed

        def forward(embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            return probabilities(model.classify(embedded, lengths))[:, target]
        baseline = torch.full_like(ids, PAD_INDEX)
    lengths = torch.tensor([length], device=classifier.device)
    with torch.no_grad():
        inputs, reference = embed(ids.to(classifier.device)), embed(baseline.to(classifier.device))  # (1, seq, dim)
        ends = forward(torch.cat([inputs, reference]), lengths.repeat(2)).tolist()
    for points in steps:
        attributions, delta = IntegratedGradients(forward).attribute(
            inputs, baselines=reference, additional_forward_args=(lengths,), n_steps=points, return_convergence_delta=True)
        scores = word_scores(attributions.sum(dim=-1)[0].detach().double().cpu().numpy(), owners, len(words))
        found = Gradients(scores, ends[0], ends[1], float(delta.item()), points)
        if found.converged:
            break
    return found


def word_scores(per_token: np.ndarray, owners: Owners, n_words: int) -> np.ndarray:
    """Token attributions (tokens,) summed into their words' (n_words,); a word the model never reads stays NaN."""
    links = [(token, position, share) for token, owner in enumerate(owners) for position, share in owner]
    tokens, positions, shares = (np.array(column) for column in zip(*links)) if links else (np.zeros(0, int),) * 3
    scores = np.full(n_words, np.nan)
    scores[positions] = 0.0
    np.add.at(scores, positions, shares * per_token[tokens])  # a word may own several tokens (its bigrams)
    return scores


def word_inputs(featurizer: WordFeaturizer, words: list[str], min_length: int) -> tuple[torch.Tensor, Owners, int]:
    """The vocabulary model's ids for `words` (head + tail past its cap, then bigrams), each id's word(s), the true length."""
    kept = head_and_tail(list(range(len(words))), featurizer.max_tokens)
    owners: Owners = [[(position, 1.0)] for position in kept]
    tokens = [words[position] for position in kept]
    if featurizer.bigrams:
        owners += [[(first, 0.5), (second, 0.5)] for first, second in zip(kept, kept[1:])]
        tokens = add_bigrams(tokens)
    ids = featurizer.vocab.encode(tokens) or [UNK_INDEX]
    length = len(ids)
    ids += [PAD_INDEX] * max(0, min_length - len(ids))  # a CNN needs its widest filter; padding is attributed nothing
    owners += [[] for _ in range(len(ids) - len(owners))]
    return torch.tensor([ids]), owners, length


def _piece_inputs(classifier: SentimentClassifier, words: list[str], target: int) -> tuple[torch.Tensor, Owners, nn.Module, Forward]:
    """MiniLM's piece ids for `words` ([CLS], head + tail past the cap, [SEP]), each piece's word, the piece
    embedding, and the forward from piece embeddings to P(target)."""
    encoder = classifier.featurizer.encoder
    tokenizer, bert = encoder.tokenizer, encoder.model
    encoding = tokenizer(words, is_split_into_words=True, add_special_tokens=False)
    pieces = head_and_tail(list(zip(encoding["input_ids"], encoding.word_ids())), encoder.max_length - 2)
    ids = torch.tensor([[tokenizer.cls_token_id, *(piece for piece, _ in pieces), tokenizer.sep_token_id]])
    owners: Owners = [[], *([(word, 1.0)] for _, word in pieces), []]
    lower_layers, model = bert.encoder.layer[: encoder.layer], classifier.model

    def forward(pieces: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = torch.ones(pieces.shape[:2], dtype=torch.long, device=pieces.device)  # (batch, seq): one text, no padding
        hidden = run_layers(lower_layers, bert.embeddings(inputs_embeds=pieces), mask, bert.config)  # (batch, seq, 384)
        return probabilities(model(hidden, lengths))[:, target]
    return ids, owners, bert.embeddings.word_embeddings, forward
