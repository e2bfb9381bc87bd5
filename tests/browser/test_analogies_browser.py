"""The Analogies page in a real browser: type word arithmetic, read the answer off the page."""

from tests.conftest import wait_for_app


def open_analogies(page, app_url):
    page.goto(f"{app_url}/analogies")
    wait_for_app(page)


def type_expression(page, text: str) -> None:
    page.get_by_text("Expression", exact=True).click()
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Expression")
    box.fill(text)
    box.press("Enter")
    wait_for_app(page)


def test_king_minus_man_plus_woman_finds_queen(page, app_url):
    open_analogies(page, app_url)
    type_expression(page, "king − man + woman")
    answer = page.locator('[data-testid="stAlert"]').filter(has_text="≈")
    answer.wait_for()
    assert "queen" in answer.inner_text()
    # The PCA picture labels the answer among the words it draws.
    labels = page.locator(".js-plotly-plot .textpoint text").all_text_contents()
    assert "queen" in labels and "king" in labels
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_malformed_expression_shows_where_it_went_wrong(page, app_url):
    open_analogies(page, app_url)
    type_expression(page, "king -- +")
    alert = page.locator('[data-testid="stAlert"]').filter(has_text="Expected a word at column 7")
    alert.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
