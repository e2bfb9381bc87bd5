"""The global view: class words from integrated gradients over many texts, and the embedding drift from GloVe."""

import numpy as np
import pytest
import torch

from engine.alignment import procrustes
from engine.errors import LabError
from engine.sentiment.experiment import train_classifier
from engine.sentiment.global_view import class_words, embedding_drift
from engine.sentiment.train import TrainConfig
from engine.vectors import EmbeddingSet
from tests.sentiment_helpers import NEGATIVE, POSITIVE, toy_splits, toy_texts


def test_procrustes_recovers_a_known_rotation_and_a_semi_orthogonal_map():
    rng = np.random.default_rng(0)
    target = rng.normal(size=(200, 5))
    rotation = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    np.testing.assert_allclose(procrustes(target @ rotation.T, target), rotation, atol=1e-10)
    widen = np.linalg.qr(rng.normal(size=(8, 5)))[0]  # (8, 5), orthonormal columns: 5-d data placed in 8-d
    w = procrustes(target @ widen.T, target)
    assert w.shape == (8, 5)
    np.testing.assert_allclose(target @ widen.T @ w, target, atol=1e-10)


@pytest.fixture(scope="module", params=["nbow", "fasttext"])
def classifier(request):
    return train_classifier(request.param, toy_splits(400), config=TrainConfig(epochs=8, lr=1e-2, batch_size=32),
                            device=torch.device("cpu")).classifier


def test_class_words_name_the_planted_sentiment_words(classifier):
    reports = []
    table = class_words(classifier, toy_texts(120, seed=7).texts, top=5,
                        on_progress=lambda done, total, _: reports.append((done, total)))
    assert reports[-1] == (120, 120)
    positive = set(table[table["class"] == "positive"]["word"])
    negative = set(table[table["class"] == "negative"]["word"])
    assert len(positive & set(POSITIVE)) >= 4 and len(negative & set(NEGATIVE)) >= 4
    assert (table["texts"] >= 3).all()
    top_positive = table[table["class"] == "positive"]["mean attribution"]
    assert top_positive.is_monotonic_decreasing and (top_positive > 0).all()


def test_drift_is_zero_for_a_rotated_copy_of_glove_and_finds_the_one_word_moved():
    classifier = train_classifier("nbow", toy_splits(200), config=TrainConfig(epochs=1), device=torch.device("cpu"),
                                  hyper={"embedding_dim": 8}).classifier
    vocabulary = classifier.featurizer.vocab.itos[2:]
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(len(vocabulary), 8))
    glove = EmbeddingSet(vocabulary, vectors, name="planted", device=torch.device("cpu"))
    rotation = np.linalg.qr(rng.normal(size=(8, 8)))[0]
    with torch.no_grad():
        classifier.model.embedding.weight[2:] = torch.as_tensor(vectors @ rotation, dtype=torch.float32)
        classifier.model.embedding.weight[2 + vocabulary.index("great")] = torch.as_tensor(rng.normal(size=8) * 3)
    drift = embedding_drift(classifier, glove)
    assert drift["word"].iloc[0] == "great" and drift["moved"].iloc[0] > 0.5
    assert drift["moved"].iloc[1:].max() < 0.2  # a rotation is not a change; only the planted word moved
    assert set(drift.columns) >= {"glove_x", "glove_y", "model_x", "model_y", "frequency rank"}


def test_the_transformer_models_are_refused_with_a_reason():
    classifier = train_classifier("transformer", toy_splits(80), config=TrainConfig(epochs=1), device=torch.device("cpu")).classifier
    with pytest.raises(LabError, match="vocabulary models"):
        class_words(classifier, ["great film"])
