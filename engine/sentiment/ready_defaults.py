"""The ready default classifiers: FastText on the bundled movie reviews, then on the tweets, trained once.

Where the rest of `engine.sentiment` trains and compares models, the Live sentiment page uses them, so
the model store must hold one to start with. `ensure_default` trains the defaults into the store once,
whoever asks first (a file lock makes the others wait), and `classifier_manifests` lists every stored
classifier with the defaults first, for the page's picker.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch

from engine.device import default_device
from engine.jobs import ProgressCallback
from engine.sentiment.data import load_dataset, split
from engine.sentiment.experiment import train_classifier
from engine.sentiment.persist import KIND, save_classifier
from engine.sentiment.train import TrainConfig
from engine.store import Manifest, ModelStore
from engine.vectors import EmbeddingSet

DEFAULT_MARK = "ready_default"  # manifest parameter that marks a ready default classifier


@dataclass(frozen=True)
class DefaultConfig:
    """How a ready default is trained: FastText on a bundled dataset, sized to finish in seconds.

    The movie reviews are few (944 to train on) and long, so they get more, smaller steps: 15 epochs at
    most, batches of 32, early stopping after 3 epochs without a better validation loss (86% test
    accuracy here in 10 s). `limit` trains on a seeded sample of that many texts (tests use a few
    hundred). `threads` caps torch's CPU threads while training (see `TrainConfig.threads`): averaged
    embeddings gain nothing from a second thread, and on a busy 2-core CPU spinning threads made each
    epoch ~10× slower (29 s against 2.9 s).
    """

    name: str = "FastText · Movie reviews (ready default)"
    dataset: str = "movie-reviews"
    epochs: int = 15
    batch_size: int = 32
    lr: float = 5e-3
    seed: int = 0
    limit: int | None = None
    threads: int | None = 1
    patience: int = 3

    def train_config(self) -> TrainConfig:
        return TrainConfig(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, seed=self.seed,
                           threads=self.threads, patience=self.patience)


# Films first, so the probe sentences about films meet a model trained on films; the tweets beside them.
DEFAULT_CONFIGS = (
    DefaultConfig(),
    DefaultConfig(name="FastText · Tweets (ready default)", dataset="tweets-3", epochs=3, batch_size=256, patience=2),
)


def classifier_manifests(store: ModelStore) -> list[Manifest]:
    """Every stored classifier: the ready defaults first (in `DEFAULT_CONFIGS` order), then newest first."""
    order = {config.name: i for i, config in enumerate(DEFAULT_CONFIGS)}
    found = store.manifests(KIND)
    # stable: keeps newest-first among the rest
    return sorted(found, key=lambda m: order.get(m.name, len(order)) if m.params.get(DEFAULT_MARK) else len(order) + 1)


def describe(manifest: Manifest) -> str:
    """One line for a picker: the name and, where known, the test accuracy."""
    accuracy = manifest.metrics.get("test_accuracy")
    score = f" · test accuracy {accuracy:.1%}" if isinstance(accuracy, (int, float)) else ""
    return f"{manifest.name}{score}"


def ensure_default(store: ModelStore, *, configs: Sequence[DefaultConfig] = DEFAULT_CONFIGS, glove: EmbeddingSet | None = None,
                   device: torch.device | None = None, on_progress: ProgressCallback | None = None) -> Manifest:
    """A classifier to start with: the stored default (or newest) one, else each of `configs` trained now and saved.

    A file lock in the store makes this once-only across sessions and server processes: whoever comes
    second waits, then finds the models the first one saved. Returns the first default.
    """
    report = on_progress or (lambda step, total, metrics: None)
    with _store_lock(store.root / ".ready-default.lock", lambda: report(0, 1, {"phase": "waiting"})):
        existing = classifier_manifests(store)
        if existing:
            return existing[0]
        saved = [_train_default(store, config, glove, device or default_device(), on_progress, report) for config in configs]
        return saved[0]


def _train_default(store: ModelStore, config: DefaultConfig, glove: EmbeddingSet | None, device: torch.device,
                   on_progress: ProgressCallback | None, report: ProgressCallback) -> Manifest:
    report(0, 1, {"phase": "preparing", "dataset": config.dataset})
    data = load_dataset(config.dataset)
    if config.limit is not None and config.limit < len(data):  # a seeded sample, so every class stays in
        rng = np.random.default_rng(config.seed)
        data = data.subset(np.sort(rng.choice(len(data), config.limit, replace=False)))
    splits = split(data, seed=config.seed)
    result = train_classifier("fasttext", splits, config=config.train_config(), glove=glove, device=device,
                              on_progress=on_progress)
    metrics = {**result.test.as_dict(), "valid_accuracy": result.training.best.valid_accuracy,
               "seconds_per_epoch": result.training.seconds_per_epoch}
    params = {DEFAULT_MARK: True, "dataset": data.name, "splits": splits.sizes(), "training": asdict(config)}
    return save_classifier(store, result.classifier, config.name, metrics=metrics, params=params)


@contextlib.contextmanager
def _store_lock(path: Path, on_wait) -> Iterator[None]:
    """An exclusive flock on `path`; separate opens conflict even within one process, so threads are covered too."""
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
