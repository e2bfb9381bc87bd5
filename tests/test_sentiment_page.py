"""The Sentiment lab page through AppTest: datasets, CSV checks, and a short training job to the results."""

import re
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.sentiment_helpers import toy_texts

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/sentiment_lab.py"


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


def _upload(at: AppTest, content: bytes) -> None:
    at.selectbox(key="sent_dataset").set_value("csv").run()
    at.file_uploader(key="sent_csv").set_value(("mine.csv", content, "text/csv")).run()


def _toy_csv() -> bytes:
    texts = toy_texts(200)
    labels = [texts.label_names[i] for i in texts.labels]
    return pd.DataFrame({"review": texts.texts, "mood": labels}).to_csv(index=False).encode("utf-8")


def test_the_page_opens_on_the_movie_reviews_with_caps_chosen_from_them(app):
    assert app.title[0].value == "Sentiment lab"
    assert app.selectbox(key="sent_dataset").value == "movie-reviews"
    assert app.multiselect(key="sent_models").value == ["fasttext", "cnn"]
    # Reviews run long: the word cap covers 95% of the training reviews, far past the tweets' few dozen words.
    words = app.number_input(key="sent_words_movie-reviews_0").value
    pieces = app.number_input(key="sent_pieces_movie-reviews_0").value
    assert 300 < words <= 2_000 and pieces == 512
    assert any("HTML markup" in caption.value for caption in app.caption)
    assert not app.error


def test_choosing_fine_tuning_shows_a_measured_time_estimate_before_training(app):
    app.multiselect(key="sent_models").set_value(["minilm_ft"]).run()
    assert app.slider(key="sent_ft_layers").value == 2  # on a CPU; every layer on a GPU
    estimate = next(block.value for block in app.info if "Fine-tuning" in block.value)
    assert "2 of MiniLM's 6 layers" in estimate and "timed from one training step" in estimate
    # It counts the short texts it trains on too: a closing passage of most of the 944 reviews, and as many film
    # snippets drawn afresh each epoch from the 9,065 of the snippets' training part.
    found = re.search(r"944 texts, their ([\d,]+) closing passages and 944 of 9,065 film snippets \(a fresh draw each epoch\)",
                      estimate)
    assert found and 900 <= int(found.group(1).replace(",", "")) <= 944
    # It trains by its own recipe (3 epochs, batches of 16), not by the other models' epochs and batch size.
    assert "for at most 3 epochs in batches of 16:" in estimate
    app.number_input(key=f"sent_epochs_{app.selectbox(key='sent_dataset').value}").set_value(1).run()
    app.selectbox(key="sent_batch").set_value(128).run()
    assert any("for at most 3 epochs in batches of 16:" in block.value for block in app.info)
    app.number_input(key="sent_ft_epochs").set_value(1)
    app.selectbox(key="sent_ft_batch").set_value(32).run()
    assert any("for at most 1 epoch in batches of 32:" in block.value for block in app.info)
    assert not app.exception


def test_picking_the_tweets_gives_them_their_own_shorter_caps(app):
    app.selectbox(key="sent_dataset").set_value("tweets-3").run()
    assert app.number_input(key="sent_words_tweets-3_0").value < 80
    assert app.number_input(key="sent_pieces_tweets-3_0").value < 100
    assert not app.error and not app.exception


def test_a_csv_with_numeric_labels_gets_a_message(app):
    rows = "\n".join(f"text {i},{i % 2}" for i in range(30))
    _upload(app, f"text,label\n{rows}\n".encode())
    assert "numbers" in app.error[0].value
    assert not app.exception


def test_a_file_that_is_not_utf8_gets_a_message(app):
    _upload(app, "text,label\ncafé,positive\n".encode("latin-1"))
    assert "not valid UTF-8" in app.error[0].value


def test_training_on_a_csv_ends_in_a_comparison_table(app):
    _upload(app, _toy_csv())
    app.selectbox(key="sent_text_col").set_value("review")
    app.selectbox(key="sent_label_col").set_value("mood").run()
    assert not app.error
    app.multiselect(key="sent_models").set_value(["nbow"])
    app.number_input(key="sent_epochs_csv").set_value(1)
    app.toggle(key="sent_save").set_value(False).run()
    app.button(key="sent_train").click().run()
    deadline = time.monotonic() + 120
    while not _has_results(app) and time.monotonic() < deadline:
        time.sleep(1)
        app.run()
    assert not app.exception
    assert _has_results(app), "no results within two minutes"
    assert any(header.value == "Comparison on mine.csv" for header in app.subheader)
    results = app.dataframe[0].value
    assert "Neural bag of words" in set(results["model"]) and len(results) == 2
    assert any(name.startswith("TF-IDF + logistic regression (1–2-grams, C=") for name in results["model"])
    assert results["test accuracy"].between(0, 1).all()
    # Only one model trained, so it is the one chosen on validation; the reference's test score stands beside it.
    chosen = app.success[0].value
    assert chosen.startswith("Best on validation: **Neural bag of words**") and "reference scored" in chosen
    sizes = next(caption.value for caption in app.caption if caption.value.startswith("Test split:"))
    assert sizes.endswith("(TF-IDF row: features).")  # no frozen encoder weights to mention: no MiniLM model ran
    probes = app.dataframe[1].value
    assert len(probes) == 4 and list(probes.columns) == ["Neural bag of words"]


def test_a_messy_review_csv_is_cleaned_and_says_so(app):
    """Blank rows, an empty extra column, mixed-case labels with spaces, HTML: cleaned with notes, not refused."""
    texts = toy_texts(60)
    labels = [(" Positive" if i % 2 else "negative") if texts.labels[i] else "Negative" for i in range(60)]
    frame = pd.DataFrame({"review": [t + "<br /><br />" for t in texts.texts], "sentiment": labels, "extra": ""})
    csv = frame.to_csv(index=False) + ",,\n,,\n"
    _upload(app, csv.encode())
    app.selectbox(key="sent_text_col").set_value("review")
    app.selectbox(key="sent_label_col").set_value("sentiment").run()
    assert not app.error and not app.exception
    notes = " ".join(caption.value for caption in app.caption)
    assert "Dropped 2 blank rows" in notes and "lower-cased" in notes and "HTML markup" in notes


def test_a_text_column_of_numbers_is_refused(app):
    rows = "\n".join(f"{i}.5,{'positive' if i % 2 else 'negative'}" for i in range(40))
    _upload(app, f"score,label\n{rows}\n".encode())
    app.selectbox(key="sent_text_col").set_value("score")
    app.selectbox(key="sent_label_col").set_value("label").run()
    assert "holds numbers" in app.error[0].value
    assert not app.exception


def _has_results(app: AppTest) -> bool:
    return any(header.value.startswith("Comparison on") for header in app.subheader)
