"""Which words drove a prediction: occlusion, for any classifier that maps texts to probabilities.

Occlusion removes one token at a time and measures how much the probability of the predicted class
falls. It needs no gradients, so one method serves every model in the lab (bag-of-words, CNN, LSTM,
the transformer) and its numbers read directly: "without 'terrible', P(negative) drops by 0.41".
All the occluded variants are scored in one batched call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

PredictProba = Callable[[Sequence[str]], np.ndarray]  # texts -> (len(texts), classes), rows sum to 1
MAX_ATTRIBUTED_TOKENS = 256


def occlusion(predict_proba: PredictProba, tokens: Sequence[str], target: int) -> np.ndarray:
    """For each token, P(target | text) − P(target | text without that token); shape (len(tokens),).

    Positive values pushed the prediction towards `target`; negative values pushed against it.
    Only the first MAX_ATTRIBUTED_TOKENS tokens are attributed (later ones get NaN) so a pasted book
    stays interactive.
    """
    tokens = list(tokens)
    scored = tokens[:MAX_ATTRIBUTED_TOKENS]
    variants = [" ".join(tokens)] + [" ".join(tokens[:i] + tokens[i + 1 :]) for i in range(len(scored))]
    probabilities = predict_proba(variants)  # (1 + len(scored), classes)
    full, without = probabilities[0, target], probabilities[1:, target]
    result = np.full(len(tokens), np.nan)
    result[: len(scored)] = full - without
    return result
