"""Classifiers through the model store: save then load predicts exactly as before; foreign models are refused."""

import numpy as np
import pytest
import torch

from engine.errors import LabError
from engine.sentiment.experiment import train_classifier
from engine.sentiment.job import comparison_work
from engine.sentiment.persist import comparison_name, load_classifier, save_classifier
from engine.sentiment.predict import PROBES
from engine.sentiment.train import TrainConfig
from engine.sources import load_glove
from engine.store import MAX_NAME_CHARS, ModelStore
from tests.sentiment_helpers import toy_splits

CPU = torch.device("cpu")
TEXTS = [*PROBES, "the actors were superb", "", "😀😀"]


@pytest.mark.parametrize(("key", "hyper"), [("fasttext", None), ("cnn_multiclass", None), ("lstm", {"hidden_dim": 16}),
                                            ("transformer", {"hidden_dim": 16})])
def test_save_then_load_gives_identical_predictions(key, hyper):
    splits = toy_splits(120)
    result = train_classifier(key, splits, config=TrainConfig(epochs=1, batch_size=32), hyper=hyper,
                              glove=load_glove(limit=5000, device=CPU), device=CPU)
    store = ModelStore()
    manifest = save_classifier(store, result.classifier, f"{key} toy", metrics=result.test.as_dict())
    loaded = load_classifier(store, manifest.id, CPU)
    assert loaded.label_names == result.classifier.label_names
    assert loaded.tokens(TEXTS[2]) == result.classifier.tokens(TEXTS[2])
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), result.classifier.predict_proba(TEXTS))
    assert store.manifest(manifest.id).params["model"] == key


def test_a_comparison_is_saved_model_by_model_with_its_scores_and_how_each_trained():
    """The fine-tuned transformer trains by its own recipe (fewer epochs, smaller batches), and the store says so."""
    store = ModelStore()
    work = comparison_work(["nbow", "minilm_ft"], toy_splits(120), dataset="toy", config=TrainConfig(epochs=2, batch_size=32),
                           glove=None, device=CPU, store=store, max_length=32, hyper={"minilm_ft": {"layers": 1}},
                           fine_tune=TrainConfig(epochs=1, batch_size=8))
    comparison, saved = work(lambda step, total, metrics: None)
    bag, tuned = comparison.results
    assert len(bag.training.history) == 2 and len(tuned.training.history) == 1
    assert [manifest.name for manifest in saved] == ["Neural bag of words · toy", "MiniLM fine-tuned · toy"]
    assert [manifest.metrics["test_accuracy"] for manifest in saved] == [bag.test.accuracy, tuned.test.accuracy]
    assert [(m.params["training"]["epochs"], m.params["training"]["batch_size"]) for m in saved] == [(2, 32), (1, 8)]


def test_a_model_that_is_not_a_classifier_is_refused():
    store = ModelStore()
    other = store.save("embeddings", "some vectors", {"vectors": torch.zeros(2, 2)}, extras={"words": ["a", "b"]})
    with pytest.raises(LabError, match="not a classifier"):
        load_classifier(store, other.id, CPU)
    wrong_format = store.save("classifier", "odd", {"w": torch.zeros(1)}, extras={"format": "pickle"})
    with pytest.raises(LabError, match="this lab reads"):
        load_classifier(store, wrong_format.id, CPU)


def test_a_long_dataset_name_is_cut_to_what_the_store_accepts():
    name = comparison_name("MiniLM + GRU", "a very long file name " * 10 + ".csv")
    assert len(name) == MAX_NAME_CHARS and name.startswith("MiniLM + GRU · a very long") and name.endswith("…")
    assert comparison_name("FastText", "tweets.csv") == "FastText · tweets.csv"
