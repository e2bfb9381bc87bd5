"""A tiny, learnable labelled dataset for the sentiment tests (seconds to train, not minutes)."""

import numpy as np

from engine.sentiment.data import LabelledTexts, Splits, split

POSITIVE = ["great", "lovely", "superb", "wonderful", "good"]
NEGATIVE = ["awful", "terrible", "boring", "dreadful", "bad"]
FILLER = ["the", "film", "was", "plot", "actors", "really", "quite", "and", "story"]


def toy_texts(n: int = 240, seed: int = 0) -> LabelledTexts:
    """Texts of 3–10 filler words with one or two sentiment words; label 1 when those are positive."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        label = i % 2
        words = list(rng.choice(FILLER, size=rng.integers(3, 10)))
        for _ in range(rng.integers(1, 3)):
            words.insert(int(rng.integers(0, len(words) + 1)), str(rng.choice(POSITIVE if label else NEGATIVE)))
        texts.append(" ".join(words))
        labels.append(label)
    return LabelledTexts("toy", texts, np.array(labels, dtype=np.int64), ("negative", "positive"))


def toy_splits(n: int = 240, seed: int = 0) -> Splits:
    return split(toy_texts(n, seed), seed=seed)
