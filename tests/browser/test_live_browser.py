"""Live sentiment in a real browser: upload a small CSV (table and download), typed text coloured safely, and two
explanation methods side by side with their agreement and deletion curves.

This module runs its own server over a lab home that already holds a tiny default classifier, so the
shared test server is not made to train the full default on its first visit.
"""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.sentiment import ready_defaults
from engine.store import ModelStore
from tests.conftest import streamlit_server, wait_for_app

CSV = "id,review,stars\n1,I love this film so much,5\n2,\"Awful, boring and far too long\",1\n3,<b>bold</b> claims,2\n"


@pytest.fixture(scope="module")
def live_url(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("live-server")
    ready_defaults.ensure_default(ModelStore(folder / "home"), configs=(ready_defaults.DefaultConfig(limit=600, epochs=1),))
    with streamlit_server(folder / "home", folder / "streamlit.log") as url:
        yield url


@pytest.fixture
def tab(browser, live_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{live_url}/live_sentiment")
    wait_for_app(page)
    yield page
    context.close()


def test_uploading_a_csv_shows_the_predictions_and_a_download(tab, tmp_path):
    upload = tmp_path / "reviews.csv"
    upload.write_text(CSV, encoding="utf-8")
    tab.get_by_role("tab", name="File").click()
    tab.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(upload))
    wait_for_app(tab)
    table = tab.get_by_role("tabpanel", name="File").get_by_test_id("stDataFrame")
    table.wait_for()
    assert table.count() == 1
    download = tab.locator('[data-testid="stDownloadButton"]').filter(has_text="Download these 3 predictions")
    download.wait_for()
    with tab.expect_download() as arrived:
        download.locator("button").click()
    saved = Path(arrived.value.path()).read_text(encoding="utf-8-sig")
    assert saved.splitlines()[0].startswith("row,text,label,confidence")
    assert "<b>bold</b> claims" in saved
    assert tab.locator('[data-testid="stException"]').count() == 0


def test_typed_html_is_shown_as_text_with_coloured_words(tab):
    tab.get_by_label("Your text").fill("<script>document.title='hacked'</script> I love it, 3 < 5")
    tab.get_by_role("button", name="Predict").click()
    wait_for_app(tab)
    tab.get_by_text("Colour = the word's push on P(").wait_for()
    # Tags are markup, not words (they are dropped); every other character shows as typed, never as HTML.
    words = tab.locator('[data-testid="stMarkdownContainer"]').filter(has_text="document")
    assert words.count() >= 1 and "<" in words.first.inner_text() and "script" not in words.first.inner_text()
    assert tab.title() != "hacked"
    assert tab.locator('[data-testid="stMetricValue"]').count() == 2


def test_two_explanation_methods_side_by_side_with_their_deletion_curves(tab):
    tab.get_by_label("Your text").fill("What a wonderful film, the acting was superb but the ending felt boring")
    tab.get_by_role("button", name="Predict").click()
    wait_for_app(tab)
    tab.get_by_role("button", name="Integrated gradients", exact=True).click()  # a second method beside occlusion
    wait_for_app(tab)
    tab.get_by_text("convergence delta").wait_for()
    first, second = (tab.locator("strong").filter(has_text=re.compile(f"^{name}$")).first for name in ("Occlusion", "Integrated gradients"))
    first, second = first.bounding_box(), second.bounding_box()
    assert abs(first["y"] - second["y"]) < 5 and second["x"] > first["x"] + first["width"] + 50  # side by side, in order
    tab.get_by_text("Most faithful here").wait_for()
    agreement = tab.get_by_text("Occlusion ~ Integrated gradients:")
    agreement.wait_for()
    chart = tab.locator('[data-testid="stPlotlyChart"]').filter(has_text="Deletion curves")
    chart.wait_for()
    assert chart.locator(".legendtext").filter(has_text="random order").count() == 1
    assert tab.locator('[data-testid="stException"]').count() == 0
