"""Sentiment lab in a real browser: train FastText on the bundled movie reviews for one epoch and read the result."""

from tests.conftest import wait_for_app


def test_training_fasttext_for_one_epoch_shows_a_result_row(page, app_url):
    page.goto(app_url + "/sentiment_lab")
    wait_for_app(page)
    page.get_by_text("Sentiment lab", exact=True).first.wait_for()
    # The movie reviews are the first dataset, and the caps shown were chosen from them.
    page.get_by_text("words cover 95% of them whole").wait_for()

    # Keep only FastText: remove the CNN from the pre-selected models.
    models = page.locator('[data-testid="stMultiSelect"]').filter(has_text="Models")
    models.get_by_role("button", name="Remove 4 · CNN (Kim 2014)").click()
    wait_for_app(page)
    epochs = page.get_by_role("spinbutton", name="Epochs (at most)")
    epochs.fill("1")
    epochs.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Train", exact=True).click()

    # Training runs in the background; the page polls it and redraws once it is done.
    page.get_by_text("Comparison on Movie reviews").wait_for(timeout=240_000)
    wait_for_app(page)
    best = page.locator('[data-testid="stAlert"]').filter(has_text="Best on validation")
    best.wait_for()
    assert "FastText" in best.inner_text() and "TF-IDF + logistic regression reference scored" in best.inner_text()
    results = page.locator('[data-testid="stDataFrame"]')
    assert results.count() >= 2  # the comparison and the probe sentences
    assert page.locator('[data-testid="stException"]').count() == 0
