"""The gensim backend: the same parameters through gensim's optimised C loops, the fastest CPU path.

gensim reports progress only to its logger, so the corpus is fed through `_Feed`, an iterable that
counts the words gensim's producer thread pulls and reports them. Cancelling cannot raise inside
that thread (gensim's workers would wait forever), so the feed ends the epoch early instead and a
callback raises `JobCancelled` in the main thread at the epoch's end.

The loss is gensim's own tally per corpus word. Each gensim job copies the running total at its start
and writes it back at its end, so with several workers overlapping jobs overwrite each other's
share: with 2 workers the level reads about half the torch backend's, while the curve's shape holds.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import numpy as np
from gensim.models import Word2Vec
from gensim.models.callbacks import CallbackAny2Vec

from engine.jobs import JobCancelled, ProgressCallback
from engine.word2vec.config import TrainedModel, Word2VecParams
from engine.word2vec.film import FilmRecorder
from engine.word2vec.vocab import Vocabulary

REPORT_EVERY_S = 0.25


def train_gensim(
    sentences: Sequence[Sequence[str]],
    params: Word2VecParams,
    *,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    film: bool = True,
) -> TrainedModel:
    """Train gensim's Word2Vec with `params` on `workers` threads and return the finished model (with its film)."""
    params.validate()
    Vocabulary.build(sentences, params.min_count)  # the same checks and messages as the torch backend
    started = time.perf_counter()
    hierarchical = params.objective == "hierarchical"
    model = _FilmingWord2Vec(
        vector_size=params.vector_size, window=params.window, min_count=params.min_count,
        sg=int(params.architecture == "skipgram"), hs=int(hierarchical), negative=0 if hierarchical else params.negative,
        ns_exponent=0.75, cbow_mean=1, sample=params.sample, alpha=params.alpha, min_alpha=params.min_alpha,
        seed=params.seed, workers=workers, epochs=params.epochs,
    )
    model.build_vocab(sentences)
    if film:  # gensim initialised the vectors in build_vocab: the film's first frame
        model.record_film(FilmRecorder(len(model.wv), params.vector_size, model.corpus_total_words * params.epochs))
    feed = _Feed(sentences, model, params.epochs, on_progress, started)
    model.train(
        feed, total_examples=model.corpus_count, total_words=model.corpus_total_words, epochs=params.epochs,
        compute_loss=True, callbacks=[_StopWhenCancelled(feed)],
    )
    feed.report(force=True)
    vectors = np.ascontiguousarray(model.wv.vectors, dtype=np.float32)  # (vocab, vector_size)
    return TrainedModel(
        words=list(model.wv.index_to_key), vectors=vectors, counts=np.asarray(model.wv.expandos["count"], dtype=np.int64),
        params=params, backend="gensim", device=f"cpu ({workers} workers)", seconds=time.perf_counter() - started,
        raw_words=feed.words, loss_curve=feed.curve,
        film=model.film.finish(model.wv.index_to_key, vectors) if model.film is not None else None,
    )


class _Feed:
    """Yields the sentences once per epoch, reporting progress; stops early once cancelled."""

    def __init__(self, sentences: Sequence[Sequence[str]], model: Word2Vec, epochs: int, callback: ProgressCallback | None, started: float) -> None:
        self.sentences, self.model, self.callback, self.started = sentences, model, callback, started
        self.total = model.corpus_total_words * epochs
        self.words, self.epoch, self.cancelled = 0, 0, False
        self.curve: list[dict[str, float]] = []
        self._last_time, self._last_words, self._last_loss = 0.0, 0, 0.0

    def __iter__(self) -> Iterator[Sequence[str]]:
        self.epoch += 1
        for sentence in self.sentences:
            if self.cancelled:
                return
            self.words += len(sentence)
            self.report()
            yield sentence

    def report(self, force: bool = False) -> None:
        now = time.perf_counter()
        if self.cancelled or (not force and now - self._last_time < REPORT_EVERY_S):
            return
        loss = self.model.get_latest_training_loss()
        metrics = {"epoch": max(self.epoch, 1), "words": self.words, "words_per_s": self.words / max(now - self.started, 1e-9)}
        self._last_time = now
        if self.words > self._last_words and loss > self._last_loss:  # gensim's tally moves once workers report
            metrics["loss"] = (loss - self._last_loss) / (self.words - self._last_words)
            self.curve.append({"words": self.words, "loss": metrics["loss"]})
            self._last_words, self._last_loss = self.words, loss
        if self.callback is None:
            return
        try:
            self.callback(min(self.words, self.total), self.total, metrics)
        except JobCancelled:
            self.cancelled = True


class _FilmingWord2Vec(Word2Vec):
    """gensim's Word2Vec that takes film frames as its workers finish jobs.

    The feed cannot: gensim's producer queues jobs ahead of its workers (up to 60,000 words with 2
    workers, a fifth of a small corpus's run), and its callbacks fire only per epoch, so a finished job
    (`_do_train_job`, in a worker thread) is the finest point where the words trained on are known.
    The other worker keeps writing while a frame is copied: a frame is a Hogwild-style snapshot.
    """

    film: FilmRecorder | None = None

    def record_film(self, recorder: FilmRecorder) -> None:
        """Record frames from now on (the first one at once, of the vectors as they are)."""
        self.film, self._trained_words, self._film_lock = recorder, 0, threading.Lock()
        recorder.capture(0, self.wv.vectors)

    def _do_train_job(self, sentences, alpha, inits):  # noqa: ANN001, ANN202 - gensim's signature
        tally, raw_tally = super()._do_train_job(sentences, alpha, inits)
        if self.film is not None:
            with self._film_lock:
                self._trained_words += raw_tally
                if self._trained_words >= self.film.next_at:
                    self.film.capture(self._trained_words, self.wv.vectors)
        return tally, raw_tally


class _StopWhenCancelled(CallbackAny2Vec):
    """Raises JobCancelled in gensim's main thread at the end of an epoch the feed cut short."""

    def __init__(self, feed: _Feed) -> None:
        self.feed = feed

    def on_epoch_end(self, model: Word2Vec) -> None:
        if self.feed.cancelled:
            raise JobCancelled
