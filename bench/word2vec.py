"""Word2Vec: the lab's torch backend against gensim on the same corpus and parameters, in one run.

Trains skip-gram and CBOW with negative sampling (and, with --with-hs, hierarchical softmax) on BBC
News (≈860,000 tokens) with d=100, window 5, 5 negatives, 5 epochs, min_count 5, sample 1e-3, seed 1,
once with torch on the CPU and once with gensim on 2 worker threads; then, when torch sees a GPU,
skip-gram NS on the GPU for throughput.
Targets (issue 6): torch's WordSim-353 Spearman at least gensim's minus 0.05 for skip-gram NS and
CBOW NS; on an H100-class GPU at least 5 million words/s for skip-gram NS, d=100.
Throughput counts corpus words (before subsampling) per second of training, vocabulary building
included. The last line prints the headline figures; the exit code is non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.device import describe_device  # noqa: E402
from engine.word2vec import Word2VecParams, corpus  # noqa: E402
from engine.word2vec.evaluate import keyed_vectors, wordsim_spearman  # noqa: E402
from engine.word2vec.gensim_backend import train_gensim  # noqa: E402
from engine.word2vec.train import train_torch  # noqa: E402

MAX_GAP = 0.05
GPU_TARGET_WORDS_PER_S = 5_000_000


def run(name: str, trainer, sentences, params: Word2VecParams) -> dict:
    model = trainer(sentences, params)
    spearman, pairs = wordsim_spearman(keyed_vectors(model.words, model.vectors))
    row = {"run": name, "seconds": model.seconds, "words_per_s": model.words_per_second, "wordsim": spearman, "pairs": pairs}
    print(f"  {name:<28} {model.seconds:7.1f} s  {model.words_per_second:>11,.0f} words/s  "
          f"WordSim-353 Spearman {spearman:.3f} on {pairs} pairs  ({len(model.words):,} words)", flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-hs", action="store_true", help="also compare hierarchical softmax (no target)")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()

    chosen = corpus.bundled("bbc")
    print(f"corpus: {chosen.name}, {chosen.tokens:,} tokens in {len(chosen.sentences):,} sentences; "
          f"torch CPU: {describe_device(torch.device('cpu'))} (training uses 1 thread); gensim: 2 workers", flush=True)
    cpu = torch.device("cpu")
    objectives = ["negative", "hierarchical"] if args.with_hs else ["negative"]
    results, failures = {}, []
    for objective in objectives:
        for architecture in ("skipgram", "cbow"):
            params = Word2VecParams(architecture, objective, vector_size=100, window=5, negative=5, epochs=args.epochs,
                                    min_count=5, sample=1e-3, seed=1)
            print(f"{params.label}:", flush=True)
            torch_row = run("torch, CPU", lambda s, p: train_torch(s, p, device=cpu), chosen.sentences, params)
            gensim_row = run("gensim, CPU, 2 workers", lambda s, p: train_gensim(s, p, workers=2), chosen.sentences, params)
            results[(architecture, objective)] = (torch_row, gensim_row)
            gap = gensim_row["wordsim"] - torch_row["wordsim"]
            if objective == "negative" and gap > MAX_GAP:
                failures.append(f"{params.label}: torch {torch_row['wordsim']:.3f} is {gap:.3f} below gensim {gensim_row['wordsim']:.3f}")

    gpu_note = "GPU: none on this machine"
    if torch.cuda.is_available():
        params = Word2VecParams("skipgram", "negative", vector_size=100, window=5, negative=5, epochs=args.epochs, min_count=5, seed=1)
        print(f"GPU ({describe_device(torch.device('cuda'))}), skip-gram NS:", flush=True)
        run("torch, GPU (warm-up)", lambda s, p: train_torch(s, p, device=torch.device("cuda")), chosen.sentences, params)
        gpu_row = run("torch, GPU", lambda s, p: train_torch(s, p, device=torch.device("cuda")), chosen.sentences, params)
        gpu_note = f"GPU sg-NS {gpu_row['words_per_s']:,.0f} words/s"
        if gpu_row["words_per_s"] < GPU_TARGET_WORDS_PER_S:
            failures.append(f"GPU skip-gram NS ran at {gpu_row['words_per_s']:,.0f} words/s, under {GPU_TARGET_WORDS_PER_S:,}")

    for failure in failures:
        print(f"MISSED: {failure}")
    sg_torch, sg_gensim = results[("skipgram", "negative")]
    cb_torch, cb_gensim = results[("cbow", "negative")]
    print(
        f"word2vec BBC d=100 x{args.epochs}: WordSim sg-NS torch {sg_torch['wordsim']:.3f} vs gensim {sg_gensim['wordsim']:.3f}, "
        f"cbow-NS torch {cb_torch['wordsim']:.3f} vs gensim {cb_gensim['wordsim']:.3f} (max gap {MAX_GAP}); "
        f"words/s sg-NS torch-CPU {sg_torch['words_per_s']:,.0f} / gensim-2w {sg_gensim['words_per_s']:,.0f} "
        f"({sg_torch['words_per_s'] / sg_gensim['words_per_s']:.2f}x), cbow-NS torch-CPU {cb_torch['words_per_s']:,.0f} / "
        f"gensim-2w {cb_gensim['words_per_s']:,.0f}; {gpu_note}; {'OK' if not failures else 'MISSED'}"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
