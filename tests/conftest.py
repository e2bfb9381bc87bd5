"""Shared fixtures: a real `streamlit run` on a free port, and Debian's Chromium driven by Playwright.

Browser tests use the system Chromium (never `playwright install`). Where it is missing they skip,
except under CI (CI=true), where a skipped browser test would hide a broken set-up and so fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
APP_PATH = str(ROOT / "app.py")  # AppTest resolves relative paths against the calling file, so pass this
CHROMIUM = os.environ.get("EMBEDDING_LAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--enable-unsafe-swiftshader",
    "--disable-background-networking",
    "--disable-component-update",
]
SERVER_START_TIMEOUT_S = 90
VECTORS_FOLDER_WORDS = 1_500  # the browser tests' vectors folder: one small fastText .vec file


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test writes its models and caches to a fresh folder, never to the user's home."""
    monkeypatch.setenv("EMBEDDING_LAB_HOME", str(tmp_path_factory.mktemp("lab-home")))
    monkeypatch.delenv("EMBEDDING_LAB_VECTORS", raising=False)  # a developer's own vectors folder stays out of tests


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_health(url: str, process: subprocess.Popen, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health within {timeout_s} s")


@contextmanager
def streamlit_server(home: Path, log_path: Path, vectors: Path | None = None) -> Iterator[str]:
    """Run `streamlit run app.py` on a free loopback port with its own lab home (and vectors folder); yield its URL."""
    port = _free_port()
    env = {**os.environ, "EMBEDDING_LAB_HOME": str(home)}
    env.pop("EMBEDDING_LAB_VECTORS", None)
    if vectors is not None:
        env["EMBEDDING_LAB_VECTORS"] = str(vectors)
    command = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_health(url, process, SERVER_START_TIMEOUT_S)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One real server for the whole test session, torn down at its end; its vectors folder holds one small file."""
    folder = tmp_path_factory.mktemp("server")
    (folder / "vectors").mkdir()
    rng = np.random.default_rng(5)
    lines = [f"folderword{i} " + " ".join(f"{x:.4f}" for x in rng.normal(size=16)) for i in range(VECTORS_FOLDER_WORDS)]
    (folder / "vectors" / "small.vec").write_text(f"{VECTORS_FOLDER_WORDS} 16\n" + "\n".join(lines) + "\n", encoding="utf-8")
    with streamlit_server(folder / "home", folder / "streamlit.log", folder / "vectors") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless; a missing browser skips locally and fails under CI."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM}; install Debian's 'chromium' package."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{message} Browser tests must run in CI.")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, app_url: str):
    """A fresh browser tab (1400×900) on the app's home page, once the first script run has finished."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    tab.goto(app_url)
    wait_for_app(tab)
    yield tab
    context.close()


def open_expander(tab, label: str) -> None:
    """Open the st.expander called `label` and wait for its opening animation to end.

    Its content grows from zero height for about 250 ms; a click on a button inside it meanwhile lands on
    whatever is drawn below (seen as a lost click in CI), where a person would wait to see the button.
    """
    expander = tab.locator('[data-testid="stExpander"]').filter(has_text=label)
    expander.get_by_text(label, exact=True).click()
    expander.locator("details").evaluate("box => Promise.all(box.getAnimations({subtree: true}).map(a => a.finished))")


def wait_for_app(tab, timeout_ms: int = 120_000, settle_ms: int = 500) -> None:
    """Wait until Streamlit has run the script to the end and stayed idle for `settle_ms`.

    The settle time covers the gap between a browser event (a key press, a click) and the rerun it
    triggers, during which the app still reports the previous run as finished.
    """
    app = tab.locator('[data-testid="stApp"]')
    app.wait_for(timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    idle_since = None
    while time.monotonic() < deadline:
        if app.get_attribute("data-test-script-state") == "notRunning":
            idle_since = idle_since or time.monotonic()
            if (time.monotonic() - idle_since) * 1000 >= settle_ms:
                return
        else:
            idle_since = None
        tab.wait_for_timeout(50)
    raise TimeoutError(f"the app was still running after {timeout_ms / 1000:.0f} s")
