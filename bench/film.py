"""Benchmark: the training film (issue 14, part 1): what recording costs training, and how fast the film is on screen.

Run under the shared lock:  flock /tmp/embedding-lab-bench.lock python bench/film.py [--repeats 3]
Corpus: BBC News (2,225 articles, ~0.9 M tokens), d=100, window 5, 5 negatives, min_count 5, sample 1e-3,
skip-gram with negative sampling, 2 epochs (the film's frames are per tenth of the run, not per epoch).
- Overhead: the lab's two backends with the film and without, alternated run by run so that drift on this
  noisy VM hits both alike, `--repeats` times each; the median of each and the ratio. Beside them the peer
  as its users run it, gensim's `Word2Vec(sentences=…)` with the same parameters (its own loop, no film, no
  progress feed), so the whole cost of the lab's gensim path is visible too. Target: film ≤ 1.10× no film.
  Wall-clock ratios on this VM swing ±20 % run to run, so the time spent inside the recorder is also
  measured directly (its captures timed during a run) and given as a share of the run.
- On screen: a model trained with its film is put in a fresh lab home; a fresh `streamlit run` serves it;
  Debian's Chromium opens Train Word2Vec (see `on_screen` for the three timings) and, the film set to the
  2,000 most frequent words, trains a new model on the page: the time from "trained in" to the new model's
  2,000-word film drawn is the target's figure. The engine's share (load the film, align 11 frames, build
  the figure and its JSON) is timed alone beside it. Target: 2,000 words × 11 frames on screen ≤ 5 s.
The last line prints the headline; the exit code is non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
from gensim.models import Word2Vec

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import registry  # noqa: E402
from engine.sources import load_glove  # noqa: E402
from engine.store import ModelStore  # noqa: E402
from engine.word2vec import Word2VecParams, corpus  # noqa: E402
from engine.word2vec.evaluate import benchmark_scores  # noqa: E402
from engine.word2vec.film import FilmRecorder, film_frames, film_scores  # noqa: E402
from engine.word2vec.gensim_backend import train_gensim  # noqa: E402
from engine.word2vec.job import save_trained, stored_film  # noqa: E402
from engine.word2vec.train import train_torch  # noqa: E402
from pages._word2vec_figures import film_figure  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_for_app  # noqa: E402

OVERHEAD_TARGET, SCREEN_TARGET_S, FILM_WORDS = 1.10, 5.0, 2_000
MODEL_NAME = "BBC film bench"
PARAMS = Word2VecParams("skipgram", "negative", vector_size=100, window=5, negative=5, epochs=2, min_count=5,
                        sample=1e-3, seed=1)
CPU = torch.device("cpu")


def gensim_peer(sentences) -> float:
    """Seconds of plain gensim, as its users call it, with the lab's parameters and workers."""
    started = time.perf_counter()
    Word2Vec(sentences=sentences, vector_size=PARAMS.vector_size, window=PARAMS.window, min_count=PARAMS.min_count,
             sg=1, negative=PARAMS.negative, sample=PARAMS.sample, alpha=PARAMS.alpha, min_alpha=PARAMS.min_alpha,
             seed=PARAMS.seed, workers=2, epochs=PARAMS.epochs)
    return time.perf_counter() - started


def overhead(sentences, repeats: int) -> dict[str, dict[str, float]]:
    """Median seconds of each backend with and without the film (and of the peer), alternated run by run."""
    runs: dict[str, list[float]] = {name: [] for name in ("torch film", "torch plain", "gensim film", "gensim plain", "peer")}
    for _ in range(repeats):
        for film in (True, False):
            runs[f"torch {'film' if film else 'plain'}"].append(train_torch(sentences, PARAMS, device=CPU, film=film).seconds)
            runs[f"gensim {'film' if film else 'plain'}"].append(train_gensim(sentences, PARAMS, film=film).seconds)
        runs["peer"].append(gensim_peer(sentences))
    return {name: {"median": statistics.median(values), "runs": values} for name, values in runs.items()}


def stored_model(home: Path, bbc: corpus.Corpus) -> tuple[str, float, float]:
    """Train with gensim and the film into a fresh lab home as the page's job does; (key, train s, score s)."""
    store = ModelStore(home)
    model = train_gensim(bbc.sentences, PARAMS)
    glove = load_glove(device=CPU)
    started = time.perf_counter()
    scores = benchmark_scores(model.words, model.vectors, glove)
    card = film_scores(model.film, glove)
    scoring = time.perf_counter() - started
    return save_trained(store, model, MODEL_NAME, bbc, scores, card), model.seconds, scoring


def engine_share(home: Path, key: str) -> float:
    """Load the film, align its 11 frames for the 2,000 most frequent words, build the figure and its JSON."""
    store = ModelStore(home)
    started = time.perf_counter()
    words = registry.load_set(key, store, CPU).words
    film, _ = stored_film(store, key, words)
    frames = film_frames(film, film.words[:FILM_WORDS])
    count = len(frames.words)
    film_figure(frames.coordinates, frames.words, frames.fractions, colours=["#9AA0B4"] * count,
                labels=frames.words[:40] + [""] * (count - 40), sizes=[8.0] * count, title="bench").to_json()
    return time.perf_counter() - started


