"""Nearest-neighbour latency on all 400,000 GloVe words: Embedding Lab against gensim, in one run.

Measures (1) the median latency of one top-10 query, (2) 1,000 queries in one batched call against
1,000 gensim `most_similar` calls, and (3) how long a fresh `streamlit run` takes to show Home's
neighbours in headless Chromium (skipped with a note when Chromium is missing).
Targets (issue 2): (1) no slower than gensim; (2) at least 10× faster; (3) within 5 s.
The last line prints the headline figures; the exit code is non-zero when a target is missed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from gensim.models import KeyedVectors

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.device import describe_device  # noqa: E402
from engine.sources import load_glove  # noqa: E402

QUERIES = 1000
SINGLE_REPEATS = 200


def median_ms(call, words: list[str]) -> float:
    timings = []
    for word in words:
        start = time.perf_counter()
        call(word)
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def time_home_render() -> float | None:
    """Seconds from `streamlit run` to Home's neighbour table on screen, or None without Chromium."""
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port

    if not Path(CHROMIUM).exists():
        return None
    from playwright.sync_api import sync_playwright

    port = _free_port()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        start = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.headless", "true"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            tab = browser.new_page()
            while True:
                try:
                    tab.goto(f"http://127.0.0.1:{port}", timeout=2000)
                    break
                except Exception:  # the server is not listening yet
                    time.sleep(0.05)
            tab.locator('[data-testid="stDataFrame"]').wait_for(timeout=60_000)
            return time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=10)
            browser.close()


def main() -> int:
    glove = load_glove(device=torch.device("cpu"))
    kv = KeyedVectors(vector_size=glove.dim)
    kv.add_vectors(glove.words, glove.vectors.numpy())
    kv.fill_norms()
    rng = np.random.default_rng(0)
    words = [glove.words[i] for i in rng.choice(100_000, size=QUERIES, replace=False)]

    # Warm every path once (page faults, thread pools, loading compiled kernels), then measure.
    glove.nearest(words[0]), glove.nearest_many(words[-32:]), kv.most_similar(words[0], topn=10)
    ours_single = median_ms(lambda w: glove.nearest(w, k=10), words[:SINGLE_REPEATS])
    gensim_single = median_ms(lambda w: kv.most_similar(w, topn=10), words[:SINGLE_REPEATS])

    start = time.perf_counter()
    ours = glove.nearest_many(words, k=10)
    ours_batch = time.perf_counter() - start
    start = time.perf_counter()
    theirs = [kv.most_similar(word, topn=10) for word in words]
    gensim_batch = time.perf_counter() - start
    agreement = np.mean([[w for w, _ in a] == [w for w, _ in b] for a, b in zip(ours, theirs)])

    home_s = time_home_render()
    print(f"machine: {describe_device(torch.device('cpu'))}; GloVe 6B 50d, {len(glove):,} words")
    print(f"single top-10 query, median of {SINGLE_REPEATS}: lab {ours_single:.2f} ms, gensim {gensim_single:.2f} ms")
    print(f"{QUERIES:,} queries: lab batched {ours_batch:.3f} s, gensim loop {gensim_batch:.3f} s")
    print(f"top-10 lists identical to gensim's: {agreement:.1%}")
    print("Home rendered after streamlit run: " + (f"{home_s:.2f} s" if home_s is not None else "skipped (no Chromium)"))

    missed = []
    if ours_single > gensim_single:
        missed.append("single query slower than gensim")
    if gensim_batch / ours_batch < 10:
        missed.append("batched speed-up below 10×")
    if home_s is not None and home_s > 5:
        missed.append("Home took longer than 5 s")
    if agreement < 0.99:
        missed.append("results disagree with gensim")
    print(
        f"RESULT single {ours_single:.2f} ms vs gensim {gensim_single:.2f} ms ({gensim_single / ours_single:.2f}x); "
        f"batch of {QUERIES} {gensim_batch / ours_batch:.1f}x faster; home "
        + (f"{home_s:.2f} s" if home_s is not None else "n/a")
        + ("; MISSED: " + ", ".join(missed) if missed else "; all targets met")
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
