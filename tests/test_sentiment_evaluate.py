"""Scores and the TF-IDF + logistic regression reference."""

import numpy as np
import pytest
import torch

from engine.errors import LabError
from engine.sentiment.evaluate import score, tfidf_baseline
from engine.sentiment.experiment import train_classifier
from engine.sentiment.evaluate import evaluate
from engine.sentiment.train import TrainConfig
from tests.sentiment_helpers import toy_splits


def test_scores_match_their_definitions():
    true = np.array([0, 0, 1, 1, 2, 2])
    predicted = np.array([0, 1, 1, 1, 2, 0])
    scores = score(true, predicted, ("a", "b", "c"))
    assert scores.accuracy == pytest.approx(4 / 6)
    assert scores.confusion.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    f1 = [2 * p * r / (p + r) for p, r in ((1 / 2, 1 / 2), (2 / 3, 1.0), (1.0, 1 / 2))]
    assert scores.macro_f1 == pytest.approx(np.mean(f1))
    assert list(scores.confusion_frame().index) == ["a", "b", "c"]


def test_a_class_never_predicted_counts_as_zero_f1():
    scores = score(np.array([0, 1]), np.array([0, 0]), ("a", "b"))
    assert scores.macro_f1 == pytest.approx((2 / 3 + 0) / 2)


def test_tfidf_baseline_solves_the_toy_task():
    baseline = tfidf_baseline(toy_splits())
    assert baseline.scores.accuracy > 0.9
    assert baseline.n_features > 10


def test_evaluate_agrees_with_the_experiment_s_test_scores():
    splits = toy_splits(120)
    result = train_classifier("nbow", splits, config=TrainConfig(epochs=1), device=torch.device("cpu"))
    again = evaluate(result.classifier, splits.test)
    assert again.accuracy == result.test.accuracy
    assert np.array_equal(again.confusion, result.test.confusion)


def test_predict_needs_a_list_of_texts():
    splits = toy_splits(120)
    classifier = train_classifier("nbow", splits, config=TrainConfig(epochs=1), device=torch.device("cpu")).classifier
    with pytest.raises(LabError, match="list"):
        classifier.predict_proba("a single text")
    [prediction] = classifier.predict(["great"])
    assert prediction.label in classifier.label_names
    assert prediction.confidence == max(prediction.probabilities.values())
