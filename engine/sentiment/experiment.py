"""One model on one dataset, from splits to test scores, and a comparison of several beside the reference.

This is the notebooks' whole pipeline in one call (featurise → build → GloVe → train → test), used by
the page's background job and by the benchmark alike. Progress from every phase goes to one callback;
each report's metrics name the model, so a page can draw one curve per model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
import torch

from engine.device import default_device
from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sentiment import models
from engine.sentiment.batches import fit_featurizer
from engine.sentiment.closing import with_closing_passages
from engine.sentiment.data import Splits
from engine.sentiment.evaluate import BASELINE_NAME, BaselineResult, Scores, score, tfidf_baseline
from engine.sentiment.predict import SentimentClassifier, probe_table, run_model
from engine.sentiment.train import EpochSample, TrainConfig, TrainResult, train
from engine.sources import load_glove
from engine.vectors import EmbeddingSet


@dataclass
class ExperimentResult:
    classifier: SentimentClassifier
    training: TrainResult
    test: Scores
    parameters: int  # trainable
    featurize_seconds: float  # tokenising, or running the frozen encoder for the transformer model
    config: TrainConfig  # how it trained (its learning rate filled in), for the model store
    glove_coverage: float | None = None  # share of the vocabulary found in GloVe, for GloVe-initialised models

    @property
    def title(self) -> str:
        return models.spec(self.classifier.model_key).title

    def row(self) -> dict[str, Any]:
        """This model's line in the comparison table."""
        return {
            "model": self.title, "notebook": models.spec(self.classifier.model_key).notebook,
            "parameters": self.parameters, "seconds / epoch": self.training.seconds_per_epoch,
            "epochs": len(self.training.history), "best epoch": self.training.best_epoch,
            "valid accuracy": self.training.best.valid_accuracy,
            "test accuracy": self.test.accuracy, "test macro-F1": self.test.macro_f1,
        }


@dataclass
class Comparison:
    dataset: str
    splits: dict[str, int]
    results: list[ExperimentResult] = field(default_factory=list)
    baseline: BaselineResult | None = None
    probes: pd.DataFrame = field(default_factory=pd.DataFrame)  # the four probe sentences, every model

    def chosen(self) -> ExperimentResult:
        """The model a practitioner would pick: the one best on validation (see `best_on_validation`)."""
        return best_on_validation(self.results)

    def table(self) -> pd.DataFrame:
        """Every model and the TF-IDF reference, best test accuracy first."""
        rows = [result.row() for result in self.results]
        if self.baseline is not None:
            rows.append({"model": f"{BASELINE_NAME} (1–2-grams, C={self.baseline.c:g})", "notebook": "—", "parameters": self.baseline.n_features,
                         "seconds / epoch": self.baseline.seconds, "epochs": None, "best epoch": None,
                         "valid accuracy": None, "test accuracy": self.baseline.scores.accuracy,
                         "test macro-F1": self.baseline.scores.macro_f1})
        return pd.DataFrame(rows).sort_values("test accuracy", ascending=False, ignore_index=True)


def best_on_validation(results: Sequence[ExperimentResult]) -> ExperimentResult:
    """The result whose restored epoch scored best on the validation split; a tie goes to the lower validation loss.

    Models are chosen on validation, as their epochs are: choosing by test score would tune to the test split,
    and the test score reported would no longer be a fair estimate. Accuracy on 118 validation reviews moves
    in steps of 0.85 points, so ties happen; the loss, by which each model's epoch was chosen, separates them.
    """
    if not results:
        raise LabError("there are no trained models to choose from.")
    return max(results, key=lambda result: (result.training.best.valid_accuracy, -result.training.best.valid_loss))


_SEEDED_INIT = threading.Lock()


@lru_cache(maxsize=1)
def _glove() -> EmbeddingSet:
    return load_glove(device=torch.device("cpu"))


class TrainingTexts(NamedTuple):
    texts: list[str]  # the training part, then its closing passages, then the dataset's short texts
    labels: np.ndarray
    sample: EpochSample | None  # how each epoch draws from the short texts; None: every epoch reads them all
    passages: int  # how many closing passages follow the training part


def training_texts(spec: models.ModelSpec, splits: Splits) -> TrainingTexts:
    """What `spec` trains on, and how each epoch draws from it.

    The training part; then, for short-text models, its closing passages and every one of the dataset's short
    texts, of which each epoch reads a fresh draw as large as the training part (see `train.EpochSample`).
    """
    if not spec.short_texts:
        return TrainingTexts(splits.train.texts, splits.train.labels, None, 0)
    texts, labels = with_closing_passages(splits.train.texts, splits.train.labels)
    passages, short = len(texts) - len(splits.train), splits.short_texts
    if short is None:
        return TrainingTexts(texts, labels, None, passages)
    sample = EpochSample(start=len(texts), size=len(splits.train)) if len(short) > len(splits.train) else None
    return TrainingTexts(texts + short.texts, np.concatenate([labels, short.labels]), sample, passages)


