"""What goes into a Word2Vec run and what comes out, shared by the torch and gensim backends.

Parameters are declared and checked once here (scikit-learn style), where input arrives, so the
trainers can trust them. Both backends take the same `Word2VecParams` and return a `TrainedModel`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from engine.errors import LabError
from engine.word2vec.film import Film

ARCHITECTURES = {"skipgram": "Skip-gram", "cbow": "CBOW"}
OBJECTIVES = {"negative": "negative sampling", "hierarchical": "hierarchical softmax"}
BACKENDS = {"torch": "PyTorch (batched, GPU when there is one)", "gensim": "gensim (CPU, multi-threaded)"}

# (low, high) for each numeric parameter; the message names the parameter, the range and the value.
_INT_RANGES = {
    "vector_size": (1, 1000),
    "window": (1, 20),
    "negative": (1, 50),
    "epochs": (1, 100),
    "min_count": (1, 1_000_000),
    "seed": (0, 2**31 - 1),
}


@dataclass(frozen=True)
class Word2VecParams:
    """One Word2Vec configuration; defaults are gensim's (and so the original C tool's, except alpha)."""

    architecture: str = "skipgram"
    objective: str = "negative"
    vector_size: int = 100
    window: int = 5
    negative: int = 5
    epochs: int = 5
    min_count: int = 5
    sample: float = 1e-3
    alpha: float = 0.025
    min_alpha: float = 0.0001
    seed: int = 1

    def validate(self) -> Word2VecParams:
        """Return self when every value is allowed; else raise LabError saying which and how to fix it."""
        if self.architecture not in ARCHITECTURES:
            raise LabError(f"architecture must be one of {', '.join(ARCHITECTURES)}; got {self.architecture!r}.")
        if self.objective not in OBJECTIVES:
            raise LabError(f"objective must be one of {', '.join(OBJECTIVES)}; got {self.objective!r}.")
        for name, (low, high) in _INT_RANGES.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise LabError(f"{name} must be a whole number; got {value!r}.")
            if not low <= value <= high:
                raise LabError(f"{name} must be between {low:,} and {high:,}; got {value:,}. {_HINTS.get(name, '')}".strip())
        if not 0 <= self.sample < 1:
            raise LabError(f"sample (the subsampling threshold) must be in [0, 1); got {self.sample}. 0 turns subsampling off; 1e-3 to 1e-5 are usual.")
        if not 0 < self.alpha <= 1:
            raise LabError(f"alpha (the starting learning rate) must be in (0, 1]; got {self.alpha}. 0.025 is usual.")
        if not 0 <= self.min_alpha <= self.alpha:
            raise LabError(f"min_alpha must be between 0 and alpha ({self.alpha}); got {self.min_alpha}.")
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def label(self) -> str:
        """A short human name such as 'Skip-gram · negative sampling'."""
        return f"{ARCHITECTURES.get(self.architecture, self.architecture)} · {OBJECTIVES.get(self.objective, self.objective)}"


_HINTS = {
    "vector_size": "50 to 300 dimensions are usual.",
    "window": "A window of 0 has no context to learn from; 2 to 10 is usual.",
    "negative": "5 to 20 noise words per example are usual.",
    "epochs": "Small corpora need more passes (5 to 20).",
    "min_count": "Words rarer than this are dropped; 1 keeps every word.",
}


@dataclass
class TrainedModel:
    """A finished run: the vocabulary (most frequent first), its input vectors, and how the run went."""

    words: list[str]
    vectors: np.ndarray  # (vocab, vector_size) float32, the input ("syn0") embeddings
    counts: np.ndarray  # (vocab,) corpus counts, aligned with words
    params: Word2VecParams
    backend: str
    device: str
    seconds: float
    raw_words: int  # corpus words seen over all epochs, out-of-vocabulary ones included
    loss_curve: list[dict[str, float]] = field(default_factory=list)
    film: Film | None = None  # snapshots of the most frequent words' vectors during training

    @property
    def words_per_second(self) -> float:
        return self.raw_words / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, Any]:
        """The metrics a stored model keeps in its manifest."""
        last_loss = self.loss_curve[-1]["loss"] if self.loss_curve else None
        return {
            "backend": self.backend, "device": self.device, "seconds": round(self.seconds, 2),
            "words_per_second": round(self.words_per_second), "raw_words": self.raw_words, "final_loss": last_loss,
        }
