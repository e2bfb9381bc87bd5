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
from engine.word2vec.film import Film, film_scores
from engine.word2vec.gensim_backend import train_gensim
from engine.word2vec.train import train_torch
from engine.word2vec.vocab import Vocabulary

_CURVE_POINTS = 200
FILM_TENSOR = "film"


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
        done = model.raw_words

        def evaluating(frame: int, frames: int) -> None:  # a chance to cancel after every frame scored
            on_progress(done, done, {"stage": "evaluating", "frame": frame, "frames": frames})

        evaluating(0, len(model.film.frames) if model.film else 0)
        scores = benchmark_scores(model.words, model.vectors, reference)
        film_card = film_scores(model.film, reference, evaluating) if model.film else None
        return save_trained(store, model, name, corpus, scores, film_card)

    return work


def save_trained(store: ModelStore, model: TrainedModel, name: str, corpus: Corpus, scores: dict[str, Any],
                 film_card: dict[str, Any] | None = None) -> str:
    """Store a finished model as an embedding set (origin `trained`) and return its registry key.

    Its film, if it has one, is kept beside the vectors (tensor `film`) with its fractions and per-frame
    scores (`film_card`, from `film_scores`) in the manifest's metrics.
    """
    step = max(1, len(model.loss_curve) // _CURVE_POINTS)
    film = model.film
    film_metrics = {} if film is None else {"film": {"rows": len(film.words), "fractions": film.fractions, **(film_card or {})}}
    return registry.save_set(
        store, name, model.words, model.vectors, origin="trained",
        params={**model.params.as_dict(), "backend": model.backend, "corpus": corpus.name, "corpus_tokens": corpus.tokens},
        metrics={**model.summary(), **scores, "loss_curve": model.loss_curve[::step], **film_metrics},
        metadata={"count": [str(int(count)) for count in model.counts]},
        extra_tensors={} if film is None else {FILM_TENSOR: torch.from_numpy(film.frames)},
    )


def stored_film(store: ModelStore, key: str, words: list[str]) -> tuple[Film, dict[str, Any]] | None:
    """A stored model's film and its card (fractions, per-frame scores, the reference's), or None if it has none.

    `words` are the set's words (most frequent first), as loaded with it; the film keeps the first rows.
    """
    manifest = registry.stored_manifest(store, key)
    card = manifest.metrics.get("film")
    frames = registry.stored_tensor(store, key, FILM_TENSOR) if card else None
    if frames is None:
        return None
    words = words[: int(card["rows"])]
    if frames.ndim != 3 or frames.shape[:2] != (len(card["fractions"]), len(words)):
        raise LabError(f"{manifest.name}: its training film does not match its words; it cannot be played.")
    return Film(words, [float(f) for f in card["fractions"]], frames.numpy()), card


def trained_sets(store: ModelStore) -> list[tuple[str, Manifest]]:
    """(registry key, manifest) of every embedding set trained in the lab, newest first."""
    return [(registry.stored_key(m.id), m)
            for m in store.manifests(kind="embeddings") if m.params.get("origin") == "trained"]
