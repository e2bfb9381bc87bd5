"""Word2Vec: the lab's torch backend against plain gensim on the same corpus and parameters, in one run.

Corpus: the union of the lab's bundled corpora (BBC News, the tweets, the Lee corpus), the most text the
lab ships. Parameters for both: d=100, window 5, 5 negatives, 5 epochs, min_count 5, sample 1e-3.
The peer is gensim as its users run it: `Word2Vec(sentences=list, ...)`, loss tracking off (its default).

- Quality: skip-gram NS and CBOW NS over 3 seeds each, both backends on one thread, WordSim-353 Spearman
  as mean ± sd, so the 0.05 tolerance can be read against seed noise.
  Target (issue 6): torch's mean at least gensim's mean minus 0.05, for both.
- Throughput, same threads: the quality runs above (torch 1 thread, gensim 1 worker).
- Throughput, each at its best on this machine: gensim with one worker per core; torch with 1 thread
  (its steps are too small for intra-op threads to pay, see engine/word2vec/train.py).
- With a GPU: skip-gram NS on it, warm; target ≥ 5 million words/s on an H100-class GPU.
Throughput counts corpus words (before subsampling) per second of the whole training call, vocabulary
building included. The last line prints the headline; the exit code is non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import torch
from gensim.models import Word2Vec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.device import describe_device  # noqa: E402
from engine.word2vec import Word2VecParams, corpus  # noqa: E402
from engine.vectors import EmbeddingSet  # noqa: E402
from engine.word2vec.evaluate import wordsim_spearman  # noqa: E402
from engine.word2vec.train import train_torch  # noqa: E402

MAX_GAP = 0.05
SEEDS = (1, 2, 3)
GPU_TARGET_WORDS_PER_S = 5_000_000
cpu_device = torch.device("cpu")  # scores are computed on the CPU whatever trained the model


def params_for(architecture: str, seed: int, epochs: int) -> Word2VecParams:
    return Word2VecParams(architecture, "negative", vector_size=100, window=5, negative=5, epochs=epochs,
                          min_count=5, sample=1e-3, seed=seed)


def run_torch(sentences, params: Word2VecParams, device: torch.device) -> tuple[float, float]:
    """(WordSim-353 Spearman, words per second) of one torch training run."""
    model = train_torch(sentences, params, device=device)
    return wordsim_spearman(EmbeddingSet(model.words, model.vectors, device=cpu_device))[0], model.words_per_second


def run_gensim(sentences, params: Word2VecParams, workers: int, raw_words: int) -> tuple[float, float]:
    """(WordSim-353 Spearman, words per second) of plain gensim, as its users call it."""
    started = time.perf_counter()
    model = Word2Vec(
        sentences=sentences, vector_size=params.vector_size, window=params.window, min_count=params.min_count,
        sg=int(params.architecture == "skipgram"), hs=0, negative=params.negative, sample=params.sample,
        alpha=params.alpha, min_alpha=params.min_alpha, seed=params.seed, workers=workers, epochs=params.epochs,
    )
    seconds = time.perf_counter() - started
    wv = model.wv
    return wordsim_spearman(EmbeddingSet(list(wv.index_to_key), wv.vectors, device=cpu_device))[0], raw_words * params.epochs / seconds


def mean_sd(values: list[float]) -> str:
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()

    parts = [corpus.bundled(key) for key in ("bbc", "tweets", "lee")]
    sentences = [sentence for part in parts for sentence in part.sentences]
    raw_words = sum(len(sentence) for sentence in sentences)
    cores = os.cpu_count() or 1
    cpu = torch.device("cpu")
    print(f"corpus: {' + '.join(part.name for part in parts)}: {raw_words:,} tokens in {len(sentences):,} sentences; "
          f"{describe_device(cpu)}; load average {os.getloadavg()[0]:.1f}", flush=True)

    failures, summary = [], []
    for architecture in ("skipgram", "cbow"):
        rows: dict[str, list[tuple[float, float]]] = {"torch": [], "gensim": []}
        for seed in SEEDS:
            params = params_for(architecture, seed, args.epochs)
            rows["torch"].append(run_torch(sentences, params, cpu))
            rows["gensim"].append(run_gensim(sentences, params, 1, raw_words))
            print(f"  {params.label}, seed {seed}: torch ρ {rows['torch'][-1][0]:.3f} at {rows['torch'][-1][1]:,.0f} words/s · "
                  f"gensim (1 worker) ρ {rows['gensim'][-1][0]:.3f} at {rows['gensim'][-1][1]:,.0f} words/s", flush=True)
        torch_rho, gensim_rho = [r[0] for r in rows["torch"]], [r[0] for r in rows["gensim"]]
        torch_speed = statistics.median(r[1] for r in rows["torch"])
        gensim_speed = statistics.median(r[1] for r in rows["gensim"])
        best_gensim = run_gensim(sentences, params_for(architecture, SEEDS[0], args.epochs), cores, raw_words)[1]
        print(f"{architecture} NS over {len(SEEDS)} seeds: WordSim-353 ρ torch {mean_sd(torch_rho)}, gensim {mean_sd(gensim_rho)}; "
              f"same threads (1): torch {torch_speed:,.0f} vs gensim {gensim_speed:,.0f} words/s "
              f"(×{torch_speed / gensim_speed:.2f}); at best: torch 1 thread {torch_speed:,.0f} vs gensim {cores} workers "
              f"{best_gensim:,.0f} words/s (×{torch_speed / best_gensim:.2f})", flush=True)
        gap = statistics.mean(gensim_rho) - statistics.mean(torch_rho)
        if gap > MAX_GAP:
            failures.append(f"{architecture} NS: torch's mean ρ is {gap:.3f} below gensim's")
        summary.append(f"{architecture}-NS ρ torch {mean_sd(torch_rho)} vs gensim {mean_sd(gensim_rho)}, "
                       f"speed ×{torch_speed / gensim_speed:.2f} at 1 thread, ×{torch_speed / best_gensim:.2f} at best")

    gpu_note = "GPU: none on this machine"
    if torch.cuda.is_available():
        gpu = torch.device("cuda")
        params = params_for("skipgram", SEEDS[0], args.epochs)
        run_torch(sentences, params, gpu)  # warm-up
        rho, speed = run_torch(sentences, params, gpu)
        gpu_note = f"GPU ({describe_device(gpu)}) sg-NS {speed:,.0f} words/s, ρ {rho:.3f}"
        if speed < GPU_TARGET_WORDS_PER_S:
            failures.append(f"GPU skip-gram NS ran at {speed:,.0f} words/s, under {GPU_TARGET_WORDS_PER_S:,}")

    for failure in failures:
        print(f"MISSED: {failure}")
    print(f"RESULT word2vec d=100 x{args.epochs}, {raw_words:,} tokens: " + "; ".join(summary)
          + f"; {gpu_note}; {'all targets met' if not failures else 'MISSED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
