"""One text explained: the prediction, and how much each word drove it, by occluding one word at a time.

Attribution works on words (the tokeniser's tokens), not on what a featuriser adds: FastText's
bigrams are rebuilt from the words that remain, so removing a word also removes its bigrams. The
engine names each word's band (`bands`); how a band looks is the page's business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.attribution import occlusion
from engine.sentiment.batches import WordFeaturizer
from engine.sentiment.documents import check_text
from engine.sentiment.predict import Prediction, SentimentClassifier
from engine.sentiment.vocab import sentiment_tokens

BANDS = ("strong_for", "for", "neutral", "against", "strong_against")


@dataclass(frozen=True)
class Explanation:
    """A prediction and, for each word, how much P(predicted label) falls when that word is removed."""

    prediction: Prediction
    words: list[str]
    scores: np.ndarray  # (words,) positive: the word supports the label; NaN beyond the attributed prefix
    unknown: list[bool]  # per word: not in the model's vocabulary (always False for MiniLM's word pieces)

    def ranked(self) -> pd.DataFrame:
        """Words by their effect, strongest support first."""
        frame = pd.DataFrame({"position": range(1, len(self.words) + 1), "word": self.words, "effect": self.scores,
                              "unknown to the model": self.unknown})
        return frame.dropna(subset=["effect"]).sort_values("effect", ascending=False, ignore_index=True)


def predict_text(classifier: SentimentClassifier, text: str) -> Prediction:
    return classifier.predict([check_text(text)])[0]


def explain(classifier: SentimentClassifier, text: str) -> Explanation:
    """Predict `text` and attribute the predicted label to its words by occlusion (one batched call)."""
    prediction = predict_text(classifier, text)
    words = sentiment_tokens(check_text(text))
    target = classifier.label_names.index(prediction.label)
    scores = occlusion(lambda texts: classifier.predict_proba(list(texts)), words, target) if words else np.array([])
    featurizer = classifier.featurizer
    vocab = featurizer.vocab if isinstance(featurizer, WordFeaturizer) else None
    return Explanation(prediction, words, scores, [vocab is not None and word not in vocab for word in words])


def bands(scores: np.ndarray) -> list[str]:
    """A colour band per word, relative to the strongest effect in this text (so short and long texts both read)."""
    finite = np.abs(scores[np.isfinite(scores)])
    scale = float(finite.max()) if finite.size else 0.0
    result = []
    for value in scores:
        if not np.isfinite(value) or scale < 1e-4 or abs(value) < max(0.15 * scale, 1e-3):
            result.append("neutral")
        elif value > 0:
            result.append("strong_for" if value >= 0.5 * scale else "for")
        else:
            result.append("strong_against" if -value >= 0.5 * scale else "against")
    return result
