"""Text → vectors through Streamlit's AppTest: the real page, every tab, the user's own and bad input."""

import pytest
from streamlit.testing.v1 import AppTest

from engine import one_hot, text
from tests.conftest import APP_PATH

TABS = ["Tokens", "Bag of n-grams", "One-hot words", "One-hot characters", "Hashing trick", "Dense embeddings"]


@pytest.fixture
def app():
    app = AppTest.from_file(APP_PATH, default_timeout=60)
    app.run()
    app.switch_page("pages/text_to_vectors.py")
    app.run()
    assert not app.exception
    return app


def open_tab(app: AppTest, label: str) -> AppTest:
    """Tabs are bound to session state (key ttv_tab); a person clicks, a test sets the label."""
    app.session_state["ttv_tab"] = label
    app.run()
    assert not app.exception, app.exception[0].value if app.exception else ""
    return app


def type_text(app: AppTest, value: str) -> AppTest:
    app.text_area(key="ttv_text").input(value).run()
    return app


def markdown(app: AppTest) -> str:
    return "\n".join(block.value for block in app.markdown)


def test_the_tabs_follow_the_lecture(app):
    assert [tab.label for tab in app.tabs] == TABS


def test_the_tokens_tab_shows_both_tokenizers_side_by_side(app):
    table = app.dataframe[0].value
    assert list(table["sample"]) == ["The cat sat on the mat.", "The dog ate my homework."]
    assert list(table["whitespace split"][0]) == ["The", "cat", "sat", "on", "the", "mat."]
    assert list(table["standard"][0]) == ["the", "cat", "sat", "on", "the", "mat"]
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Distinct tokens · whitespace"] == "10" and metrics["Distinct tokens · standard"] == "9"


def test_the_ngram_tab_lists_the_lectures_set_and_counts(app):
    app.selectbox(key="ttv_tokenizer").set_value("keep case").run()
    open_tab(app, "Bag of n-grams")
    app.number_input(key="ttv_n").set_value(3).run()
    bag = app.code[1].value
    for gram in ("The cat sat", "on the mat", "the mat", "The"):
        assert f'"{gram}"' in bag
    assert bag.count('"') == 2 * 15
    assert "same bag of 1..3-grams: **no**" in markdown(app)
    assert len(app.get("plotly_chart")) == 1


@pytest.mark.parametrize(("n", "message"), [(0, "at least 1"), (50, f"at most {text.MAX_NGRAM}")])
def test_ngram_sizes_0_and_50_get_a_message(app, n, message):
    open_tab(app, "Bag of n-grams")
    app.number_input(key="ttv_n").set_value(n).run()
    assert not app.exception
    assert message in app.error[0].value
    assert len(app.get("plotly_chart")) == 0


def test_one_hot_words_follow_the_typed_text(app):
    type_text(app, "I like green eggs. I like ham.")
    open_tab(app, "One-hot words")
    assert "(2, 8, 7)" in markdown(app)  # 5 words + <pad> + <unk>
    vocabulary = app.dataframe[0].value
    assert list(vocabulary["token"][:3]) == [one_hot.PAD, one_hot.OOV, "i"]
    charts = app.get("plotly_chart")
    assert len(charts) == 2  # one heatmap per sample


def test_a_vocabulary_cap_maps_the_rest_to_unk(app):
    app.number_input(key="ttv_max_words").set_value(2).run()
    open_tab(app, "One-hot words")
    assert any("map to index 1" in warning.value for warning in app.warning)
    ids = app.dataframe[1].value
    assert 1 in set(ids.iloc[1])  # 'dog', 'ate', … became <unk>


def test_one_hot_characters_warn_about_characters_outside_ascii(app):
    type_text(app, "Café 😀 déjà vu.")
    open_tab(app, "One-hot characters")
    assert any("outside printable ASCII" in warning.value for warning in app.warning)
    assert len(app.get("plotly_chart")) == 1


def test_the_hashing_tab_measures_collisions(app):
    open_tab(app, "Hashing trick")
    app.number_input(key="ttv_hash_dim").set_value(1).run()
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Tokens sharing a bucket"] == "9 (100%)"
    assert len(app.dataframe[0].value) == 1  # everyone in bucket 0
    assert any("PYTHONHASHSEED" in caption.value for caption in app.caption)
    assert len(app.get("plotly_chart")) == 1


def test_the_dense_tab_proves_the_lookup_equality_and_compares_with_glove(app):
    open_tab(app, "Dense embeddings")
    app.slider(key="ttv_dim").set_value(16).run()
    check = app.success[0].value
    assert "one-hot(token) @ W equals W[token]" in check and "exactly equal" in check
    assert "(2, 8, 16)" in check
    memory = app.dataframe[1].value
    assert set(memory["vocabulary"]) == {"11", "20,000"}
    assert len(app.get("plotly_chart")) == 2  # random vs GloVe cosines


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "box is empty"), ("?!?! ... ;;", "punctuation, symbols or emoji"),
     ("😀 🐱 🎉", "punctuation, symbols or emoji")],
)
def test_bad_text_gets_a_message_in_every_tab(app, typed, message):
    type_text(app, typed)
    for label in TABS:
        open_tab(app, label)
        assert message in app.error[0].value


def test_a_megabyte_is_capped_with_a_warning(app):
    type_text(app, "The quick brown fox jumps over the lazy dog. " * 23_000)
    assert any("characters; this page works on the first" in warning.value for warning in app.warning)
    for label in ("Bag of n-grams", "One-hot words", "One-hot characters"):
        open_tab(app, label)
        assert any("Drawing" in caption.value for caption in app.caption), label  # capped charts say so
    for label in ("Hashing trick", "Dense embeddings"):
        open_tab(app, label)


def test_non_latin_text_is_tokenised_and_glove_says_what_it_misses(app):
    type_text(app, "東京タワーは高い。 Привет мир.")
    assert any("Written without spaces" in info.value for info in app.info)
    open_tab(app, "Dense embeddings")
    assert "two different words that GloVe knows" in app.error[0].value
    assert "exactly equal" in app.success[0].value  # the lookup check still ran
