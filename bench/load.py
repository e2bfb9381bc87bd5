"""Benchmark: several people training at once, through real browser sessions against one `streamlit run`.

Run under the shared lock:  flock /tmp/embedding-lab-bench.lock python bench/load.py [--sessions 3]
The scenario of issue 13: the Sentiment lab trains FastText for one epoch on the bundled 3-class tweets,
with the TF-IDF reference row, at the page's default settings. Measured, in one run:
- the engine alone: the same comparison called directly in this process (no server, no browser);
- one browser session alone: Debian's Chromium (Playwright) clicks Train and waits for the result; the page
  prints its timings (the epoch, the reference's fit, the whole run), which this script reads. The browser
  runs on the same cores as the server here (≈ 7 CPU-seconds of rendering a run), as it would not for a
  real user. Both "alone" figures are the median of `--repeats` runs: a run varies ±30 % on these VMs;
- N sessions at once: N tabs click Train within a second and all wait; meanwhile a bystander's tab, open on
  Home, clicks Analogies in the menu, timed from the click to its script's end (the app must stay
  responsive). Its first visit in the process (caches filled) is timed beforehand, idle, and shown.
Targets: alone, the page's epoch ≤ 1.5× the engine's; N at once, each session's whole run ≤ 3× its time
alone; the other page opens in ≤ 3 s. Exits non-zero when a target is missed; the last line carries the
headline figures.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.device import default_device, describe_device  # noqa: E402
from engine.sentiment.batches import plan_lengths  # noqa: E402
from engine.sentiment.data import load_dataset, split  # noqa: E402
from engine.sentiment.job import comparison_work  # noqa: E402
from engine.sentiment.train import TrainConfig  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server, wait_for_app  # noqa: E402

DATASET, DATASET_TITLE, MODEL = "tweets-3", "Tweets · negative / neutral / positive (38,158)", "fasttext"
OTHER_PAGE = "Analogies"  # it ranks king − man + woman over all 400,000 GloVe words on every visit
PAGE_EPOCH_RATIO, SHARED_RATIO, OPEN_PAGE_S = 1.5, 3.0, 3.0
RUN_TIMEOUT_MS = 1_800_000
TIMINGS = re.compile(r"Whole run ([\d.]+) s: FastText ([\d.]+) s an epoch; TF-IDF \+ logistic regression ([\d.]+) s to fit")


def engine_alone() -> dict[str, float]:
    """The comparison the page runs, called directly: whole run, FastText's epoch and the reference's fit, in seconds."""
    dataset = load_dataset(DATASET)
    splits = split(dataset, seed=0)
    plan = plan_lengths(splits.train.texts)
    work = comparison_work([MODEL], splits, dataset=dataset.name, config=TrainConfig(epochs=1, batch_size=64, seed=0),
                           glove=None, device=default_device(), store=None, max_tokens=plan.max_tokens,
                           max_length=plan.max_length)
    started = time.perf_counter()
    comparison, _ = work(lambda step, total, metrics: None)
    return {"whole": time.perf_counter() - started, "epoch": comparison.results[0].training.seconds_per_epoch,
            "reference": comparison.baseline.seconds}


def median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over repeated runs."""
    return {name: statistics.median(run[name] for run in runs) for name in runs[0]}


def prepare(browser, url: str):
    """A new tab on the Sentiment lab with the tweets, FastText alone and one epoch chosen, ready to press Train."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(120_000)
    tab.goto(url + "/sentiment_lab")
    wait_for_app(tab)
    tab.locator('[data-testid="stSelectbox"]').filter(has_text="Dataset").locator("input").click()
    tab.get_by_role("option", name=DATASET_TITLE).click()
    wait_for_app(tab)
    tab.locator('[data-testid="stMultiSelect"]').filter(has_text="Models").get_by_role(
        "button", name="Remove 4 · CNN (Kim 2014)").click()
    wait_for_app(tab)
    epochs = tab.get_by_role("spinbutton", name="Epochs (at most)")
    epochs.fill("1")
    epochs.press("Enter")
    wait_for_app(tab)
    return tab


def timings(tab) -> dict[str, float]:
    """The page's own timing line, once the comparison is drawn."""
    line = tab.get_by_text(TIMINGS).inner_text()
    whole, epoch, reference = map(float, TIMINGS.search(line).groups())
    return {"whole": whole, "epoch": epoch, "reference": reference}


