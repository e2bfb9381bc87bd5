"""The trainer and the experiment pipeline: progress reports, best checkpoint, early stopping, cancellation."""

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from engine.errors import LabError
from engine.jobs import JobCancelled
from engine.sentiment import models
from engine.sentiment.batches import WordFeaturizer, iter_batches
from engine.sentiment.experiment import best_on_validation, compare, history_frame, train_classifier
from engine.sentiment.predict import run_model
from engine.sentiment import train as train_module
from engine.sentiment.train import EpochSample, TrainConfig, epoch_seed, train
from engine.sources import load_glove
from tests.sentiment_helpers import toy_splits

CPU = torch.device("cpu")


def _setup(key="fasttext"):
    splits = toy_splits()
    featurizer = WordFeaturizer.fit(splits.train.texts, bigrams=key == "fasttext", min_freq=1)
    torch.manual_seed(0)
    model = models.build_model(key, 2, featurizer.vocab_size, {"embedding_dim": 16})
    items = (featurizer.transform(splits.train.texts), featurizer.transform(splits.valid.texts))
    return splits, featurizer, model, items


def test_progress_reports_carry_epoch_batch_loss_accuracy_and_time():
    splits, featurizer, model, (train_items, valid_items) = _setup()
    reports = []
    config = TrainConfig(epochs=2, batch_size=16, lr=1e-2, patience=5)
    train(model, train_items, splits.train.labels, valid_items, splits.valid.labels, pad_value=featurizer.pad_value,
          config=config, device=CPU, on_progress=lambda step, total, metrics: reports.append((step, total, metrics)))
    steps = [step for step, _, _ in reports]
    assert steps == sorted(steps) and reports[-1][0] == reports[-1][1] == 2 * 12
    train_reports = [m for _, _, m in reports if m["phase"] == "train"]
    assert {"epoch", "batch", "batches", "loss", "accuracy", "elapsed"} <= set(train_reports[0])
    assert [m["epoch"] for _, _, m in reports if m["phase"] == "valid"] == [1, 2]


def test_with_an_epoch_sample_each_epoch_reads_the_fixed_part_and_a_fresh_draw_from_the_pool(monkeypatch):
    """Items are told apart by their length: 0-9 the fixed part, 10-59 the pool, 6 drawn per epoch."""
    splits, featurizer, model, (_, valid_items) = _setup("nbow")
    items = [torch.ones(length + 1, dtype=torch.long) for length in range(60)]
    labels = np.arange(60) % 2
    seen, reports = [], []

    def recording(epoch_items, *args, **kwargs):
        seen.append(sorted(len(item) - 1 for item in epoch_items))
        return iter_batches(epoch_items, *args, **kwargs)

    monkeypatch.setattr(train_module, "iter_batches", recording)
    config = TrainConfig(epochs=3, batch_size=4, patience=5, seed=7)
    train(model, items, labels, valid_items, splits.valid.labels, pad_value=featurizer.pad_value, config=config, device=CPU,
          on_progress=lambda step, total, metrics: reports.append((step, total)), sample=EpochSample(start=10, size=6))
    epochs = seen  # each epoch's training stream (validation batches come from predict.run_model)
    assert len(epochs) == 3 and all(len(epoch) == 16 and epoch[:10] == list(range(10)) for epoch in epochs)
    draws = [frozenset(epoch[10:]) for epoch in epochs]
    assert all(draw <= set(range(10, 60)) for draw in draws) and len(set(draws)) == 3  # a fresh draw each epoch
    assert reports[-1] == (3 * 4, 3 * 4)  # 16 items in batches of 4, three epochs: the schedule counts what is read
    again = EpochSample(start=10, size=6)
    assert again.rows(60, epoch_seed(7, 1)).tolist() == [*range(10), *sorted(epochs[0][10:])]  # seeded: a rerun repeats
    assert again.rows(14, 0).tolist() == list(range(14)) and again.count(14) == 14  # a pool no larger than a draw: all


def test_the_best_validation_epoch_is_restored():
    splits, featurizer, model, (train_items, valid_items) = _setup()
    result = train(model, train_items, splits.train.labels, valid_items, splits.valid.labels,
                   pad_value=featurizer.pad_value, config=TrainConfig(epochs=4, batch_size=16, lr=5e-2, patience=4), device=CPU)
    logits = run_model(model, valid_items, batch_size=64, pad_value=featurizer.pad_value, device=CPU)
    loss = models.loss_function(logits, torch.as_tensor(splits.valid.labels)).item()
    assert result.best.valid_loss == min(record.valid_loss for record in result.history)
    assert loss == pytest.approx(result.best.valid_loss, abs=1e-5)
    assert result.history[-1].train_loss < result.history[0].train_loss


def test_the_fused_adam_learns_what_the_reference_adam_learns(monkeypatch):
    assert train_module.adam_options(CPU) == {"fused": True}  # the CPU trains with torch's fused kernel
    weights = []
    for options in (train_module.adam_options, lambda device: {}):  # fused, then torch's default loop
        monkeypatch.setattr(train_module, "adam_options", options)
        splits, featurizer, model, (train_items, valid_items) = _setup()
        train(model, train_items, splits.train.labels, valid_items, splits.valid.labels, pad_value=featurizer.pad_value,
              config=TrainConfig(epochs=2, batch_size=16, lr=1e-2, patience=5), device=CPU)
        weights.append(model.state_dict())
    assert weights[0].keys() == weights[1].keys()
    for name in weights[0]:
        torch.testing.assert_close(weights[0][name], weights[1][name], rtol=1e-4, atol=1e-5)


