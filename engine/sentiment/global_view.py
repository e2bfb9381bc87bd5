"""What a vocabulary model learned over a dataset: the words that push it toward each class, and how far
training moved its word vectors from GloVe's.

Class words: integrated gradients (see `gradients`) for every text of a sample, toward each class,
averaged per word over its occurrences; a word seen in fewer than `min_texts` texts is left out (one
review's quirk is not a lesson). Texts go through Captum in batches: 118 movie reviews take 1 s for
FastText and about a minute for the bidirectional LSTM on a 2-core CPU, so the page runs this as a job.

Drift: the model's embedding rows and GloVe's for the same frequent words, aligned by the orthogonal
map that best carries one onto the other (Procrustes; a semi-orthogonal one when the model's rows are
wider than GloVe's 50), so what remains is what training changed, not a rotation. Both are drawn in
GloVe's own two principal axes. The transformer models are out of scope: their word embeddings are
MiniLM's, which they never change.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from captum.attr import IntegratedGradients

from engine.alignment import procrustes, unit_rows
from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sentiment.batches import WordFeaturizer
from engine.sentiment.gradients import word_inputs, word_scores
from engine.sentiment.models import probabilities
from engine.sentiment.predict import SentimentClassifier
from engine.sentiment.vocab import PAD_INDEX, UNK, UNK_INDEX, sentiment_tokens
from engine.vectors import EmbeddingSet

STEPS = 8  # fewer than for one text: averaged over a hundred texts and more, the integral's error washes out
BATCH = 16  # texts per Captum call (each is expanded STEPS times)
DRIFT_WORDS = 500


def _vocabulary_model(classifier: SentimentClassifier) -> WordFeaturizer:
    if not isinstance(classifier.featurizer, WordFeaturizer):
        raise LabError("The global view is for the five vocabulary models: the transformer models' word embeddings "
                       "are MiniLM's, and they never change them.")
    return classifier.featurizer


def class_words(classifier: SentimentClassifier, texts: Sequence[str], *, top: int = 15, min_texts: int = 3,
                on_progress: ProgressCallback | None = None) -> pd.DataFrame:
    """Per class, the `top` words with the largest mean integrated gradient toward it over `texts`.

    Columns: class, word, mean attribution (to P(class), per occurrence), texts (how many contain the word).
    """
    featurizer = _vocabulary_model(classifier)
    if not texts:
        raise LabError("there are no texts to attribute; pick a dataset with a test split.")
    model = classifier.model.eval()
    one_logit = model.fc.out_features == 1
    targets = [1] if one_logit else list(range(len(classifier.label_names)))
    word_lists = [sentiment_tokens(text) or [UNK] for text in texts]  # a text of no words reads as one <unk>
    seen_in = pd.Series([word for words in word_lists for word in set(words)]).value_counts()  # word → texts
    parts = []  # one frame per (text, target): every word occurrence the model reads, with its score
    for start in range(0, len(word_lists), BATCH):
        chunk = word_lists[start:start + BATCH]
        for target, scores in _batch_gradients(classifier, featurizer, chunk, targets):
            for words, row in zip(chunk, scores):
                read = np.isfinite(row)  # a word past the model's cap is not read, so not counted
                parts.append(pd.DataFrame({"target": target, "word": np.asarray(words, dtype=object)[read], "score": row[read]}))
        if on_progress:
            done = min(start + BATCH, len(word_lists))
            on_progress(done, len(word_lists), {"phase": "attributing", "texts": done})
    scored = pd.concat(parts, ignore_index=True)
    if one_logit:  # P(class 0) = 1 − P(class 1): its attributions are the same with the sign turned
        scored = pd.concat([scored, scored.assign(target=0, score=-scored["score"])], ignore_index=True)
    means = scored.groupby(["target", "word"])["score"].mean().reset_index()
    means = means[means["word"].map(seen_in).ge(min_texts) & means["word"].ne(UNK)]
    rows = []
    for target, name in enumerate(classifier.label_names):
        for row in means[means["target"] == target].nlargest(top, "score").itertuples():
            rows.append({"class": name, "word": row.word, "mean attribution": row.score, "texts": int(seen_in[row.word])})
    return pd.DataFrame(rows, columns=["class", "word", "mean attribution", "texts"])


def _batch_gradients(classifier: SentimentClassifier, featurizer: WordFeaturizer, chunk: list[list[str]],
                     targets: list[int]) -> list[tuple[int, list[np.ndarray]]]:
    """Per target class, each text's word scores (integrated gradients of P(target)), for one padded batch of texts."""
    model = classifier.model
    inputs = [word_inputs(featurizer, words, model.min_length) for words in chunk]
    ids = torch.full((len(chunk), max(text_ids.shape[1] for text_ids, _, _ in inputs)), PAD_INDEX, dtype=torch.long)
    for row, (text_ids, _, _) in enumerate(inputs):
        ids[row, : text_ids.shape[1]] = text_ids[0]  # (batch, seq), padded on the right
    lengths = torch.tensor([length for _, _, length in inputs], device=classifier.device)
    with torch.no_grad():  # IG over the embedded tensors: no hook on the model every session shares
        embedded = model.embed(ids.to(classifier.device))
        reference = model.embed(torch.full_like(ids, PAD_INDEX).to(classifier.device))
    result = []
    for target in targets:
        def forward(batch: torch.Tensor, batch_lengths: torch.Tensor, target: int = target) -> torch.Tensor:
            return probabilities(model.classify(batch, batch_lengths))[:, target]
        attributions = IntegratedGradients(forward).attribute(
            embedded, baselines=reference, additional_forward_args=(lengths,), n_steps=STEPS)
        per_token = attributions.sum(dim=-1).detach().double().cpu().numpy()  # (batch, seq)
        result.append((target, [word_scores(per_token[row], owners, len(words))
                                for row, (words, (_, owners, _)) in enumerate(zip(chunk, inputs))]))
    return result