def on_screen(home: Path, log: Path) -> dict[str, float]:
    """Seconds, in Chromium against a fresh server holding the stored model:
    open: navigation → the stored model's film drawn (cold: the page also reads and tokenises BBC News);
    choose: "the 2,000 most frequent words" entered → those 2,000 points drawn;
    after_training: a new gensim run on the Lee corpus (min_count 2, 3,967 words) clicked on the page; from
    "trained in" appearing (the job panel polls every second) → the new model's 2,000-word film drawn.
    """
    from playwright.sync_api import sync_playwright

    drawn_js = ("title => Array.from(document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')).some(chart => "
                "(chart.querySelector('.gtitle')?.textContent || '').startsWith(title) && "
                f"chart.querySelectorAll('.scatterlayer .point').length === {FILM_WORDS})")
    with streamlit_server(home, log) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.set_default_timeout(300_000)
        timings = {}
        started = time.perf_counter()
        tab.goto(url + "/train_word2vec")
        tab.get_by_text("Watch it learn").scroll_into_view_if_needed()
        tab.locator('[data-testid="stPlotlyChart"] .slider-group').wait_for()
        timings["open"] = time.perf_counter() - started
        wait_for_app(tab)
        tab.get_by_text("The most frequent words", exact=True).click()
        wait_for_app(tab)
        count = tab.get_by_role("spinbutton", name="How many of the most frequent words")
        count.fill(str(FILM_WORDS))
        started = time.perf_counter()
        count.press("Enter")
        tab.wait_for_function(drawn_js, arg=MODEL_NAME)
        timings["choose"] = time.perf_counter() - started

        tab.locator('[data-testid="stSelectbox"]').filter(has_text="Corpus").locator("input").click()
        tab.get_by_role("option", name="Lee corpus · 300 short news stories (gensim)").click()
        wait_for_app(tab)
        tab.get_by_text("gensim (CPU, multi-threaded)").click()
        tab.get_by_role("spinbutton", name="min_count").fill("2")
        tab.get_by_label("Name for the model").fill("bench fresh")
        tab.get_by_role("button", name="Train").click()
        tab.get_by_text("trained in").wait_for()
        started = time.perf_counter()
        tab.wait_for_function(drawn_js, arg="bench fresh")
        timings["after_training"] = time.perf_counter() - started
        browser.close()
    return timings


def recorder_seconds(sentences) -> dict[str, tuple[float, float]]:
    """(seconds inside the film recorder, seconds of training) for each backend: the film's own cost, free of VM noise."""
    spent = {"total": 0.0}
    capture = FilmRecorder.capture

    def timed(self, words, vectors):  # bench-only instrumentation
        started = time.perf_counter()
        capture(self, words, vectors)
        spent["total"] += time.perf_counter() - started

    FilmRecorder.capture = timed
    try:
        result = {}
        for backend in ("torch", "gensim"):
            spent["total"] = 0.0
            model = train_torch(sentences, PARAMS, device=CPU) if backend == "torch" else train_gensim(sentences, PARAMS)
            result[backend] = (spent["total"], model.seconds)
        return result
    finally:
        FilmRecorder.capture = capture


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    bbc = corpus.bundled("bbc")
    print(f"BBC News: {bbc.tokens:,} tokens; {PARAMS.label}, d={PARAMS.vector_size}, {PARAMS.epochs} epochs; "
          f"torch on 1 thread, gensim on 2 workers; {args.repeats} runs each, alternated")
    times = overhead(bbc.sentences, args.repeats)
    for name, row in times.items():
        print(f"  {name:13s} median {row['median']:6.2f} s   runs {', '.join(f'{value:.2f}' for value in row['runs'])}")
    ratios = {backend: times[f"{backend} film"]["median"] / times[f"{backend} plain"]["median"] for backend in ("torch", "gensim")}
    peer = times["gensim film"]["median"] / times["peer"]["median"]
    print(f"film on / film off, medians: torch ×{ratios['torch']:.3f}, gensim ×{ratios['gensim']:.3f} (target ≤ ×{OVERHEAD_TARGET}); "
          f"the lab's gensim path with its film against plain gensim ×{peer:.3f}")
    inside = recorder_seconds(bbc.sentences)
    shares = {backend: spent / seconds for backend, (spent, seconds) in inside.items()}
    for backend, (spent, seconds) in inside.items():
        print(f"  time inside the recorder, {backend}: {1000 * spent:.0f} ms of a {seconds:.1f} s run ({shares[backend]:.2%})")

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        key, trained, scoring = stored_model(home, bbc)
        print(f"stored a model trained in {trained:.1f} s; scoring it and its 11 frames took {scoring:.1f} s (in the job)")
        engine_s = engine_share(home, key)
        screen = on_screen(home, Path(folder) / "streamlit.log")
    print(f"engine share for {FILM_WORDS:,} words × 11 frames (load, align, figure, JSON): {engine_s:.2f} s")
    print(f"in Chromium: page open on a cold server → film drawn {screen['open']:.1f} s (the page also tokenises BBC News); "
          f"{FILM_WORDS:,} words chosen → drawn {screen['choose']:.1f} s; a new run's \"trained in\" → its "
          f"{FILM_WORDS:,}-word film drawn {screen['after_training']:.1f} s (target ≤ {SCREEN_TARGET_S:.0f} s)")
    worst_ratio = max(ratios.values())
    ok = worst_ratio <= OVERHEAD_TARGET and max(shares.values()) <= OVERHEAD_TARGET - 1 and screen["after_training"] <= SCREEN_TARGET_S
    print(f"{'PASS' if ok else 'MISS'}: film overhead ×{worst_ratio:.3f} by wall clock, {max(shares.values()):.2%} inside the "
          f"recorder (≤ {OVERHEAD_TARGET - 1:.0%}); {FILM_WORDS:,}-word film on screen {screen['after_training']:.1f} s "
          f"after training (≤ {SCREEN_TARGET_S:.0f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
