"""The torch trainer: epochs over blocks of the corpus, batched SGD steps, a linearly decaying learning rate.

It reports `on_progress(step, total, metrics)` a few times a second, where step and total count
corpus words (over all epochs) and metrics carry epoch, words/s, the learning rate and the loss:
the summed training loss per corpus word since the last report (gensim's backend reports the same
quantity, so the two curves are comparable). A job cancels a run by making that callback raise
`engine.jobs.JobCancelled`; nothing is returned then, so a partial model never looks finished.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import torch

from engine.device import default_device
from engine.jobs import ProgressCallback
from engine.torch_threads import limited_threads
from engine.word2vec.batches import EncodedCorpus, cbow_examples, context_windows, skipgram_pairs, subsample
from engine.word2vec.config import TrainedModel, Word2VecParams
from engine.word2vec.film import FilmRecorder
from engine.word2vec.model import Word2VecModel
from engine.word2vec.vocab import HuffmanTree, NoiseTable, Vocabulary

REPORT_EVERY_S = 0.25
# Examples per SGD step. Small enough on the CPU that summing a batch's updates stays close to C's
# one-example-at-a-time SGD; large on a GPU, where per-step launch overhead dominates small batches.
_BATCH = {"cpu": 2048, "cuda": 32_768}
_BLOCK_TOKENS = {"cpu": 20_000, "cuda": 1_000_000}


def train_torch(
    sentences: Sequence[Sequence[str]],
    params: Word2VecParams,
    *,
    device: torch.device | None = None,
    on_progress: ProgressCallback | None = None,
    batch_size: int | None = None,
    film: bool = True,
) -> TrainedModel:
    """Train Word2Vec on tokenised sentences with the torch backend and return the finished model.

    With `film`, the model carries snapshots of its most frequent words' vectors every tenth of the way.
    """
    params.validate()
    device = device or default_device()
    # a step's tensors are too small for intra-op parallelism to pay; one thread is ~7x faster on the busy 2-core lab CPU
    with limited_threads(1, device):
        return _train(sentences, params, device, on_progress, batch_size, film)


def _train(
    sentences: Sequence[Sequence[str]],
    params: Word2VecParams,
    device: torch.device,
    on_progress: ProgressCallback | None,
    batch_size: int | None,
    film: bool,
) -> TrainedModel:
    started = time.perf_counter()
    vocab = Vocabulary.build(sentences, params.min_count)
    generator = torch.Generator(device=device).manual_seed(params.seed)
    corpus = EncodedCorpus.encode(sentences, vocab, device, _BLOCK_TOKENS.get(device.type, 50_000))
    keep = torch.as_tensor(vocab.keep_probabilities(params.sample), dtype=torch.float32, device=device)  # (V,)
    negative_sampling = params.objective == "negative"
    model = Word2VecModel(
        len(vocab), params.vector_size, cbow=params.architecture == "cbow",
        noise=NoiseTable.build(vocab.counts, device=device) if negative_sampling else None,
        negative=params.negative,
        tree=None if negative_sampling else HuffmanTree.build(vocab.counts),
        device=device, generator=generator,
    )
    # a small vocabulary repeats every word many times per batch; smaller batches keep its updates SGD-like
    batch = batch_size or min(_BATCH.get(device.type, 4096), max(128, 8 * len(vocab)))
    progress = _Progress(on_progress, corpus.raw_words * params.epochs, started, device)
    progress.report(0, epoch=1, lr=params.alpha, force=True)
    recorder = FilmRecorder(len(vocab), params.vector_size, progress.total) if film else None
    if recorder is not None:
        recorder.capture(0, model.input)
    for epoch in range(1, params.epochs + 1):
        for start, end, raw in corpus.blocks:
            ids, sentence = subsample(corpus.ids[start:end], corpus.sentence[start:end], keep, generator)
            contexts, mask = context_windows(ids, sentence, params.window, generator)  # (n, 2W) each
            if params.architecture == "cbow":
                inputs, input_mask, targets = cbow_examples(ids, contexts, mask)
            else:
                (inputs, targets), input_mask = skipgram_pairs(ids, contexts, mask), None
            examples = targets.shape[0]
            for first in range(0, examples, batch):
                last = min(first + batch, examples)
                words_done = progress.base + raw * first / examples
                lr = max(params.min_alpha, params.alpha - (params.alpha - params.min_alpha) * words_done / progress.total)
                chunk_mask = None if input_mask is None else input_mask[first:last]
                progress.add_loss(model.step(inputs[first:last], targets[first:last], lr, chunk_mask))
                trained = progress.base + raw * last / examples
                if recorder is not None and trained >= recorder.next_at:
                    recorder.capture(trained, model.input)
                progress.report(trained, epoch=epoch, lr=lr)
            progress.base += raw
            progress.report(progress.base, epoch=epoch, lr=lr if examples else params.alpha)
    progress.report(progress.total, epoch=params.epochs, lr=params.min_alpha, force=True)
    return TrainedModel(
        words=vocab.words, vectors=model.input.cpu().numpy(), counts=vocab.counts, params=params,
        backend="torch", device=str(device), seconds=time.perf_counter() - started,
        raw_words=progress.total, loss_curve=progress.curve,
        film=recorder.finish(vocab.words, model.input) if recorder is not None else None,
    )


class _Progress:
    """Throttled progress reports with the summed loss per corpus word since the previous report."""

    def __init__(self, callback: ProgressCallback | None, total: int, started: float, device: torch.device) -> None:
        self.callback, self.total, self.started = callback, total, started
        self.base = 0  # corpus words of finished blocks, over all epochs
        self.curve: list[dict[str, Any]] = []
        self._loss = torch.zeros((), device=device)  # summed on the device; read only when reporting
        self._last, self._last_words = 0.0, 0.0

    def add_loss(self, loss: torch.Tensor) -> None:
        self._loss += loss

    def report(self, words: float, *, epoch: int, lr: float, force: bool = False) -> None:
        now = time.perf_counter()
        if not force and now - self._last < REPORT_EVERY_S:
            return
        self._last = now
        elapsed = max(now - self.started, 1e-9)
        metrics: dict[str, Any] = {"epoch": epoch, "words": int(words), "words_per_s": words / elapsed, "lr": lr}
        if words > self._last_words:
            metrics["loss"] = float(self._loss) / (words - self._last_words)
            self.curve.append({"words": int(words), "loss": metrics["loss"]})
            self._loss.zero_()
            self._last_words = words
        if self.callback is not None:
            self.callback(int(words), self.total, metrics)
