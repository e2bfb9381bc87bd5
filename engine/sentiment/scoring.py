"""Many documents through one classifier: scored in chunks with progress, into the table a page shows and downloads."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sentiment.documents import Documents
from engine.sentiment.predict import MAX_TEXTS, SentimentClassifier

SCORE_CHUNK = 1_000  # documents per predict_proba call: a progress report every chunk


def score(classifier: SentimentClassifier, texts: Sequence[str], *, chunk: int = SCORE_CHUNK,
          on_progress: ProgressCallback | None = None) -> np.ndarray:
    """(n, n_classes) probabilities for any number of texts, `chunk` at a time, reporting after each chunk."""
    if not 1 <= chunk <= MAX_TEXTS:
        raise LabError(f"chunk must be between 1 and {MAX_TEXTS:,}; got {chunk}.")
    if not texts:
        raise LabError("there are no texts to classify.")
    parts = []
    for start in range(0, len(texts), chunk):
        parts.append(classifier.predict_proba(list(texts[start:start + chunk])))  # (chunk, n_classes)
        if on_progress:
            on_progress(min(start + chunk, len(texts)), len(texts), {"phase": "scoring"})
    return np.concatenate(parts)


def predictions_table(documents: Documents, label_names: Sequence[str], probabilities: np.ndarray) -> pd.DataFrame:
    """One row per document: where it came from, the text, the label, its probability, and every class's probability."""
    best = probabilities.argmax(axis=1)
    frame = pd.DataFrame({documents.unit: documents.positions, "text": documents.texts,
                          "label": [label_names[i] for i in best], "confidence": probabilities.max(axis=1)})
    for i, name in enumerate(label_names):
        frame[f"P({name})"] = probabilities[:, i]
    return frame


def with_second_opinion(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """The first model's table plus the second model's label and confidence, and whether the two agree."""
    labels = second["label"].to_numpy()
    return first.assign(**{"second label": labels, "second confidence": second["confidence"].to_numpy(),
                           "agree": first["label"].to_numpy() == labels})


def label_counts(table: pd.DataFrame, label_names: Sequence[str]) -> pd.DataFrame:
    """How many documents got each label (every class listed, zeros included), with their share."""
    counts = table["label"].value_counts().reindex(list(label_names), fill_value=0)
    shares = counts.to_numpy() / max(1, len(table))
    return pd.DataFrame({"label": counts.index, "documents": counts.to_numpy(), "share": shares})


def to_csv(table: pd.DataFrame) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark, so spreadsheets read emoji and accents correctly."""
    return table.to_csv(index=False).encode("utf-8-sig")
