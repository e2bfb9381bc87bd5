"""Scores on held-out texts (accuracy, macro-F1, confusion matrix) and the TF-IDF + logistic regression reference.

Macro-F1 sits beside accuracy because the tweets are unbalanced (positive is 18%): a model that
never says "positive" can still reach a respectable accuracy. The reference is scikit-learn's
standard linear text classifier on the same splits, so every neural figure has a yardstick.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from engine.sentiment.data import LabelledTexts, Splits
from engine.sentiment.predict import SentimentClassifier

BASELINE_NAME = "TF-IDF + logistic regression"


@dataclass(frozen=True)
class Scores:
    accuracy: float
    macro_f1: float
    confusion: np.ndarray  # (n_classes, n_classes): rows are true classes, columns predicted
    label_names: tuple[str, ...]

    def confusion_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.confusion, index=list(self.label_names), columns=list(self.label_names))

    def as_dict(self) -> dict[str, float]:
        return {"test_accuracy": self.accuracy, "test_macro_f1": self.macro_f1}


@dataclass(frozen=True)
class BaselineResult:
    scores: Scores
    seconds: float  # vectorising and fitting on the training split
    n_features: int


def score(true: np.ndarray, predicted: np.ndarray, label_names: tuple[str, ...]) -> Scores:
    labels = list(range(len(label_names)))
    return Scores(
        accuracy=float(accuracy_score(true, predicted)),
        macro_f1=float(f1_score(true, predicted, labels=labels, average="macro", zero_division=0)),
        confusion=confusion_matrix(true, predicted, labels=labels),
        label_names=label_names,
    )


def evaluate(classifier: SentimentClassifier, data: LabelledTexts) -> Scores:
    """A trained classifier's scores on labelled texts (usually the test split)."""
    predicted = classifier.predict_proba(data.texts).argmax(axis=1)
    return score(data.labels, predicted, data.label_names)


def tfidf_baseline(splits: Splits, *, seed: int = 0) -> BaselineResult:
    """TF-IDF (sublinear term frequency, unigrams) + logistic regression, fitted on train, scored on test."""
    started = time.perf_counter()
    vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=1)
    features = vectorizer.fit_transform(splits.train.texts)
    model = LogisticRegression(max_iter=1000, random_state=seed).fit(features, splits.train.labels)
    seconds = time.perf_counter() - started
    predicted = model.predict(vectorizer.transform(splits.test.texts))
    return BaselineResult(score(splits.test.labels, predicted, splits.label_names), seconds, features.shape[1])
