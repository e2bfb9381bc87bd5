"""A training job saves a finished model to the store (and only a finished one); scores, probes, the map."""

import time

import numpy as np
import pytest
import torch

from engine import registry
from engine.errors import LabError
from engine.jobs import CANCELLED, DONE, JobManager
from engine.store import ModelStore
from engine.word2vec import Word2VecParams, corpus, training_work
from engine.word2vec.evaluate import benchmark_scores, default_probes, word_map
from engine.word2vec.job import trained_sets
from engine.vectors import EmbeddingSet


def finished(job, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while job.active and time.monotonic() < deadline:
        time.sleep(0.02)
    return job


def small_corpus():
    return corpus.from_documents("toy", ["the king rules the land", "the queen rules the land", "a dog barks at the cat"] * 40)


def test_a_finished_job_saves_a_set_that_loads_back_unchanged():
    store = ModelStore()
    params = Word2VecParams(vector_size=12, window=2, epochs=2, min_count=2, sample=0)
    work = training_work(small_corpus(), params, "torch", name="toy model", store=store, device=torch.device("cpu"))
    job = finished(JobManager().start("word2vec", "toy", work))
    assert job.status == DONE, job.error
    assert [key for key, _ in trained_sets(store)] == [job.result]
    loaded = registry.load_set(job.result, store, torch.device("cpu"))
    manifest = store.manifest(job.result.split(":", 1)[1])
    assert loaded.name == "toy model" and loaded.dim == 12 and loaded.words[0] == "the"
    assert manifest.params["origin"] == "trained" and manifest.params["window"] == 2 and manifest.params["backend"] == "torch"
    assert manifest.metrics["raw_words"] == 2 * small_corpus().tokens and manifest.metrics["loss_curve"]
    info = next(i for i in registry.available_sets(store) if i.key == job.result)
    assert (info.origin, info.words, info.dim) == ("trained", len(loaded), 12)


def test_a_cancelled_job_leaves_nothing_in_the_store():
    store = ModelStore()
    params = Word2VecParams(vector_size=12, window=2, epochs=100, min_count=1)
    work = training_work(small_corpus(), params, "torch", name="never", store=store, device=torch.device("cpu"))
    job = JobManager().start("word2vec", "cancel me", work)
    job.cancel()
    assert finished(job).status == CANCELLED and job.result is None
    assert trained_sets(store) == [] and store.manifests() == []


def test_scores_compare_with_the_reference_on_shared_words_only():
    rng = np.random.default_rng(0)
    words = ["king", "queen", "man", "woman", "car", "notaglovewordzz"]
    vectors = rng.normal(size=(6, 10)).astype(np.float32)
    reference = EmbeddingSet(words[:5], vectors[:5], device=torch.device("cpu"))
    scores = benchmark_scores(words, vectors, reference)
    # Same vectors on the same shared words: the reference scores exactly as the model does.
    assert scores["reference_wordsim_spearman"] == scores["wordsim_spearman"]
    assert scores["analogy_questions"] >= 1 and scores["wordsim_pairs"] >= 1


def test_probes_and_the_word_map():
    words = ["the", "music", "film"] + [f"word{i}" for i in range(80)]
    assert default_probes(words, 3) == ["music", "film", "word47"]
    embeddings = EmbeddingSet(words, np.random.default_rng(1).normal(size=(len(words), 5)), device=torch.device("cpu"))
    table = word_map(embeddings, 30)
    assert list(table.columns) == ["word", "x", "y", "rank"] and len(table) == 30 and table["x"].std() > 0


def test_a_name_the_store_would_refuse_stops_the_job_before_it_trains():
    params = Word2VecParams(vector_size=12, window=2, epochs=1, min_count=2, sample=0)
    with pytest.raises(LabError, match="at most 80 characters"):
        training_work(small_corpus(), params, "torch", name="x" * 81, store=ModelStore(), device=torch.device("cpu"))
