"""Integrated gradients on the lab's own models: complete (the words add up to the change in P), mapped to words."""

import numpy as np
import pytest
import torch

from engine.sentiment.batches import WordFeaturizer
from engine.sentiment.experiment import train_classifier
from engine.sentiment.explain import explain
from engine.sentiment.gradients import integrated_gradients
from engine.sentiment.train import TrainConfig
from engine.sentiment.vocab import sentiment_tokens
from tests.sentiment_helpers import toy_splits

TEXT = "the film was not terrible , it's great and the story superb"


@pytest.fixture(scope="module", params=["nbow", "fasttext", "cnn", "lstm", "transformer"])
def classifier(request):
    return train_classifier(request.param, toy_splits(200), config=TrainConfig(epochs=6, lr=1e-2, batch_size=32),
                            device=torch.device("cpu")).classifier


def test_attributions_are_complete_within_the_reported_delta(classifier):
    words = sentiment_tokens(TEXT)
    found = integrated_gradients(classifier, words, target=1)
    assert found.scores.shape == (len(words),) and np.isfinite(found.scores).all()
    change = found.text_probability - found.baseline_probability
    assert abs(change) > 1e-3  # the text and the padding baseline differ, so there is something to attribute
    assert found.scores.sum() == pytest.approx(change + found.delta, abs=1e-5)  # Captum's delta is exactly this gap
    if isinstance(classifier.featurizer, WordFeaturizer):  # smooth paths: the first grid converges
        assert found.converged and found.steps == 16 and abs(found.delta) < 0.01


def test_a_rough_path_gets_a_finer_grid_and_says_whether_it_converged(classifier):
    words = sentiment_tokens(TEXT)
    coarse = integrated_gradients(classifier, words, target=1, steps=(4,))
    adaptive = integrated_gradients(classifier, words, target=1, steps=(4, 256))
    assert coarse.steps == 4 and adaptive.steps == (4 if coarse.converged else 256)
    if not coarse.converged:
        assert abs(adaptive.delta) < abs(coarse.delta)


def test_the_gradients_see_the_text_the_classifier_predicts(classifier):
    words = sentiment_tokens(TEXT)
    found = integrated_gradients(classifier, words, target=1)
    expected = classifier.predict_proba([" ".join(words)])[0, 1]
    assert found.text_probability == pytest.approx(expected, abs=2e-2 if classifier.model.mixed_precision else 1e-5)


def test_the_sentiment_words_carry_the_prediction(classifier):
    explanation = explain(classifier, "the film was terrible and awful", ("integrated_gradients",))
    assert explanation.prediction.label == "negative"
    assert explanation.ranked("integrated_gradients")["word"].iloc[0] in {"terrible", "awful"}


def test_words_past_the_cap_are_not_attributed():
    result = train_classifier("nbow", toy_splits(120), config=TrainConfig(epochs=1), device=torch.device("cpu"))
    classifier = result.classifier
    classifier.featurizer = WordFeaturizer(classifier.featurizer.vocab, max_tokens=16)
    words = ("great film " * 20).split()  # 40 words: the model reads the first 4 and the last 12
    scores = integrated_gradients(classifier, words, target=1).scores
    read = np.isfinite(scores)
    assert read[:4].all() and read[-12:].all() and not read[4:-12].any()


def test_no_hook_is_put_on_the_models_every_session_shares(classifier, monkeypatch):
    """A hook on a shared classifier or on the MiniLM encoder would reach another session's predictions."""
    def refuse(*args, **kwargs):
        raise AssertionError("integrated gradients registered a module hook")
    monkeypatch.setattr(torch.nn.Module, "register_forward_hook", refuse)
    monkeypatch.setattr(torch.nn.Module, "register_forward_pre_hook", refuse)
    found = integrated_gradients(classifier, sentiment_tokens(TEXT), target=1)
    assert np.isfinite(found.scores).all()
