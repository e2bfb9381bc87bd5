"""One training run as background work: train, evaluate, then save, in that order and only if finished.

`training_work` returns the function a `JobManager` runs. The model is saved as the last step, after
the last progress report, so a cancel (which raises at a report) can never leave a partial model in
the store; the job's result is the new embedding set's registry key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from engine import registry
from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.store import Manifest, ModelStore, clean_name
from engine.vectors import EmbeddingSet
from engine.word2vec.config import BACKENDS, TrainedModel, Word2VecParams
from engine.word2vec.corpus import Corpus
from engine.word2vec.evaluate import benchmark_scores
from engine.word2vec.gensim_backend import train_gensim
from engine.word2vec.train import train_torch
from engine.word2vec.vocab import Vocabulary

_CURVE_POINTS = 200


def train_word2vec(
    sentences: list[list[str]],
    params: Word2VecParams,
    backend: str = "torch",
    *,
    device: torch.device | None = None,
    on_progress: ProgressCallback | None = None,
) -> TrainedModel:
    """Train with the chosen backend: `torch` (on `device`, default the lab's) or `gensim` (CPU, 2 workers)."""
    if backend == "torch":
        return train_torch(sentences, params, device=device, on_progress=on_progress)
    if backend == "gensim":
        return train_gensim(sentences, params, on_progress=on_progress)
    raise LabError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}.")


def training_work(
    corpus: Corpus,
    params: Word2VecParams,
    backend: str,
    *,
    name: str,
    store: ModelStore,
    reference: EmbeddingSet | None = None,
    device: torch.device | None = None,
) -> Callable[[ProgressCallback], str]:
    """The work for a job: returns the saved set's key. Parameters are checked now, before a job starts."""
    params.validate()
    name = clean_name(name)  # a name the store would refuse must stop the job before it trains, not after
    if backend not in BACKENDS:
        raise LabError(f"backend must be one of {', '.join(BACKENDS)}; got {backend!r}.")
    Vocabulary.from_counts(corpus.counts, params.min_count)  # refuse a corpus too small before a job starts

    def work(on_progress: ProgressCallback) -> str:
        model = train_word2vec(corpus.sentences, params, backend, device=device, on_progress=on_progress)
        on_progress(model.raw_words, model.raw_words, {"stage": "evaluating"})  # the last chance to cancel
        scores = benchmark_scores(model.words, model.vectors, reference)
        return save_trained(store, model, name, corpus, scores)

    return work


def save_trained(store: ModelStore, model: TrainedModel, name: str, corpus: Corpus, scores: dict[str, Any]) -> str:
    """Store a finished model as an embedding set (origin `trained`) and return its registry key."""
    step = max(1, len(model.loss_curve) // _CURVE_POINTS)
    return registry.save_set(
        store, name, model.words, model.vectors, origin="trained",
        params={**model.params.as_dict(), "backend": model.backend, "corpus": corpus.name, "corpus_tokens": corpus.tokens},
        metrics={**model.summary(), **scores, "loss_curve": model.loss_curve[::step]},
        metadata={"count": [str(int(count)) for count in model.counts]},
    )


def trained_sets(store: ModelStore) -> list[tuple[str, Manifest]]:
    """(registry key, manifest) of every embedding set trained in the lab, newest first."""
    return [(registry.stored_key(m.id), m)
            for m in store.manifests(kind="embeddings") if m.params.get("origin") == "trained"]
