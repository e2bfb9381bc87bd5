"""Benchmark: fine-tuning MiniLM on the bundled movie reviews, on whatever device the lab chooses (issue 11).

Run under the shared lock:  flock /tmp/embedding-lab-bench.lock python bench/fine_tune.py [--seeds 3] [--layers N] [--epochs N]
It needs only the engine, MiniLM and the reviews (no GloVe), so it also runs on a GPU machine that carries
just those. With the page's default recipe (every layer on a GPU, the top 2 on a CPU; 3 epochs in batches
of 16: `models.FINE_TUNE_EPOCHS`, `models.FINE_TUNE_BATCH_SIZE`), on repeated seeded 80/10/10 splits of the
1,180 reviews: the whole run (encoder pass
included; the first seed with an empty state cache, cold), test accuracy beside the peer reference
(scikit-learn word 1–2-gram TF-IDF + logistic regression, C chosen on validation, the same split) and the
four probe sentences. Target: 2,000 reviews × 3 epochs in ≤ 12 min on a CPU, ≤ 1 min on a GPU, scaled
linearly from the 1,180 measured (stated as such); and all four probes right on every seed. Short film text
the model never trained on is measured too: the 1,007 held-out Rotten Tomatoes snippets
(`engine.datasets.film_snippets("held-out")`). Exits non-zero when a target is missed; the last line carries
the headline figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.datasets import film_snippets  # noqa: E402
from engine.device import default_device, describe_device  # noqa: E402
from engine.sentiment.encoder import LAYERS  # noqa: E402
from engine.sentiment.data import load_dataset, split  # noqa: E402
from engine.sentiment.evaluate import tfidf_baseline  # noqa: E402
from engine.sentiment.experiment import train_classifier  # noqa: E402
from engine.sentiment.models import FINE_TUNE_BATCH_SIZE, FINE_TUNE_EPOCHS, default_fine_tune_layers  # noqa: E402
from engine.sentiment.predict import PROBE_TRUTH, PROBES  # noqa: E402
from engine.sentiment.train import TrainConfig  # noqa: E402

TARGET_S = {"cpu": 720.0, "cuda": 60.0}
TARGET_REVIEWS = 2_000


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--layers", type=int, default=0, help="layers to fine-tune; 0: the page's default for the device")
    parser.add_argument("--epochs", type=int, default=FINE_TUNE_EPOCHS)
    args = parser.parse_args()
    os.environ["EMBEDDING_LAB_HOME"] = tempfile.mkdtemp(prefix="bench-fine-tune-")  # the first seed runs cold
    device = default_device()
    layers = args.layers or default_fine_tune_layers(device)
    data = load_dataset("movie-reviews")
    held_out = film_snippets("held-out")
    print(f"device: {describe_device(device)} · torch {torch.__version__} · MiniLM, {layers} of {LAYERS} layers fine-tuned, "
          f"{args.epochs} epochs, batch {FINE_TUNE_BATCH_SIZE}, {len(data):,} reviews")
    rows = []
    for seed in range(args.seeds):
        splits = split(data, seed=seed)
        _synchronize(device)
        started = time.perf_counter()
        recipe = TrainConfig(epochs=args.epochs, batch_size=FINE_TUNE_BATCH_SIZE, seed=seed)
        tuned = train_classifier("minilm_ft", splits, config=recipe, hyper={"layers": layers}, device=device)
        _synchronize(device)
        seconds = time.perf_counter() - started
        reference = tfidf_baseline(splits, seed=seed)
        predictions = tuned.classifier.predict(list(PROBES))
        probes = sum(prediction.label == truth for prediction, truth in zip(predictions, PROBE_TRUTH))
        snippets = float(np.mean([p.label == truth for p, truth in zip(tuned.classifier.predict(held_out["text"].tolist()), held_out["label"])]))
        rows.append({"seconds": seconds, "test": tuned.test.accuracy, "reference": reference.scores.accuracy, "probes": probes,
                     "snippets": snippets})
        print(f"seed {seed}: {seconds:.1f} s (encoder {tuned.featurize_seconds:.1f} s, {tuned.training.seconds_per_epoch:.2f} s "
              f"an epoch, best epoch {tuned.training.best_epoch}) · test {tuned.test.accuracy:.2%} vs TF-IDF + LR {reference.scores.accuracy:.2%} (C={reference.c:g}) · "
              f"held-out film snippets {snippets:.2%} · "
              f"probes {probes}/4: " + ", ".join(f"{p.label} {p.confidence:.2f}" for p in predictions), flush=True)

    scale = TARGET_REVIEWS / len(data)
    cold = rows[0]["seconds"] * scale
    warm = statistics.mean(row["seconds"] for row in rows[1:]) * scale if len(rows) > 1 else float("nan")
    target = TARGET_S["cuda" if device.type == "cuda" else "cpu"]
    tests, references = [row["test"] for row in rows], [row["reference"] for row in rows]
    print(f"test accuracy {statistics.mean(tests):.2%} ± {statistics.pstdev(tests):.2%} vs TF-IDF + LR "
          f"{statistics.mean(references):.2%} ± {statistics.pstdev(references):.2%} on the same splits; held-out film snippets "
          f"{statistics.mean(row['snippets'] for row in rows):.2%}")
    print(f"scaled to {TARGET_REVIEWS:,} reviews × {args.epochs} epochs (×{scale:.2f} the {len(data):,} measured): cold {cold:.0f} s, "
          f"warm cache {warm:.0f} s (target ≤ {target:.0f} s)")
    missed = [name for name, met in (("time", cold <= target), ("probes", all(row["probes"] == len(PROBES) for row in rows)))
              if not met]
    print(f"FINE-TUNE {describe_device(device)} · {layers} layers · {cold:.0f} s cold for {TARGET_REVIEWS:,} reviews · "
          f"test {statistics.mean(tests):.1%} · probes {[row['probes'] for row in rows]} · "
          + (f"MISSED: {', '.join(missed)}" if missed else "targets met"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
