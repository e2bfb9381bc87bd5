"""Text → vectors in a real browser: type a sentence, see its one-hot grid, then the lookup-equality check."""

from tests.conftest import wait_for_app


def test_a_typed_sentence_gets_a_one_hot_heatmap_and_the_lookup_check(page, app_url):
    page.goto(app_url + "/text_to_vectors")
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Your sentences")
    box.fill("Green eggs and ham. I like green eggs.")
    box.press("Control+Enter")  # a text area commits on Ctrl+Enter (or on blur)
    wait_for_app(page)

    page.get_by_role("tab", name="One-hot words").click()
    wait_for_app(page)
    title = page.locator(".gtitle").filter(has_text="Green eggs and ham")
    title.wait_for()
    chart = page.locator(".js-plotly-plot").filter(has=title)
    rows = set(chart.locator(".ytick text").all_text_contents())  # position · token
    assert {"0 · green", "1 · eggs", "2 · and", "3 · ham", "4 · (pad)"} <= rows
    columns = set(chart.locator(".xtick text").all_text_contents())  # index · vocabulary entry
    assert {"0 · <pad>", "1 · <unk>", "2 · green", "3 · eggs"} <= columns
    assert page.locator(".js-plotly-plot .gtitle").filter(has_text="word one-hot").count() == 2  # one per sample

    page.get_by_role("tab", name="Dense embeddings").click()
    wait_for_app(page)
    check = page.locator('[data-testid="stAlert"]').filter(has_text="one-hot(token) @ W equals W[token]")
    check.wait_for()
    assert "exactly equal" in check.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0


def test_an_n_gram_size_of_50_gets_a_message_not_a_traceback(page, app_url):
    page.goto(app_url + "/text_to_vectors")
    wait_for_app(page)
    page.get_by_role("tab", name="Bag of n-grams").click()
    wait_for_app(page)
    size = page.get_by_role("spinbutton", name="N: bag of 1..N-grams")
    size.fill("50")
    size.press("Enter")
    wait_for_app(page)
    page.locator('[data-testid="stAlert"]').filter(has_text="got 50").wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