def embedding_drift(classifier: SentimentClassifier, glove: EmbeddingSet, *, words: int = DRIFT_WORDS) -> pd.DataFrame:
    """The model's rows and GloVe's for its `words` most frequent words that GloVe knows, aligned and in 2D.

    Columns: word, frequency rank, glove_x/y, model_x/y (both in GloVe's two principal axes after the
    alignment), moved (1 − cosine between the aligned model row and the GloVe row), sorted most moved first.
    """
    featurizer = _vocabulary_model(classifier)
    vocabulary = featurizer.vocab.itos
    chosen = [(rank, token) for rank, token in enumerate(vocabulary)
              if rank not in (UNK_INDEX, PAD_INDEX) and " " not in token and token in glove.index][:words]
    if len(chosen) < 10:
        raise LabError(f"only {len(chosen)} of this model's words are in {glove.name}: too few to align.")
    ranks, tokens = zip(*chosen)
    ours = classifier.model.embedding.weight.detach().double().cpu().numpy()[list(ranks)]  # (n, d_model)
    theirs = glove.vectors.double().cpu().numpy()[[glove.index[token] for token in tokens]]  # (n, 50)
    ours, theirs = unit_rows(ours - ours.mean(axis=0)), unit_rows(theirs - theirs.mean(axis=0))
    aligned = ours @ procrustes(ours, theirs)  # (n, 50)
    moved = 1 - np.sum(unit_rows(aligned) * theirs, axis=1)
    centre = theirs.mean(axis=0)
    axes = np.linalg.svd(theirs - centre, full_matrices=False)[2][:2].T  # (50, 2): GloVe's principal axes
    glove_xy, model_xy = (theirs - centre) @ axes, (aligned - centre) @ axes
    frame = pd.DataFrame({"word": tokens, "frequency rank": np.arange(1, len(tokens) + 1), "glove_x": glove_xy[:, 0],
                          "glove_y": glove_xy[:, 1], "model_x": model_xy[:, 0], "model_y": model_xy[:, 1], "moved": moved})
    return frame.sort_values("moved", ascending=False, ignore_index=True)
