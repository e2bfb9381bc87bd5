"""A trained classifier as one object: featuriser + network + label names → labels and probabilities.

This is what the Sentiment lab page, the model store and the Live sentiment page share. It keeps the
pieces an attribution method needs in the open: `tokens(text)` is what the model sees, and the model
splits into `embed` and `classify` (see `models.py`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from engine.errors import LabError
from engine.sentiment.batches import Featurizer, iter_batches
from engine.sentiment.encoder import autocast
from engine.sentiment.models import SentimentModel, probabilities

# The notebooks' four probe sentences: negation flips one word's sentiment, word order decides.
PROBES = (
    "This film is terrible!",
    "This film is great!",
    "This film is not terrible, it's great!",
    "This film is not great, it's terrible!",
)
PROBE_TRUTH = ("negative", "positive", "positive", "negative")  # what each probe says, for the benchmarks
MAX_TEXTS = 10_000


def precision(model: SentimentModel, device: torch.device) -> contextlib.AbstractContextManager:
    """Mixed precision for the models that ask for it (the fine-tuned transformer), float32 for the rest."""
    return autocast(device) if model.mixed_precision else contextlib.nullcontext()


@torch.no_grad()
def run_model(model: SentimentModel, items: Sequence[torch.Tensor], *, batch_size: int, pad_value: float,
              device: torch.device) -> torch.Tensor:
    """Logits `(n, output_dim)` for featurised items, in their original order, in eval mode."""
    model.eval()
    out: torch.Tensor | None = None
    for batch in iter_batches(items, None, batch_size, pad_value=pad_value, device=device, min_length=model.min_length,
                              length_multiple=model.length_multiple(device)):
        with precision(model, device):
            logits = model(batch.inputs, batch.lengths).float()  # (batch, output_dim)
        if out is None:
            out = logits.new_empty((len(items), logits.shape[1]))
        out[batch.index.to(out.device)] = logits
    if out is None:
        raise LabError("there are no texts to classify.")
    return out


@dataclass(frozen=True)
class Prediction:
    text: str
    label: str
    confidence: float
    probabilities: dict[str, float]


@dataclass
class SentimentClassifier:
    """A trained model ready to label new texts."""

    model_key: str
    model: SentimentModel
    featurizer: Featurizer
    label_names: tuple[str, ...]
    hyper: dict[str, Any] = field(default_factory=dict)
    device: torch.device = field(default_factory=lambda: torch.device("cpu"))

    def __post_init__(self) -> None:
        self.model.to(self.device).eval()

    def tokens(self, text: str) -> list[str]:
        """The tokens (words, bigrams or word pieces) the model reads for `text`."""
        return self.featurizer.tokens(text)

    def predict_proba(self, texts: Sequence[str], *, batch_size: int = 256, remember: bool = True) -> np.ndarray:
        """(n, n_classes) class probabilities, columns in `label_names` order; `remember` as in `featurizer.transform`."""
        if isinstance(texts, str):
            raise LabError("predict_proba takes a list of texts; wrap a single text in a list.")
        if len(texts) > MAX_TEXTS:
            raise LabError(f"at most {MAX_TEXTS:,} texts at once; got {len(texts):,}. Split the list.")
        items = self.featurizer.transform(list(texts), remember=remember)
        logits = run_model(self.model, items, batch_size=batch_size, pad_value=self.featurizer.pad_value, device=self.device)
        return probabilities(logits).cpu().numpy()

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Each text's most probable label, its probability, and every class's probability."""
        table = self.predict_proba(texts)
        return [
            Prediction(text, self.label_names[int(row.argmax())], float(row.max()),
                       dict(zip(self.label_names, map(float, row))))
            for text, row in zip(texts, table)
        ]


def probe_table(classifiers: dict[str, SentimentClassifier], texts: Sequence[str] = PROBES) -> pd.DataFrame:
    """One row per (model, probe sentence): the predicted label, its probability, and all probabilities."""
    rows = []
    for name, classifier in classifiers.items():
        for prediction in classifier.predict(texts):
            rows.append({"model": name, "text": prediction.text, "label": prediction.label,
                         "confidence": prediction.confidence, **prediction.probabilities})
    return pd.DataFrame(rows)
