"""The trainer: Adam over shuffled length-bucketed batches, validation after every epoch, early stopping.

A fine-tuned transformer (a model with `parameter_groups`) gets what fine-tuning needs instead: AdamW,
a learning rate that warms up over the first 10% of steps and then decays linearly to zero, and
mixed precision where the device multiplies bfloat16 natively. (Denormal floats are flushed to zero in
every thread that trains: see `engine.device.flush_denormals`.)

It reports through `on_progress(step, total, metrics)` (step = batches done over all epochs) with the
epoch, batch, running loss and accuracy, the elapsed seconds and an ETA for the remaining epochs, a few
dozen times an epoch and once more after each validation. The best epoch by validation loss is kept (a copy of its weights) and
restored at the end, as the notebooks do by saving `best-model.pt`. Cancellation is the callback's
business: when it raises (`engine.jobs.JobCancelled`), the exception leaves the trainer untouched.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sentiment.batches import count_batches, iter_batches
from engine.sentiment.models import SentimentModel, loss_function
from engine.sentiment.predict import precision, run_model
from engine.torch_threads import AUTO, follow_shared_count, limited_threads


@dataclass(frozen=True)
class TrainConfig:
    """How to train; checked once here so the loop can trust it."""

    epochs: int = 5
    batch_size: int = 64
    lr: float | None = None  # None: each model's own rate from the catalogue (see models.ModelSpec.lr)
    patience: int = 2  # epochs without a better validation loss before stopping
    seed: int = 0
    reports_per_epoch: int = 40
    # torch CPU threads while training: AUTO takes every core while the job runs alone and one while jobs
    # share the CPU, where several busy threads spin-wait on each other (see engine.torch_threads);
    # None leaves torch's setting.
    threads: int | None = AUTO
    warmup: float = 0.1  # fine-tuning only: the share of steps over which the learning rate rises

    def __post_init__(self) -> None:
        if not 1 <= self.epochs <= 100:
            raise LabError(f"epochs must be between 1 and 100; got {self.epochs}.")
        if not 1 <= self.batch_size <= 4096:
            raise LabError(f"batch_size must be between 1 and 4096; got {self.batch_size}.")
        if self.lr is not None and not 0 < self.lr <= 1:
            raise LabError(f"lr must be in (0, 1]; got {self.lr}.")
        if self.patience < 1:
            raise LabError(f"patience must be at least 1 epoch; got {self.patience}.")
        if self.threads is not None and self.threads < 0:
            raise LabError(f"threads must be 0 (automatic), a count, or None for torch's default; got {self.threads}.")
        if not 0 <= self.warmup < 1:
            raise LabError(f"warmup must be a fraction of the steps in [0, 1); got {self.warmup}.")


@dataclass(frozen=True)
class EpochSample:
    """The training items from `start` on are a pool: each epoch trains on `size` of them, drawn afresh.

    Why: 9,065 film snippets beside 944 reviews doubled an epoch when read whole, and one fixed sample of 944
    cost the fine-tuned MiniLM validation accuracy on a seed; a fresh seeded draw each epoch reads three times
    as many distinct snippets over three epochs at the cost of one sample, and beat the fixed sample on test
    reviews and held-out snippets (docs/BENCHMARKS.md, "A fresh draw of snippets each epoch").
    """

    start: int
    size: int

    def count(self, n_items: int) -> int:
        """How many items an epoch trains on."""
        return min(n_items, self.start + self.size)

    def rows(self, n_items: int, seed: int) -> np.ndarray:
        """The items of one epoch, in order: every item before `start`, then `size` of the pool (all when fewer)."""
        pool = n_items - self.start
        if pool <= self.size:
            return np.arange(n_items)
        drawn = np.random.default_rng(seed).choice(pool, size=self.size, replace=False)
        return np.concatenate([np.arange(self.start), self.start + np.sort(drawn)])


@dataclass(frozen=True)
class EpochRecord:
    epoch: int
    train_loss: float
    train_accuracy: float
    valid_loss: float
    valid_accuracy: float
    seconds: float  # training time of this epoch, validation excluded


@dataclass
class TrainResult:
    history: list[EpochRecord] = field(default_factory=list)
    best_epoch: int = 0
    stopped_early: bool = False

    @property
    def seconds_per_epoch(self) -> float:
        return float(np.mean([record.seconds for record in self.history])) if self.history else 0.0

    @property
    def best(self) -> EpochRecord:
        return self.history[self.best_epoch - 1]


def train(
    model: SentimentModel,
    train_items: Sequence[torch.Tensor],
    train_labels: np.ndarray,
    valid_items: Sequence[torch.Tensor],
    valid_labels: np.ndarray,
    *,
    pad_value: float,
    config: TrainConfig = TrainConfig(),
    device: torch.device,
    on_progress: ProgressCallback | None = None,
    sample: EpochSample | None = None,
) -> TrainResult:
    """Train `model` in place; on return it holds the weights of its best validation epoch.

    With `sample`, each epoch trains on the items before its `start` and a fresh draw from the rest.
    """
    with limited_threads(config.threads, device):
        return _train(model, train_items, train_labels, valid_items, valid_labels, pad_value, config, device, on_progress,
                      sample)


def epoch_seed(seed: int, epoch: int) -> int:
    """The seed of one epoch's shuffle and draw: each epoch differs, each run repeats."""
    return seed * 1000 + epoch


