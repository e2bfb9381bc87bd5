"""Train Word2Vec in a real browser: pick the Lee corpus, train a tiny model, watch neighbours appear, play its film."""

import re

from tests.conftest import wait_for_app


def test_training_a_tiny_model_shows_its_neighbours_and_plays_its_film(page, app_url):
    page.goto(f"{app_url}/train_word2vec")
    wait_for_app(page)
    page.locator('[data-testid="stSelectbox"]').filter(has_text="Corpus").locator("input").click()
    page.get_by_role("option", name="Lee corpus · 300 short news stories (gensim)").click()
    wait_for_app(page)
    assert page.locator('[data-testid="stMetricValue"]').first.inner_text() == "300"

    page.get_by_text("PyTorch (batched, GPU when there is one)").click()
    page.get_by_role("spinbutton", name="Vector size").fill("16")
    page.get_by_role("spinbutton", name="Epochs").fill("2")
    page.get_by_label("Name for the model").fill("browser tiny")
    page.get_by_role("button", name="Train").click()

    # The job runs in the background; a polling fragment shows progress, then the page shows the model.
    page.get_by_text("trained in").wait_for(timeout=120_000)
    wait_for_app(page)
    probes = page.get_by_label("Probe words (comma-separated)").input_value().split(", ")
    table = page.locator('[data-testid="stTable"]').filter(has_text=probes[0]).first
    table.wait_for()
    rows = table.locator("tbody tr")
    assert rows.count() == 8
    assert probes[0] not in rows.all_inner_texts()[0].split()
    assert page.locator('[data-testid="stException"]').count() == 0
    # The model is listed for rename, delete and download, and in the model picker by its name.
    picker = page.locator('[data-testid="stSelectbox"]').filter(has_text="Model").locator("input")
    assert picker.input_value().startswith("browser tiny")

    # The training film: it opens on the untrained start; Play runs it to the finished model.
    page.get_by_text("Watch it learn").scroll_into_view_if_needed()  # charts draw once they are in view
    film = page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator(".slider-group"))
    film.scroll_into_view_if_needed()
    slider_value = film.locator(".slider-group > .slider-label")  # plotly's "current value" line
    assert slider_value.text_content() == "trained on 0% of the corpus words"
    probe_dot = film.locator(".scatterlayer .point").last
    start = probe_dot.get_attribute("transform")
    film.locator(".updatemenu-button").filter(has_text="Play").click()
    page.wait_for_function("el => el.textContent.includes('trained on 100%')", arg=slider_value.element_handle(),
                           timeout=30_000)
    page.wait_for_timeout(800)  # the last transition
    assert probe_dot.get_attribute("transform") != start  # the words moved as the model learned
    scorecard = page.locator('[data-testid="stTable"]').filter(has_text="at 100%")
    rows = [[cell.strip() for cell in row.locator("th, td").all_inner_texts()]
            for row in scorecard.locator("tbody tr").all()]
    assert [row[0] for row in rows] == ["WordSim-353 Spearman ρ", "Google analogies accuracy"]
    assert all(re.fullmatch(r"-?\d\.\d{3}", value) for row in rows for value in row[1:]), rows


def test_a_window_of_zero_is_refused_with_a_message(page, app_url):
    page.goto(f"{app_url}/train_word2vec")
    wait_for_app(page)
    page.get_by_role("spinbutton", name="Window").fill("0")
    page.get_by_role("button", name="Train").click()
    wait_for_app(page)
    page.locator('[data-testid="stAlert"]').filter(has_text="window must be between 1 and 20").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