def visit(tab, name: str) -> float:
    """Seconds from clicking `name` in the sidebar's menu until that page's script has run to the end."""
    started = time.perf_counter()
    tab.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
    tab.get_by_role("heading", name="Embedding Lab" if name == "Home" else name).first.wait_for(timeout=120_000)
    wait_for_app(tab, settle_ms=0)
    return time.perf_counter() - started


def run_sessions(browser, url: str, count: int, bystander) -> tuple[list[dict[str, float]], float | None]:
    """`count` tabs train at once; returns each one's page timings and, with several, how long the `bystander`
    tab (on Home) took to open another page meanwhile."""
    tabs = [prepare(browser, url) for _ in range(count)]
    for tab in tabs:
        tab.get_by_role("button", name="Train", exact=True).click()
    opened = None
    if count > 1:
        time.sleep(10)  # every job is past its start
        opened = visit(bystander, OTHER_PAGE)
    results = []
    for tab in tabs:
        tab.get_by_text("Comparison on Tweets").wait_for(timeout=RUN_TIMEOUT_MS)
        results.append(timings(tab))
        tab.context.close()
    return results, opened


def browser_command(folder: Path, niceness: int) -> str:
    """Chromium itself, or a wrapper that starts it at a lower priority."""
    if not niceness:
        return CHROMIUM
    wrapper = folder / "chromium-niced"
    wrapper.write_text(f'#!/bin/sh\nexec nice -n {niceness} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each 'alone' measurement; the median is used")
    parser.add_argument("--browser-nice", type=int, default=0, help="run Chromium at this niceness (19: the browser "
                        "yields the cores to the server, as a user's browser on their own machine does)")
    args = parser.parse_args()
    print(f"device: {describe_device(default_device())}; {MODEL} · 1 epoch · {DATASET} with the TF-IDF reference; "
          f"Chromium at niceness {args.browser_nice}")

    engine = median_run([engine_alone() for _ in range(args.repeats)])
    print(f"engine alone:        whole {engine['whole']:6.1f} s · epoch {engine['epoch']:5.2f} s · reference {engine['reference']:5.1f} s")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home, sync_playwright() as playwright:
        with streamlit_server(Path(home) / "home", Path(home) / "streamlit.log") as url:
            browser = playwright.chromium.launch(executable_path=browser_command(Path(home), args.browser_nice),
                                                 args=CHROMIUM_ARGS, headless=True)
            bystander = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            bystander.goto(url)
            wait_for_app(bystander)
            first_visit = visit(bystander, OTHER_PAGE)  # its first visit in this process, with nothing running
            visit(bystander, "Home")
            alone = median_run([run_sessions(browser, url, 1, bystander)[0][0] for _ in range(args.repeats)])
            print(f"one session alone:   whole {alone['whole']:6.1f} s · epoch {alone['epoch']:5.2f} s · reference {alone['reference']:5.1f} s")
            shared, opened = run_sessions(browser, url, args.sessions, bystander)
            for number, row in enumerate(shared, 1):
                print(f"session {number} of {args.sessions}:      whole {row['whole']:6.1f} s · epoch {row['epoch']:5.2f} s · reference {row['reference']:5.1f} s")
            browser.close()

    page_ratio = alone["epoch"] / engine["epoch"]
    shared_ratio = max(row["whole"] for row in shared) / alone["whole"]
    print(f"page epoch / engine epoch (alone): {page_ratio:.2f} (target ≤ {PAGE_EPOCH_RATIO})")
    print(f"slowest of {args.sessions} sessions / alone, whole run: {shared_ratio:.2f} (target ≤ {SHARED_RATIO}); "
          f"mean epoch {statistics.mean(row['epoch'] for row in shared):.2f} s vs {alone['epoch']:.2f} s alone")
    print(f"another page opened in {opened:.1f} s while they trained (target ≤ {OPEN_PAGE_S}); "
          f"its first visit, idle: {first_visit:.1f} s")
    missed = [name for name, ok in (("page epoch", page_ratio <= PAGE_EPOCH_RATIO), ("shared", shared_ratio <= SHARED_RATIO),
                                    ("responsive", opened <= OPEN_PAGE_S)) if not ok]
    print(f"LOAD engine {engine['whole']:.1f} s · page alone {alone['whole']:.1f} s (epoch ×{page_ratio:.2f}) · "
          f"{args.sessions} at once ×{shared_ratio:.2f} · other page {opened:.1f} s · {'MISSED ' + ', '.join(missed) if missed else 'all targets met'}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