def _train(model: SentimentModel, train_items: Sequence[torch.Tensor], train_labels: np.ndarray,
           valid_items: Sequence[torch.Tensor], valid_labels: np.ndarray, pad_value: float, config: TrainConfig,
           device: torch.device, on_progress: ProgressCallback | None, sample: EpochSample | None) -> TrainResult:
    model.to(device)
    batches = count_batches(sample.count(len(train_items)) if sample else len(train_items), config.batch_size)
    total, every = config.epochs * batches, max(1, batches // config.reports_per_epoch)
    optimizer, schedule = _optimizer(model, config, total, device)
    result, best_loss, best_state, started = TrainResult(), float("inf"), None, time.perf_counter()
    for epoch in range(1, config.epochs + 1):
        model.train()
        # The running loss and hits stay on the device and are read only when reported: reading them every
        # step would make the host wait for each step to finish before it queues the next one on a GPU.
        epoch_start, seen = time.perf_counter(), 0
        loss_sum, correct = torch.zeros((), device=device), torch.zeros((), device=device, dtype=torch.long)
        items, labels = train_items, train_labels
        if sample is not None:
            rows = sample.rows(len(train_items), epoch_seed(config.seed, epoch))
            items, labels = [train_items[row] for row in rows], train_labels[rows]
        stream = iter_batches(items, labels, config.batch_size, pad_value=pad_value, device=device,
                              shuffle=True, seed=epoch_seed(config.seed, epoch), min_length=model.min_length,
                              length_multiple=model.length_multiple(device))
        for number, batch in enumerate(stream, start=1):
            follow_shared_count()
            with precision(model, device):
                logits = model(batch.inputs, batch.lengths).float()  # (batch, output_dim)
            loss = loss_function(logits, batch.labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if schedule is not None:
                schedule.step()
            loss_sum += loss.detach() * len(batch.labels)
            correct += (_predicted(logits) == batch.labels).sum()
            seen += len(batch.labels)
            if on_progress and (number % every == 0 or number == batches):
                done, elapsed = (epoch - 1) * batches + number, time.perf_counter() - started
                on_progress(done, total, {
                    "phase": "train", "epoch": epoch, "batch": number, "batches": batches,
                    "loss": loss_sum.item() / seen, "accuracy": correct.item() / seen, "elapsed": elapsed,
                })
        train_loss, train_accuracy = loss_sum.item() / seen, correct.item() / seen
        seconds = time.perf_counter() - epoch_start
        valid_loss, valid_accuracy = _validate(model, valid_items, valid_labels, config.batch_size, pad_value, device)
        result.history.append(EpochRecord(epoch, train_loss, train_accuracy, valid_loss, valid_accuracy, seconds))
        if valid_loss < best_loss:
            best_loss, result.best_epoch = valid_loss, epoch
            best_state = {key: value.detach().clone() for key, value in model.state_dict().items()}
        result.stopped_early = epoch - result.best_epoch >= config.patience and epoch < config.epochs
        if on_progress:
            on_progress(epoch * batches, total, {
                "phase": "valid", "epoch": epoch, "batch": batches, "batches": batches, "loss": train_loss,
                "accuracy": train_accuracy, "valid_loss": valid_loss, "valid_accuracy": valid_accuracy,
                "epoch_seconds": seconds, "elapsed": time.perf_counter() - started, "best_epoch": result.best_epoch,
            })
        if result.stopped_early:
            break
    model.load_state_dict(best_state)
    model.eval()
    return result


def adam_options(device: torch.device) -> dict[str, bool]:
    """Adam's and AdamW's fused kernel where torch has one: one call updates every parameter in one pass.

    Why: torch's default on the CPU runs about ten element-wise ops per parameter tensor, each a pass over
    memory and some a new temporary; for a 25,000-word embedding that was most of a step. Measured here
    (FastText, 2 epochs on the tweets): 1.8 s an epoch → 0.95 s, the same test accuracy to four digits.
    """
    return {"fused": True} if device.type in ("cpu", "cuda") else {}


def _optimizer(model: SentimentModel, config: TrainConfig, steps: int, device: torch.device):
    """Adam at a constant rate; for a fine-tuned transformer AdamW with warm-up then linear decay to zero."""
    groups, options = getattr(model, "parameter_groups", None), adam_options(device)
    if groups is None:
        return torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=config.lr or 1e-3, **options), None
    optimizer = torch.optim.AdamW(groups(config.lr or 1e-3), weight_decay=0.01, **options)
    warmup = max(1, int(config.warmup * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: (step + 1) / warmup if step < warmup else max(0.0, (steps - step) / max(1, steps - warmup)))
    return optimizer, schedule


def _predicted(logits: torch.Tensor) -> torch.Tensor:
    """Class indices from logits: a threshold at 0 for one logit, the arg-max for several."""
    return (logits[:, 0] > 0).long() if logits.shape[1] == 1 else logits.argmax(dim=1)


def _validate(model: SentimentModel, items: Sequence[torch.Tensor], labels: np.ndarray, batch_size: int,
              pad_value: float, device: torch.device) -> tuple[float, float]:
    logits = run_model(model, items, batch_size=batch_size, pad_value=pad_value, device=device)
    targets = torch.as_tensor(labels, dtype=torch.long, device=logits.device)
    with torch.no_grad():
        loss = loss_function(logits, targets).item()
    return loss, float((_predicted(logits) == targets).float().mean())
