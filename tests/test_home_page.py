"""Home through Streamlit's AppTest: the real script, no browser."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP_PATH


@pytest.fixture
def home():
    app = AppTest.from_file(APP_PATH, default_timeout=60)
    app.run()
    assert not app.exception
    return app


def test_a_known_word_shows_its_neighbours_in_a_table_and_a_chart(home):
    home.text_input(key="home_word").input("king").run()
    assert not home.exception and not home.error
    table = home.dataframe[0].value
    assert len(table) == 10
    assert "queen" in list(table["word"])
    assert "king" not in list(table["word"])
    assert table["cosine similarity"].is_monotonic_decreasing
    assert len(home.get("plotly_chart")) == 1


def test_the_slider_changes_how_many_neighbours(home):
    home.slider(key="home_k").set_value(25).run()
    assert len(home.dataframe[0].value) == 25


@pytest.mark.parametrize(
    ("typed", "message"),
    [("qwzxqwzx", "not in the vocabulary"), ("?!?!", "not in the vocabulary"), ("東京タワー", "not in the vocabulary"),
     ("x" * 200, "200 characters")],
)
def test_bad_input_shows_a_message_and_no_traceback(home, typed, message):
    home.text_input(key="home_word").input(typed).run()
    assert not home.exception
    assert message in home.error[0].value
    assert len(home.dataframe) == 0


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_box_asks_for_a_word(home, typed):
    home.text_input(key="home_word").input(typed).run()
    assert not home.exception and not home.error
    assert "Type a word" in home.info[-1].value
    assert len(home.dataframe) == 0


def test_the_device_is_shown(home):
    assert any("Computing on" in block.value for block in home.info)
