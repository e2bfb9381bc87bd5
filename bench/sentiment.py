"""Benchmark: the six sentiment models on the bundled movie reviews (and, with --tweets, tweets and BBC News).

Run under the shared lock:  flock /tmp/embedding-lab-bench.lock python bench/sentiment.py [--seeds 3] [--tweets]
Movie reviews (issue 11), on repeated seeded 80/10/10 splits of the 1,180 bundled IMDB reviews, mean ± sd:
the six models with the page's default settings (frozen encoder), MiniLM fine-tuned by the page's own
recipe for it (top 2 layers, 3 epochs, batch 16: `models.FINE_TUNE_EPOCHS`, `models.FINE_TUNE_BATCH_SIZE`),
and the peer reference, word 1–2-gram TF-IDF + logistic regression with C chosen on
validation, all on the same splits. Targets: the fine-tuned transformer is the model best on validation,
and its test score ≥ the reference's on the same split; it gets all four probe sentences right; the whole
default comparison ≤ 5 min, a BiLSTM epoch ≤ 25 s and fine-tuning ≤ 12 min, each for 2,000 reviews (1,600
to train), scaled linearly from the 1,180 reviews measured here (stated as such). The first seed runs with an empty encoder-state cache
(cold); the later ones show what the disk cache saves.
Tweets (issue 7): on 3-class tweets the best neural model reaches ≥ 77% test accuracy; on 3-class and
binary tweets the transformer model is the best of the six and beats the reference; FastText trains one
epoch over the training split in < 5 s. "Best" is always the model best on validation, and its test score
is the one reported (choosing by test score would tune to the test split).
Exits non-zero when a target is missed; the last line carries the headline figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.device import default_device, describe_device  # noqa: E402
from engine.sentiment.data import load_dataset, split, suggested_epochs  # noqa: E402
from engine.sentiment.evaluate import tfidf_baseline  # noqa: E402
from engine.sentiment.experiment import Comparison, best_on_validation, compare, train_classifier  # noqa: E402
from engine.sentiment import models  # noqa: E402
from engine.sentiment.predict import PROBE_TRUTH, PROBES  # noqa: E402
from engine.sentiment.train import TrainConfig  # noqa: E402

TARGET_ACCURACY, FASTTEXT_EPOCH_S = 0.77, 5.0
# The transformer first: its frozen-encoder pass over all tweets is the long step, cached for the binary run.
SIX = ["transformer", "nbow", "rnn", "lstm", "fasttext", "cnn", "cnn_multiclass"]  # notebook 6's frozen form


def run(dataset_key: str, model_keys: list[str], config: TrainConfig) -> Comparison:
    data = load_dataset(dataset_key)
    splits = split(data, seed=config.seed)
    started = time.perf_counter()
    comparison = compare(model_keys, splits, dataset=data.name, config=config, device=default_device(),
                         on_progress=_printer())
    table = comparison.table()
    print(f"\n== {data.name}: {splits.sizes()} · {time.perf_counter() - started:.0f} s")
    print(table.to_string(index=False, float_format=lambda value: f"{value:.4f}"))
    for result in comparison.results:
        if result.featurize_seconds > 5:
            print(f"   {result.title}: featurising (frozen encoder) took {result.featurize_seconds:.0f} s")
    print(comparison.probes.pivot(index="text", columns="model", values="label").to_string())
    return comparison


MOVIE_TARGETS = {"comparison_s": 300.0, "lstm_epoch_s": 25.0, "fine_tune_s": 720.0}
TARGET_REVIEWS, TARGET_TRAIN = 2_000, 1_600


def movie_reviews(seeds: int) -> list[str]:
    """The movie-review run; returns the targets missed."""
    data = load_dataset("movie-reviews")
    rows, misses = [], []
    for seed in range(seeds):
        splits = split(data, seed=seed)
        config = TrainConfig(epochs=suggested_epochs(len(data)), batch_size=64, seed=seed)  # the page's defaults
        started = time.perf_counter()
        six = compare([key for key in SIX], splits, dataset=data.name, config=config, device=default_device(),
                      on_progress=_printer(), baseline=False)
        comparison_s = time.perf_counter() - started
        started = time.perf_counter()
        printer = _printer()
        recipe = TrainConfig(epochs=models.FINE_TUNE_EPOCHS, batch_size=models.FINE_TUNE_BATCH_SIZE, seed=seed)  # the page's
        tuned = train_classifier("minilm_ft", splits, config=recipe,
                                 device=default_device(), on_progress=lambda step, total, metrics: printer(step, total, {**metrics, "model": "minilm_ft"}))
        tune_s = time.perf_counter() - started
        reference = tfidf_baseline(splits, seed=seed)
        scores = {result.title: result.test.accuracy for result in six.results}
        probes = [prediction.label for prediction in tuned.classifier.predict(list(PROBES))]
        row = {"seed": seed, **scores, "MiniLM fine-tuned": tuned.test.accuracy, "TF-IDF + LR": reference.scores.accuracy,
               "C": reference.c, "comparison_s": comparison_s, "fine_tune_s": tune_s,
               "lstm_epoch_s": next(r.training.seconds_per_epoch for r in six.results if r.classifier.model_key == "lstm"),
               "probes_right": sum(p == t for p, t in zip(probes, PROBE_TRUTH)),
               "epochs": {r.title: len(r.training.history) for r in six.results}}
        rows.append(row)
        print(f"\n== seed {seed}: " + ", ".join(f"{name} {value:.2%}" for name, value in scores.items()) +
              f", MiniLM fine-tuned {tuned.test.accuracy:.2%} ({tuned.training.seconds_per_epoch:.0f} s/epoch), "
              f"TF-IDF + LR {reference.scores.accuracy:.2%} (C={reference.c:g}); six models {comparison_s:.0f} s, "
              f"fine-tuning {tune_s:.0f} s; probes {probes}; epochs run {row['epochs']}", flush=True)
        # The model a practitioner would pick is the one best on validation; its test score is the one reported.
        chosen = best_on_validation([*six.results, tuned])
        row["chosen"] = chosen.title
        print(f"   chosen on validation: {chosen.title} ({chosen.training.best.valid_accuracy:.2%} valid, "
              f"{chosen.test.accuracy:.2%} test)", flush=True)
        if chosen is not tuned:
            misses.append(f"seed {seed}: the model best on validation is {chosen.title}, not the fine-tuned MiniLM")
        if chosen.test.accuracy < reference.scores.accuracy:
            misses.append(f"seed {seed}: the chosen model's {chosen.test.accuracy:.2%} < TF-IDF + LR {reference.scores.accuracy:.2%}")
        if row["probes_right"] < 4:
            misses.append(f"seed {seed}: fine-tuned MiniLM gets {row['probes_right']} of 4 probe sentences")
    train_n = len(split(data, seed=0).train)
    scale = TARGET_REVIEWS / len(data)
    print(f"\n== movie reviews, {seeds} seeds, test accuracy mean ± sd (test split {len(split(data, seed=0).test)} reviews)")
    for name in [*(key for key in rows[0] if key not in ("seed", "C", "comparison_s", "fine_tune_s", "lstm_epoch_s", "probes_right", "epochs", "chosen"))]:
        values = [row[name] for row in rows]
        print(f"   {name:>34}: {statistics.mean(values):.2%} ± {statistics.pstdev(values):.2%}")
    cold = rows[0]
    scaled = {"comparison_s": cold["comparison_s"] * scale, "fine_tune_s": cold["fine_tune_s"] * scale,
              "lstm_epoch_s": cold["lstm_epoch_s"] * TARGET_TRAIN / train_n}
    print(f"   measured on {len(data):,} reviews (seed 0, cold cache): six models {cold['comparison_s']:.0f} s, fine-tuning "
          f"{cold['fine_tune_s']:.0f} s, BiLSTM epoch {cold['lstm_epoch_s']:.1f} s over {train_n} reviews")
    if len(rows) > 1:
        print(f"   warm cache (seeds 1+): six models {statistics.mean(r['comparison_s'] for r in rows[1:]):.0f} s, "
              f"fine-tuning {statistics.mean(r['fine_tune_s'] for r in rows[1:]):.0f} s")
    for key, target in MOVIE_TARGETS.items():
        print(f"   {key} scaled to {TARGET_REVIEWS:,} reviews: {scaled[key]:.0f} s (target ≤ {target:.0f} s)")
        if scaled[key] > target:
            misses.append(f"{key} {scaled[key]:.0f} s > {target:.0f} s")
    return misses


def _printer():
    def report(step: int, total: int, metrics: dict) -> None:
        if metrics.get("phase") == "valid":
            print(f"   {metrics['model']:>14} epoch {metrics['epoch']}: train loss {metrics['loss']:.3f} · valid accuracy "
                  f"{metrics['valid_accuracy']:.4f} · {metrics['epoch_seconds']:.1f} s", flush=True)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3, help="movie reviews: repeated seeded splits")
    parser.add_argument("--tweets", action="store_true", help="also run the tweets and BBC News benchmark (about 12 min)")
    parser.add_argument("--epochs", type=int, default=3, help="tweets run: epochs")
    parser.add_argument("--batch-size", type=int, default=64, help="tweets run: batch size")
    parser.add_argument("--threads", type=int, default=0,
                        help="torch CPU threads while training; 0: every core while the job runs alone (the page's setting)")
    args = parser.parse_args()
    # A fresh lab home, so the first seed pays for the encoder (cold) and later seeds show the disk cache.
    os.environ["EMBEDDING_LAB_HOME"] = tempfile.mkdtemp(prefix="bench-sentiment-")
    print(f"device: {describe_device()} · torch {torch.__version__}")
    started = time.perf_counter()
    misses = movie_reviews(args.seeds)
    if args.tweets:
        misses += tweets(TrainConfig(epochs=args.epochs, batch_size=args.batch_size, patience=2, seed=0, threads=args.threads))
    for miss in misses:
        print(f"TARGET MISSED: {miss}")
    print(f"whole benchmark {time.perf_counter() - started:.0f} s · {len(misses)} targets missed")
    return 1 if misses else 0


def tweets(config: TrainConfig) -> list[str]:
    """The issue-7 run on tweets and BBC News; returns the targets missed."""
    started = time.perf_counter()
    # On three classes the CNN already has one logit per class, so the multi-class CNN would be the same network.
    three = run("tweets-3", [key for key in SIX if key != "cnn_multiclass"], config)
    two = run("tweets-2", SIX, config)
    bbc = run("bbc-news", ["cnn_multiclass"], TrainConfig(epochs=config.epochs, batch_size=32, patience=2, seed=0, threads=config.threads))
    total = time.perf_counter() - started

    scores = {result.classifier.model_key: result for result in three.results}
    best = best_on_validation(three.results)
    fasttext_epoch = scores["fasttext"].training.seconds_per_epoch
    print("\n== seconds per epoch (training split, CPU)")
    for name, comparison in (("tweets-3", three), ("tweets-2", two), ("bbc-news", bbc)):
        print(f"   {name}: " + ", ".join(f"{r.title} {r.training.seconds_per_epoch:.1f}" for r in comparison.results))
    print(f"   tweets benchmark: {total:.0f} s")
    misses = []
    if best.test.accuracy < TARGET_ACCURACY:
        misses.append(f"3-class: the model best on validation scores {best.test.accuracy:.4f} on test, < {TARGET_ACCURACY}")
    if fasttext_epoch >= FASTTEXT_EPOCH_S:
        misses.append(f"FastText epoch {fasttext_epoch:.1f} s ≥ {FASTTEXT_EPOCH_S} s")
    binary_best = best_on_validation(two.results)
    # The docs claim both on both tweet tasks: the transformer is best, and the best neural model beats the reference.
    for task, chosen, comparison in (("3-class", best, three), ("binary", binary_best, two)):
        if chosen.classifier.model_key != "transformer":
            misses.append(f"{task}: the model best on validation is {chosen.title}, not the transformer")
        if chosen.test.accuracy < comparison.baseline.scores.accuracy:
            misses.append(f"{task}: {chosen.title} {chosen.test.accuracy:.2%} < TF-IDF + LR {comparison.baseline.scores.accuracy:.2%}")
    print(
        f"3-class: best {best.title} {best.test.accuracy:.2%} (F1 {best.test.macro_f1:.3f}) vs TF-IDF+LR {three.baseline.scores.accuracy:.2%} · "
        f"binary: best {binary_best.title} {binary_best.test.accuracy:.2%} vs TF-IDF+LR {two.baseline.scores.accuracy:.2%} · "
        f"BBC multi-class CNN {bbc.results[0].test.accuracy:.2%} · FastText epoch {fasttext_epoch:.1f} s"
    )
    return misses


if __name__ == "__main__":
    sys.exit(main())
