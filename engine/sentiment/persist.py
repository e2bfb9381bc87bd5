"""Classifiers in the model store (kind "classifier") and back, predicting exactly as before.

The weights go to safetensors; everything needed to rebuild the network and its input (model key,
hyper-parameters, label names, vocabulary or encoder settings) goes to `extras` as JSON, with a
format line the loader checks. The frozen MiniLM encoder is not copied: it ships in its package, and
the classifier records which one it expects.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import torch

from engine.device import default_device
from engine.errors import LabError
from engine.sentiment import models
from engine.sentiment.batches import featurizer_from_extras
from engine.sentiment.encoder import MINILM_NAME
from engine.sentiment.predict import SentimentClassifier
from engine.store import MAX_NAME_CHARS, Manifest, ModelStore

if TYPE_CHECKING:
    from engine.sentiment.experiment import Comparison

CLASSIFIER_FORMAT = "embedding-lab-sentiment/1"
KIND = "classifier"


def save_classifier(store: ModelStore, classifier: SentimentClassifier, name: str, *,
                    metrics: dict[str, Any] | None = None, params: dict[str, Any] | None = None) -> Manifest:
    """Store a trained classifier; `params` (dataset, training settings) join the manifest's parameters."""
    spec = models.spec(classifier.model_key)
    extras = {
        "format": CLASSIFIER_FORMAT,
        "model": classifier.model_key,
        "hyper": classifier.hyper,
        "labels": list(classifier.label_names),
        "featurizer": classifier.featurizer.to_extras(),
    }
    manifest_params = {
        "model": classifier.model_key, "title": spec.title, "notebook": spec.notebook, **classifier.hyper,
        "labels": list(classifier.label_names), "parameters": models.count_parameters(classifier.model),
        **({"encoder": MINILM_NAME} if spec.features == "minilm" else {}), **(params or {}),
    }
    return store.save(KIND, name, dict(classifier.model.state_dict()), params=manifest_params,
                      metrics=metrics or {}, extras=extras)


def load_classifier(store: ModelStore, model_id: str, device: torch.device | None = None) -> SentimentClassifier:
    """Rebuild a stored classifier on `device`; refuses anything that is not one of this lab's classifiers."""
    device = device or default_device()
    stored = store.load(model_id, device)
    name = stored.manifest.name
    if stored.manifest.kind != KIND:
        raise LabError(f"{name} is a stored {stored.manifest.kind} model, not a classifier.")
    extras = stored.extras
    if extras.get("format") != CLASSIFIER_FORMAT:
        raise LabError(f"{name} was written as {extras.get('format')!r}; this lab reads {CLASSIFIER_FORMAT!r}.")
    key, labels = extras.get("model"), tuple(extras.get("labels") or ())
    if key not in models.CATALOGUE or len(labels) < 2:
        raise LabError(f"{name}: unknown model {key!r} or fewer than two labels in its extras.")
    featurizer = featurizer_from_extras(extras.get("featurizer") or {}, device)
    model = models.build_model(key, len(labels), featurizer.vocab_size, extras.get("hyper") or {})
    try:
        model.load_state_dict(stored.tensors)
    except RuntimeError as error:
        raise LabError(f"{name}: its weights do not fit a {models.spec(key).title} ({str(error).splitlines()[0]}).") from None
    return SentimentClassifier(key, model, featurizer, labels, extras.get("hyper") or {}, device)


def save_comparison(store: ModelStore, comparison: Comparison) -> list[Manifest]:
    """Store every model of a comparison, named after model and dataset, with its test scores and how it trained."""
    saved = []
    for result in comparison.results:
        metrics = {**result.test.as_dict(), "valid_accuracy": result.training.best.valid_accuracy,
                   "seconds_per_epoch": result.training.seconds_per_epoch, "best_epoch": result.training.best_epoch}
        params = {"dataset": comparison.dataset, "splits": comparison.splits, "training": asdict(result.config)}
        saved.append(save_classifier(store, result.classifier, comparison_name(result.title, comparison.dataset),
                                     metrics=metrics, params=params))
    return saved


def comparison_name(title: str, dataset: str) -> str:
    """"<model title> · <dataset>", the dataset cut short so that a long file name never fails a finished job's save."""
    room = MAX_NAME_CHARS - len(title) - len(" · ")
    dataset = " ".join(dataset.split())
    return f"{title} · {dataset if len(dataset) <= room else dataset[: room - 1] + '…'}"
