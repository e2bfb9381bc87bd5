"""Analogy and word-similarity benchmarks on GloVe 6B 50d: Embedding Lab against gensim, in one run.

Measures (1) the full Google analogy set with restrict_vocab=300,000: accuracy (must equal gensim's,
question for question) and time against `KeyedVectors.evaluate_word_analogies`; (2) WordSim-353 and
SimLex-999 Spearman against `evaluate_word_pairs`; (3) the median latency of one analogy query over all
400,000 words, 3CosAdd and 3CosMul; (4) on a GPU, when there is one, the full Google set there too.
Targets (issue 4): (1) identical result and at least 20× faster; (2) equal to 4 decimals; (3) under 50 ms.
The last line prints the headline figures; the exit code is non-zero when a target is missed.
Run it alone: `flock /tmp/embedding-lab-bench.lock python bench/analogies.py` (add --quick to skip
gensim's ~1.5-minute analogy run while iterating; a quick run checks no speed target).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
from gensim.models import KeyedVectors

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import analogies, benchmark_sets, benchmarks  # noqa: E402
from engine.device import describe_device  # noqa: E402
from engine.sources import gensim_test_file, load_glove  # noqa: E402

RESTRICT = 300_000
QUERY_REPEATS = 100
TARGET_SPEEDUP, TARGET_QUERY_MS = 20.0, 50.0


def median_ms(call, items) -> float:
    timings = []
    for item in items:
        start = time.perf_counter()
        call(item)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def main(quick: bool) -> int:
    glove = load_glove(device=torch.device("cpu"))
    kv = KeyedVectors(vector_size=glove.dim)
    kv.add_vectors(glove.words, glove.vectors.numpy())
    kv.fill_norms()
    google = benchmark_sets.google_analogies()
    missed: list[str] = []

    # (1) the Google set. One warm-up compiles the kernel (numba caches it on disk for later runs).
    benchmarks.evaluate_analogies(glove, benchmark_sets.AnalogySet("warm-up", google.sections[:1]), restrict_vocab=RESTRICT)
    started = time.perf_counter()
    ours = benchmarks.evaluate_analogies(glove, google, restrict_vocab=RESTRICT)
    ours_s = time.perf_counter() - started
    print(f"machine: {describe_device(torch.device('cpu'))}; GloVe 6B 50d, {len(glove):,} words; restrict_vocab={RESTRICT:,}")
    print(f"lab     Google analogies: {ours.accuracy:.2%} ({ours.correct:,} of {ours.answered:,}; {ours.skipped} skipped; "
          f"{ours.rescored} near-ties re-scored) in {ours_s:.2f} s")
    for section in ours.sections:
        print(f"    {section.name:30s} {section.accuracy:7.2%}  {section.correct:5,} / {section.answered:5,}")
    gensim_s = None
    if not quick:
        started = time.perf_counter()
        score, sections = kv.evaluate_word_analogies(str(gensim_test_file(benchmark_sets.GOOGLE_FILE)), restrict_vocab=RESTRICT)
        gensim_s = time.perf_counter() - started
        total = sections[-1]
        theirs = {(s["section"], q) for s in sections[:-1] for q in s["correct"]}
        mine = {(p[0], tuple(w.upper() for w in p[1:5])) for p in ours.predictions if p[4].upper() == p[5].upper()}
        print(f"gensim  Google analogies: {score:.2%} ({len(total['correct']):,} of {len(total['correct']) + len(total['incorrect']):,}) "
              f"in {gensim_s:.2f} s; speed-up {gensim_s / ours_s:.1f}×; same correct questions: {mine == theirs}")
        if mine != theirs or score != ours.accuracy:
            missed.append("analogy result differs from gensim")
        if gensim_s / ours_s < TARGET_SPEEDUP:
            missed.append(f"analogy speed-up below {TARGET_SPEEDUP:.0f}×")

    # (2) word pairs
    spearmans = {}
    for name, file in benchmark_sets.PAIR_FILES.items():
        report = benchmarks.evaluate_word_pairs(glove, benchmark_sets.bundled_pairs(name), restrict_vocab=RESTRICT)
        pearson, spearman, oov = kv.evaluate_word_pairs(str(gensim_test_file(file)), restrict_vocab=RESTRICT)
        spearmans[name] = report.spearman
        print(f"{name:12s} Spearman lab {report.spearman:.4f} gensim {spearman.statistic:.4f} · Pearson lab {report.pearson:.4f} "
              f"gensim {pearson.statistic:.4f} · OOV lab {report.oov_rate:.2%} gensim {oov / 100:.2%}")
        if round(report.spearman, 4) != round(spearman.statistic, 4):
            missed.append(f"{name} Spearman differs from gensim")

    # (3) one query over all 400,000 words
    rng = np.random.default_rng(0)
    inside = [tuple(w.lower() for w in q) for s in google.sections for q in s.questions]
    sample = [inside[i] for i in rng.choice(len(inside), QUERY_REPEATS, replace=False)]
    query_ms = {}
    for method in analogies.METHODS:
        analogies.solve(glove, analogies.analogy(*sample[0][:3]), method=method)
        query_ms[method] = median_ms(lambda q, m=method: analogies.solve(glove, analogies.analogy(*q[:3]), method=m, k=10), sample)
    gensim_ms = median_ms(lambda q: kv.most_similar(positive=[q[1], q[2]], negative=[q[0]], topn=10), sample)
    print(f"one analogy query over {len(glove):,} words, median of {QUERY_REPEATS}: lab 3CosAdd {query_ms['3cosadd']:.1f} ms, "
          f"3CosMul {query_ms['3cosmul']:.1f} ms; gensim most_similar {gensim_ms:.1f} ms")
    if max(query_ms.values()) > TARGET_QUERY_MS:
        missed.append(f"one query above {TARGET_QUERY_MS:.0f} ms")

    # (4) the GPU, when there is one
    gpu = ""
    if torch.cuda.is_available():
        on_gpu = load_glove(device=torch.device("cuda"))
        benchmarks.evaluate_analogies(on_gpu, google, restrict_vocab=RESTRICT)
        torch.cuda.synchronize()
        started = time.perf_counter()
        report = benchmarks.evaluate_analogies(on_gpu, google, restrict_vocab=RESTRICT)
        gpu_s = time.perf_counter() - started
        print(f"GPU ({describe_device(torch.device('cuda'))}): {report.accuracy:.2%} in {gpu_s:.3f} s")
        gpu = f"; GPU {gpu_s:.3f} s"
        if report.correct != ours.correct:
            missed.append("GPU result differs from the CPU's")

    speed = f"{gensim_s:.1f} s gensim vs {ours_s:.2f} s lab = {gensim_s / ours_s:.0f}x" if gensim_s else f"lab {ours_s:.2f} s (gensim skipped)"
    print(
        f"RESULT Google {ours.accuracy:.2%} ({ours.correct:,}/{ours.answered:,}) {speed}; "
        f"Spearman WS353 {spearmans['WordSim-353']:.4f} SimLex {spearmans['SimLex-999']:.4f}; "
        f"query 3CosAdd {query_ms['3cosadd']:.1f} ms 3CosMul {query_ms['3cosmul']:.1f} ms{gpu}"
        + ("; MISSED: " + ", ".join(missed) if missed else "; all targets met")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(quick="--quick" in sys.argv[1:]))
