"""Screenshots of the running app's pages in headless Chromium, for the README and for review.

Usage: python scripts/screenshots.py URL OUT_DIR [PAGE_PATH ...]   (PAGE_PATH '' is Home)
Each page is loaded, left to finish its script run, and saved full-page as OUT_DIR/<name>.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, wait_for_app  # noqa: E402


def main(url: str, out_dir: str, paths: list[str]) -> None:
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        for path in paths or [""]:
            tab.goto(f"{url.rstrip('/')}/{path}")
            wait_for_app(tab)
            tab.wait_for_timeout(1500)  # let plotly finish drawing
            name = path.strip("/") or "home"
            tab.screenshot(path=str(target / f"{name}.png"), full_page=True)
            print(target / f"{name}.png")
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