def train_classifier(
    model_key: str,
    splits: Splits,
    *,
    config: TrainConfig = TrainConfig(),
    hyper: dict[str, Any] | None = None,
    glove: EmbeddingSet | None = None,
    device: torch.device | None = None,
    on_progress: ProgressCallback | None = None,
    max_tokens: int | None = None,
    max_length: int | None = None,
) -> ExperimentResult:
    """Featurise the splits, build and train `model_key`, and score its best epoch on the test split.

    `max_tokens` (words) and `max_length` (MiniLM word pieces) cap what the models read; None chooses
    the cap that covers 95% of the training texts.
    """
    spec = models.spec(model_key)
    device = device or default_device()
    settings = models.model_settings(model_key, hyper)
    started = time.perf_counter()
    # The caps come from the training texts themselves, never from the short texts some models train on too.
    featurizer = fit_featurizer(spec.features, splits.train.texts, device, max_tokens=max_tokens, max_length=max_length,
                                layer=models.input_layer(model_key, settings))
    train_texts, train_labels, sample, _ = training_texts(spec, splits)
    parts = (train_texts, splits.valid.texts, splits.test.texts)
    # One call over all three parts, so the frozen encoder reports a single "encoding" phase.
    items = featurizer.transform([text for part in parts for text in part], on_progress=on_progress)
    train_items, valid_items = items[: len(parts[0])], items[len(parts[0]): len(parts[0]) + len(parts[1])]
    test_items = items[len(parts[0]) + len(parts[1]):]
    featurize_seconds = time.perf_counter() - started

    config = replace(config, lr=config.lr or spec.lr)
    # torch's global generator is shared by every thread: seed and draw the initial weights under a lock,
    # so a job started beside another still starts from its seed's weights (dropout masks are not covered).
    with _SEEDED_INIT:
        torch.manual_seed(config.seed)
        model = models.build_model(model_key, len(splits.label_names), featurizer.vocab_size, settings)
    if isinstance(model, models.FineTunedMiniLM):
        model.start_from_pretrained()
    coverage = models.init_from_glove(model, featurizer.vocab, glove or _glove()) if spec.glove else None
    training = train(model, train_items, train_labels, valid_items, splits.valid.labels,
                     pad_value=featurizer.pad_value, config=config, device=device, on_progress=on_progress, sample=sample)
    classifier = SentimentClassifier(model_key, model, featurizer, splits.label_names, settings, device)
    logits = run_model(model, test_items, batch_size=256, pad_value=featurizer.pad_value, device=device)
    test = score(splits.test.labels, models.probabilities(logits).argmax(dim=1).cpu().numpy(), splits.label_names)
    return ExperimentResult(classifier, training, test, models.count_parameters(model), featurize_seconds, config, coverage)


def compare(
    model_keys: Sequence[str],
    splits: Splits,
    *,
    dataset: str,
    config: TrainConfig = TrainConfig(),
    glove: EmbeddingSet | None = None,
    device: torch.device | None = None,
    on_progress: ProgressCallback | None = None,
    baseline: bool = True,
    max_tokens: int | None = None,
    max_length: int | None = None,
    hyper: dict[str, dict[str, Any]] | None = None,
    fine_tune: TrainConfig | None = None,
) -> Comparison:
    """Train each model in turn on the same splits, then fit the TF-IDF reference; progress names the model.

    `hyper` overrides catalogue settings per model key (say, how many MiniLM layers to fine-tune).
    `fine_tune` is how a fine-tuned transformer trains (None: `config`): a few epochs in small batches, as
    notebook 6 fine-tunes BERT, where the models trained from scratch take many epochs in larger ones.
    """
    for key in model_keys:
        models.spec(key)  # an unknown key fails before any training starts
    comparison = Comparison(dataset, splits.sizes())
    for index, key in enumerate(model_keys):
        def report(step: int, total: int, metrics: dict[str, Any], key: str = key, index: int = index) -> None:
            if on_progress:
                on_progress(step, total, {**metrics, "model": key, "model_index": index, "models": len(model_keys)})

        own = fine_tune if fine_tune is not None and models.spec(key).fine_tune else config
        comparison.results.append(train_classifier(key, splits, config=own, hyper=(hyper or {}).get(key), glove=glove,
                                                   device=device, on_progress=report, max_tokens=max_tokens,
                                                   max_length=max_length))
    if baseline:
        comparison.baseline = tfidf_baseline(splits, seed=config.seed)
    comparison.probes = probe_table({result.title: result.classifier for result in comparison.results})
    return comparison


def history_frame(history: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """A job's progress reports as a table for live curves: one row per training or validation report.

    `progress` is the fractional epoch (epoch 2, half done = 1.5); encoding reports are left out.
    """
    rows = [entry for entry in history if entry.get("phase") in ("train", "valid")]
    if not rows:
        return pd.DataFrame(columns=["model", "phase", "progress", "loss", "accuracy", "valid_loss", "valid_accuracy"])
    frame = pd.DataFrame(rows)
    frame["model"] = frame["model"].map(lambda key: models.spec(key).title) if "model" in frame else "model"
    frame["progress"] = frame["epoch"] - 1 + frame["batch"] / frame["batches"]
    return frame
