"""Home in a real browser: type a word, read its neighbours off the page."""

from tests.conftest import wait_for_app


def test_typing_a_word_shows_its_neighbours(page):
    box = page.get_by_label("A word")
    box.fill("paris")
    box.press("Enter")
    wait_for_app(page)
    chart_title = page.locator(".js-plotly-plot .gtitle")
    chart_title.filter(has_text="paris").wait_for()
    table = page.locator('[data-testid="stDataFrame"]')
    assert table.count() == 1
    # The bar chart's y axis carries the neighbours; GloVe puts 'france' near 'paris'.
    labels = page.locator(".js-plotly-plot .ytick text").all_text_contents()
    assert "france" in labels
    assert len(labels) == 10


def test_an_unknown_word_shows_a_message_not_a_traceback(page):
    box = page.get_by_label("A word")
    box.fill("qwzxqwzx")
    box.press("Enter")
    wait_for_app(page)
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="not in the vocabulary")
    alert.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
