"""A comparison as background work: train the chosen models, then (optionally) save them, only if finished.

`comparison_work` returns the function a `JobManager` runs; everything the page chose is fixed when it
is called, so a later rerun of the page cannot change what a running job does. Saving comes after the
last progress report, so a cancel (which raises at a report) never leaves half a comparison in the store.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import torch

from engine.jobs import ProgressCallback
from engine.sentiment import models
from engine.sentiment.data import Splits
from engine.sentiment.experiment import Comparison, compare
from engine.sentiment.persist import save_comparison
from engine.sentiment.train import TrainConfig
from engine.store import Manifest, ModelStore
from engine.vectors import EmbeddingSet


def comparison_work(
    model_keys: Sequence[str],
    splits: Splits,
    *,
    dataset: str,
    config: TrainConfig,
    glove: EmbeddingSet | None,
    device: torch.device | None,
    store: ModelStore | None,
    max_tokens: int | None = None,
    max_length: int | None = None,
    hyper: dict[str, dict[str, Any]] | None = None,
    fine_tune: TrainConfig | None = None,
) -> Callable[[ProgressCallback], tuple[Comparison, list[Manifest]]]:
    """The work for a job: returns the comparison and the manifests saved (none when `store` is None).

    The settings are `compare`'s; `fine_tune` is how a fine-tuned transformer trains, beside `config` for the rest.
    """
    keys = list(model_keys)
    for key in keys:
        models.spec(key)  # an unknown key fails now, on the page, not in the job

    def work(on_progress: ProgressCallback) -> tuple[Comparison, list[Manifest]]:
        comparison = compare(keys, splits, dataset=dataset, config=config, glove=glove, device=device, on_progress=on_progress,
                             max_tokens=max_tokens, max_length=max_length, hyper=hyper, fine_tune=fine_tune)
        return comparison, (save_comparison(store, comparison) if store is not None else [])

    return work