def test_early_stopping_ends_training_after_patience_epochs_without_progress(monkeypatch):
    splits, featurizer, model, (train_items, valid_items) = _setup()
    scripted = iter([(0.5, 0.7), (0.4, 0.8), (0.45, 0.8), (0.6, 0.7), (0.3, 0.9)])  # (valid loss, valid accuracy)
    monkeypatch.setattr(train_module, "_validate", lambda *args: next(scripted))
    result = train(model, train_items, splits.train.labels, valid_items, splits.valid.labels, pad_value=featurizer.pad_value,
                   config=TrainConfig(epochs=5, batch_size=16, patience=2), device=CPU)
    assert result.best_epoch == 2
    assert len(result.history) == 4 and result.stopped_early


def test_a_raising_callback_cancels_training():
    splits, featurizer, model, (train_items, valid_items) = _setup()

    def cancel_at_three(step, total, metrics):
        if step >= 3:
            raise JobCancelled

    config = TrainConfig(epochs=3, batch_size=16, reports_per_epoch=100)
    with pytest.raises(JobCancelled):
        train(model, train_items, splits.train.labels, valid_items, splits.valid.labels, pad_value=featurizer.pad_value,
              config=config, device=CPU, on_progress=cancel_at_three)


@pytest.mark.parametrize("field", [{"epochs": 0}, {"batch_size": 0}, {"lr": 0.0}, {"patience": 0}])
def test_bad_training_settings_are_refused(field):
    with pytest.raises(LabError):
        TrainConfig(**field)


def test_train_classifier_learns_the_toy_task_and_scores_the_test_split():
    splits = toy_splits()
    glove = load_glove(limit=5000, device=CPU)  # the toy words are all among GloVe's most frequent
    result = train_classifier("cnn", splits, config=TrainConfig(epochs=4, batch_size=16, lr=1e-2), glove=glove, device=CPU)
    majority = max(splits.test.labels.mean(), 1 - splits.test.labels.mean())
    assert result.test.accuracy > majority
    assert result.test.confusion.sum() == len(splits.test)
    assert result.glove_coverage is not None and result.glove_coverage > 0.5
    assert result.row()["parameters"] == models.count_parameters(result.classifier.model)


def test_compare_adds_the_tfidf_reference_probes_and_model_names_in_progress():
    splits, reports = toy_splits(), []
    comparison = compare(["nbow", "fasttext"], splits, dataset="toy", config=TrainConfig(epochs=1, batch_size=32), device=CPU,
                         on_progress=lambda step, total, metrics: reports.append(metrics))
    table = comparison.table()
    c = comparison.baseline.c
    assert set(table["model"]) == {"Neural bag of words", "FastText", f"TF-IDF + logistic regression (1–2-grams, C={c:g})"}
    assert table["test accuracy"].is_monotonic_decreasing
    assert {metrics["model"] for metrics in reports} == {"nbow", "fasttext"}
    assert len(comparison.probes) == 2 * 4
    # The page's claim: the two contrast probes hold the same words, so the plain bag of words scores them alike
    # and gets at most one of them right.
    contrast = comparison.probes[comparison.probes["text"].str.contains("not")].set_index(["model", "text"])["positive"]
    nbow = contrast["Neural bag of words"].to_numpy()
    assert len(nbow) == 2 and nbow[0] == pytest.approx(nbow[1], abs=1e-6)
    curves = history_frame(reports)
    assert set(curves["model"]) == {"Neural bag of words", "FastText"}
    assert curves["progress"].between(0, 1).all()
    # The model chosen is the one best on validation, whatever the test split says.
    chosen = comparison.chosen()
    assert chosen.training.best.valid_accuracy == max(result.training.best.valid_accuracy for result in comparison.results)


def test_the_model_chosen_is_best_on_validation_not_on_test_and_a_tie_goes_to_the_lower_validation_loss():
    def result(valid: float, loss: float, test: float) -> SimpleNamespace:
        return SimpleNamespace(training=SimpleNamespace(best=SimpleNamespace(valid_accuracy=valid, valid_loss=loss)),
                               test=SimpleNamespace(accuracy=test))

    fair, lucky, tied = result(0.90, 0.30, 0.80), result(0.85, 0.20, 0.95), result(0.90, 0.35, 0.99)
    assert best_on_validation([lucky, tied, fair]) is fair
    with pytest.raises(LabError, match="no trained models"):
        best_on_validation([])


def test_batches_pad_to_the_cnn_width_and_keep_true_lengths():
    items = [torch.tensor([5]), torch.tensor([5, 6, 7])]
    batch = next(iter_batches(items, None, 8, pad_value=1, device=CPU, min_length=5))
    assert batch.inputs.shape == (2, 5)
    assert sorted(batch.lengths.tolist()) == [1, 3]


def test_batches_round_their_length_up_to_the_multiple_and_keep_true_lengths():
    items = [torch.tensor([5] * n) for n in (1, 3, 8, 9)]
    widths = [batch.inputs.shape[1] for batch in iter_batches(items, None, 2, pad_value=0, device=CPU, length_multiple=8)]
    assert widths == [8, 16]  # lengths 1, 3 → 8 (not 3); 8, 9 → 16 (not 9)
    exact = next(iter_batches([torch.tensor([5] * 8)], None, 2, pad_value=0, device=CPU, length_multiple=8))
    assert exact.inputs.shape == (1, 8)  # already a multiple: no padding added
    both = next(iter_batches([torch.tensor([5])], None, 2, pad_value=0, device=CPU, min_length=5, length_multiple=4))
    assert both.inputs.shape == (1, 5)  # the CNN's width still holds, rounding only raises it
    with pytest.raises(LabError, match="length_multiple"):
        next(iter_batches(items, None, 2, pad_value=0, device=CPU, length_multiple=0))
