"""Both backends learn planted structure; parameters are checked; a cancelled run returns nothing."""

import numpy as np
import pytest
import torch

from engine.errors import LabError
from engine.jobs import JobCancelled
from engine.word2vec import Word2VecParams, train_word2vec
from engine.word2vec.gensim_backend import train_gensim
from engine.word2vec.train import train_torch

ANIMALS = ["cat", "dog", "mouse", "horse", "eats", "runs", "fur", "tail"]
VEHICLES = ["car", "bus", "truck", "tram", "drives", "wheels", "engine", "road"]


def planted_corpus(sentences=1500, seed=0):
    """Sentences drawn from one of two disjoint topics: words of a topic share every context."""
    rng = np.random.default_rng(seed)
    topics = [ANIMALS, VEHICLES]
    return [[str(w) for w in rng.choice(topics[rng.integers(2)], size=6)] for _ in range(sentences)]


def topic_gap(model):
    """Mean cosine within a topic minus mean cosine across topics (the planted nouns only)."""
    index = {w: i for i, w in enumerate(model.words)}
    unit = model.vectors / np.linalg.norm(model.vectors, axis=1, keepdims=True)
    a = unit[[index[w] for w in ANIMALS[:4]]]
    v = unit[[index[w] for w in VEHICLES[:4]]]
    within = (np.triu(a @ a.T, 1).sum() + np.triu(v @ v.T, 1).sum()) / 12
    return within - (a @ v.T).mean()


@pytest.mark.parametrize("architecture", ["skipgram", "cbow"])
@pytest.mark.parametrize("objective", ["negative", "hierarchical"])
def test_torch_puts_related_words_closer_than_unrelated_ones(architecture, objective):
    params = Word2VecParams(architecture, objective, vector_size=16, window=3, epochs=4, min_count=1, sample=0, seed=3)
    model = train_torch(planted_corpus(), params, device=torch.device("cpu"))
    assert model.vectors.shape == (16, 16) and sorted(model.words) == sorted(ANIMALS + VEHICLES)
    assert topic_gap(model) > 0.3


@pytest.mark.parametrize("architecture", ["skipgram", "cbow"])
def test_gensim_learns_the_same_structure(architecture):
    params = Word2VecParams(architecture, "negative", vector_size=16, window=3, epochs=4, min_count=1, sample=0)
    model = train_word2vec(planted_corpus(), params, "gensim")
    assert model.backend == "gensim" and topic_gap(model) > 0.3


def test_progress_is_reported_in_corpus_words_and_the_loss_falls(monkeypatch):
    monkeypatch.setattr("engine.word2vec.train.REPORT_EVERY_S", 0.0)  # report after every batch
    reports = []
    corpus = planted_corpus(3000)
    params = Word2VecParams(vector_size=16, window=3, epochs=3, min_count=1, sample=0)
    model = train_torch(corpus, params, device=torch.device("cpu"), on_progress=lambda s, t, m: reports.append((s, t, m)))
    total = 3 * sum(map(len, corpus))
    assert reports[0][0] == 0 and reports[-1][0] == total and all(t == total for _, t, _ in reports)
    assert [s for s, _, _ in reports] == sorted(s for s, _, _ in reports)
    losses = [point["loss"] for point in model.loss_curve]
    assert len(losses) > 20 and np.mean(losses[-10:]) < np.mean(losses[:10])
    assert model.raw_words == total and model.words_per_second > 0


def test_same_seed_same_vectors():
    params = Word2VecParams(vector_size=8, window=2, epochs=1, min_count=1, seed=7)
    first = train_torch(planted_corpus(200), params, device=torch.device("cpu"))
    second = train_torch(planted_corpus(200), params, device=torch.device("cpu"))
    np.testing.assert_array_equal(first.vectors, second.vectors)


@pytest.mark.parametrize("backend", ["torch", "gensim"])
def test_a_cancelled_run_raises_instead_of_returning_a_model(backend):
    def cancel(step, total, metrics):
        raise JobCancelled

    params = Word2VecParams(vector_size=8, epochs=50, min_count=1)
    with pytest.raises(JobCancelled):
        train_word2vec(planted_corpus(), params, backend, device=torch.device("cpu"), on_progress=cancel)


@pytest.mark.parametrize(
    ("change", "message"),
    [({"vector_size": 0}, "vector_size must be between 1 and 1,000; got 0"),
     ({"vector_size": 10_000}, "got 10,000"), ({"window": 0}, "window must be between"),
     ({"architecture": "glove"}, "architecture must be one of"), ({"sample": 2.0}, "sample"),
     ({"epochs": 1.5}, "whole number")],
)
def test_bad_parameters_are_refused_with_the_fix(change, message):
    with pytest.raises(LabError, match=message):
        Word2VecParams(**change).validate()


def test_a_corpus_of_one_repeated_word_is_refused_by_both_backends():
    for trainer in (train_gensim, lambda s, p: train_torch(s, p, device=torch.device("cpu"))):
        with pytest.raises(LabError, match="one distinct word"):
            trainer([["again"] * 20] * 5, Word2VecParams(min_count=1))
