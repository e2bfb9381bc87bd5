"""One text explained three ways, and a check of which explanation to believe.

The methods (see `engine.attribution` and `gradients`) all score the same words (`sentiment_tokens`)
for the same number, P(predicted label), so their scores sit side by side and compare:

- occlusion: P(label) − P(label without the word);
- integrated gradients: the word's share of P(label | text) − P(label | padding), from the gradients;
- KernelSHAP: the word's Shapley value for P(label), from a seeded sample of texts with words left out.

Attribution works on words, not on what a featuriser adds: FastText's bigrams are rebuilt from the words
that remain (occlusion, SHAP) or split between their two words (IG); MiniLM's word pieces add up to
their word. A text of more than MAX_ATTRIBUTED_TOKENS words is predicted whole and explained on its
first MAX_ATTRIBUTED_TOKENS words (the rest NaN), and the page says so. Faithfulness is a deletion curve
per method, with a seeded random order as the floor a method must beat. The engine names each word's
band (`bands`); how a band looks is the page's business.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.attribution import (MAX_ATTRIBUTED_TOKENS, DeletionCurve, PredictProba, deletion_curves, kernel_shap,
                                occlusion, rank_agreement, ranking, shap_groups, shap_samples)
from engine.errors import LabError
from engine.sentiment.batches import WordFeaturizer
from engine.sentiment.documents import check_text
from engine.sentiment.gradients import integrated_gradients
from engine.sentiment.predict import Prediction, SentimentClassifier
from engine.sentiment.vocab import sentiment_tokens

BANDS = ("strong_for", "for", "neutral", "against", "strong_against")
METHODS = {"occlusion": "Occlusion", "integrated_gradients": "Integrated gradients", "kernel_shap": "KernelSHAP"}
RANDOM_ORDER = "random order"  # the deletion curves' floor: a ranking that knows nothing
SEED = 0


@dataclass(frozen=True)
class Attribution:
    """One method's score per word for P(predicted label), and what a reader needs to judge it."""

    method: str  # a key of METHODS
    scores: np.ndarray  # (words,) positive: the word supports the label; NaN where not attributed
    seconds: float
    detail: str  # how it was computed (IG's completeness check, SHAP's sample count)


@dataclass(frozen=True)
class Explanation:
    """A prediction, its words, and each chosen method's attributions."""

    prediction: Prediction
    words: list[str]
    unknown: list[bool]  # per word: read as unknown by the model (see `unknown_words`)
    attributions: dict[str, Attribution]
    note: str = ""  # what was cut from the typed text, if anything

    @property
    def target(self) -> int:
        return list(self.prediction.probabilities).index(self.prediction.label)

    @property
    def attributed(self) -> int:
        """How many words (from the start) the methods explain."""
        return min(len(self.words), MAX_ATTRIBUTED_TOKENS)

    def ranked(self, method: str) -> pd.DataFrame:
        """Words by `method`'s score, strongest support first, with every other method's score beside it."""
        frame = pd.DataFrame({"position": range(1, len(self.words) + 1), "word": self.words,
                              **{METHODS[key]: found.scores for key, found in self.attributions.items()},
                              "unknown to the model": self.unknown})
        return frame.dropna(subset=[METHODS[method]]).sort_values(METHODS[method], ascending=False, ignore_index=True)

    def agreement(self) -> pd.DataFrame:
        """Spearman's ρ between the methods' word scores (1: same order)."""
        return rank_agreement({METHODS[key]: found.scores for key, found in self.attributions.items()})


def explain(classifier: SentimentClassifier, text: str, methods: tuple[str, ...] = ("occlusion",)) -> Explanation:
    """Predict `text` and attribute the predicted label to its words by each of `methods` (keys of METHODS)."""
    unknown_methods = [method for method in methods if method not in METHODS]
    if unknown_methods or not methods:
        raise LabError(f"methods must be some of {', '.join(METHODS)}; got {', '.join(unknown_methods) or 'none'}.")
    text, note = check_text(text)
    prediction = classifier.predict([text])[0]
    words = sentiment_tokens(text)
    target = classifier.label_names.index(prediction.label)
    attributions = {method: _attribute(classifier, method, words, target) for method in methods}
    return Explanation(prediction, words, unknown_words(classifier, words), attributions, note)


def unknown_words(classifier: SentimentClassifier, words: list[str]) -> list[bool]:
    """Per word, whether the model reads it as unknown: out of its vocabulary, or (MiniLM) only [UNK] pieces or none."""
    featurizer = classifier.featurizer
    if isinstance(featurizer, WordFeaturizer):
        return [word not in featurizer.vocab for word in words]
    tokenizer = featurizer.encoder.tokenizer
    pieces = tokenizer(words, add_special_tokens=False)["input_ids"] if words else []
    return [all(piece == tokenizer.unk_token_id for piece in ids) for ids in pieces]


def _attribute(classifier: SentimentClassifier, method: str, words: list[str], target: int) -> Attribution:
    start = time.perf_counter()
    if not words:  # only characters the tokeniser drops: the prediction stands, there is nothing to attribute
        return Attribution(method, np.array([]), 0.0, "no words to attribute")
    predict = _predictor(classifier)
    if method == "occlusion":
        scores, detail = occlusion(predict, words, target), "one text per word left out"
    elif method == "kernel_shap":
        attributed = min(len(words), MAX_ATTRIBUTED_TOKENS)
        samples, groups = shap_samples(attributed), shap_groups(attributed)
        scores = kernel_shap(predict, words, target, samples=samples, seed=SEED)
        detail = f"{samples:,} sampled texts, seed {SEED}"
        if groups < attributed:
            detail += f"; the {attributed:,} words fitted in {groups} runs of neighbours, each run's value shared by its words"
    else:
        found = integrated_gradients(classifier, words, target)
        scores = found.scores.copy()
        scores[MAX_ATTRIBUTED_TOKENS:] = np.nan
        detail = (f"Σ = P(text) − P(padding) = {found.text_probability:.3f} − {found.baseline_probability:.3f}; "
                  f"convergence delta {found.delta:+.4f} ({found.steps} steps)")
        if not found.converged:
            detail += ("; not converged: the model's output swings between the padding and the text, so the scores "
                       "do not add up; read them with care")
    return Attribution(method, scores, time.perf_counter() - start, detail)


def _predictor(classifier: SentimentClassifier) -> PredictProba:
    """Perturbed texts are throwaway: score them without filling the encoder's state cache."""
    return lambda texts: classifier.predict_proba(list(texts), remember=False)


def faithfulness(classifier: SentimentClassifier, explanation: Explanation) -> dict[str, DeletionCurve]:
    """A deletion curve per method (by its display name), and one for a seeded random order, the floor to beat."""
    scores = {METHODS[key]: found.scores for key, found in explanation.attributions.items()}
    if not explanation.words:
        raise LabError("the text has no words to remove, so there is no deletion curve to draw.")
    rankings = {name: ranking(values) for name, values in scores.items()}
    rankings[RANDOM_ORDER] = np.random.default_rng(SEED).permutation(explanation.attributed)
    return deletion_curves(_predictor(classifier), explanation.words, rankings, explanation.target)


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
