"""Live sentiment's engine: the ready default, uploads turned into documents (or refused), scoring, and word attributions."""

import codecs
import io
import re
import threading

import numpy as np
import pandas as pd
import pytest
import torch

from engine import uploads
from engine.errors import LabError
from engine.sentiment import ready_defaults, scoring
from engine.sentiment.documents import Documents, read_csv_column, read_csv_table, read_text_file
from engine.sentiment.experiment import train_classifier
from engine.attribution import MAX_ATTRIBUTED_TOKENS
from engine.sentiment.documents import MAX_DOCUMENT_CHARS
from engine.sentiment.explain import METHODS, RANDOM_ORDER, bands, explain, faithfulness
from engine.sentiment.train import TrainConfig
from engine.store import ModelStore
from pages import _markup as markup
from tests.sentiment_helpers import toy_splits

TINY = ready_defaults.DefaultConfig(limit=600, epochs=1)


@pytest.fixture(scope="module")
def classifier():
    """A neural bag of words trained on the toy texts, where one or two sentiment words decide the label."""
    result = train_classifier("nbow", toy_splits(400), config=TrainConfig(epochs=8, lr=1e-2, batch_size=32),
                              device=torch.device("cpu"))
    return result.classifier


# ---- the ready default ---------------------------------------------------------------------------------

def test_the_default_is_trained_once_and_then_reused(tmp_path):
    store, reports = ModelStore(tmp_path), []
    first = ready_defaults.ensure_default(store, configs=(TINY,), on_progress=lambda step, total, metrics: reports.append(metrics))
    assert first.params[ready_defaults.DEFAULT_MARK] is True and first.name == ready_defaults.DEFAULT_CONFIGS[0].name
    assert any(report.get("phase") == "train" for report in reports)
    reports.clear()
    again = ready_defaults.ensure_default(store, configs=(TINY,), on_progress=lambda step, total, metrics: reports.append(metrics))
    assert again.id == first.id and not any(report.get("phase") == "train" for report in reports)
    assert [m.id for m in ready_defaults.classifier_manifests(store)] == [first.id]


def test_two_sessions_asking_at_once_train_one_model(tmp_path):
    store, results = ModelStore(tmp_path), []
    threads = [threading.Thread(target=lambda: results.append(ready_defaults.ensure_default(ModelStore(tmp_path), configs=(TINY,))))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store.manifests("classifier")) == 1
    assert results[0].id == results[1].id


def test_training_restores_torch_threads(tmp_path):
    before = torch.get_num_threads()
    ready_defaults.ensure_default(ModelStore(tmp_path), configs=(TINY,))
    assert torch.get_num_threads() == before


# ---- predictions and attributions ----------------------------------------------------------------------

def test_probabilities_sum_to_one_for_every_text(classifier):
    texts = ["the film was great", "awful plot", "😀😀", "<script>alert(1)</script>", "quite"]
    probabilities = scoring.score(classifier, texts, chunk=2)
    assert probabilities.shape == (len(texts), len(classifier.label_names))
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert (probabilities >= 0).all()


def test_the_planted_sentiment_word_is_ranked_first(classifier):
    for planted, label in (("terrible", "negative"), ("superb", "positive")):
        explanation = explain(classifier, f"the film was {planted} and the story quite")
        assert explanation.prediction.label == label
        assert explanation.ranked("occlusion")["word"].iloc[0] == planted
        assert bands(explanation.attributions["occlusion"].scores)[explanation.words.index(planted)] == "strong_for"


def test_a_word_against_the_prediction_scores_negative(classifier):
    explanation = explain(classifier, "great great wonderful film but bad")
    assert explanation.prediction.label == "positive"
    scores = explanation.attributions["occlusion"].scores
    assert scores[explanation.words.index("bad")] < 0 < scores[explanation.words.index("wonderful")]


def test_unknown_words_are_flagged(classifier):
    explanation = explain(classifier, "great zyzzogeton")
    assert explanation.unknown == [False, True]


def test_scoring_in_chunks_reports_progress_and_matches_one_call(classifier):
    texts = [f"the film was {'great' if i % 3 else 'awful'} {i}" for i in range(25)]
    reports = []
    chunked = scoring.score(classifier, texts, chunk=10, on_progress=lambda step, total, m: reports.append((step, total)))
    assert reports == [(10, 25), (20, 25), (25, 25)]
    np.testing.assert_allclose(chunked, classifier.predict_proba(texts), atol=1e-6)


def test_the_predictions_table_and_its_csv(classifier):
    documents = Documents(["great film", "awful film", "quite bad"], [1, 3, 4], "line")
    table = scoring.predictions_table(documents, classifier.label_names, scoring.score(classifier, documents.texts))
    assert list(table.columns) == ["line", "text", "label", "confidence", "P(negative)", "P(positive)"]
    assert table["label"].tolist()[:2] == ["positive", "negative"]
    np.testing.assert_allclose(table["confidence"], table[["P(negative)", "P(positive)"]].max(axis=1))
    data = scoring.to_csv(table)
    assert data.startswith(codecs.BOM_UTF8)
    pd.testing.assert_frame_equal(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig"), table, check_dtype=False)
    counts = scoring.label_counts(table.iloc[:1], classifier.label_names)
    assert counts["documents"].tolist() == [0, 1]  # every class is listed, zeros included


def test_a_second_opinion_marks_agreement():
    first = pd.DataFrame({"text": ["a", "b"], "label": ["x", "y"], "confidence": [0.9, 0.8]})
    second = pd.DataFrame({"text": ["a", "b"], "label": ["x", "x"], "confidence": [0.7, 0.6]})
    merged = scoring.with_second_opinion(first, second)
    assert merged["agree"].tolist() == [True, False] and merged["second label"].tolist() == ["x", "x"]


# ---- typed text ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [("", "empty"), ("   \n\t ", "only spaces")])
def test_bad_text_is_refused_with_a_reason(classifier, text, message):
    with pytest.raises(LabError, match=message):
        explain(classifier, text)


def test_a_5000_word_text_is_cut_and_says_so(classifier):
    text = "great film and a wonderful story " * 1_000  # 6,000 words, 32,999 characters once stripped
    explanation = explain(classifier, text, ("occlusion", "integrated_gradients"))
    assert "32,999 characters" in explanation.note and len(" ".join(explanation.words)) <= MAX_DOCUMENT_CHARS
    assert all(np.isnan(found.scores[MAX_ATTRIBUTED_TOKENS:]).all() for found in explanation.attributions.values())
    assert np.isfinite(explanation.attributions["occlusion"].scores[:MAX_ATTRIBUTED_TOKENS]).all()
    # IG attributes only what the model reads: its first words (the head of its head + tail cap) are among them
    assert np.isfinite(explanation.attributions["integrated_gradients"].scores[:4]).all()
    assert explain(classifier, "great film").note == ""


def test_a_text_of_only_unknown_words_is_flagged_word_by_word(classifier):
    explanation = explain(classifier, "zyzzogeton qwxvbl", ("occlusion", "kernel_shap"))
    assert explanation.unknown == [True, True] and explanation.prediction.label in classifier.label_names


def test_a_text_of_no_readable_words_is_predicted_but_has_nothing_to_explain(classifier):
    assert explain(classifier, "café фильм 映画").words == ["café", "фильм", "映画"]  # every script is read
    explanation = explain(classifier, "___ __", ("occlusion", "integrated_gradients", "kernel_shap"))
    assert explanation.words == [] and all(found.scores.size == 0 for found in explanation.attributions.values())
    with pytest.raises(LabError, match="no words"):
        faithfulness(classifier, explanation)


def test_three_methods_agree_on_the_planted_word_and_beat_random_order(classifier):
    explanation = explain(classifier, "the film was superb and the story quite", tuple(METHODS))
    assert {found.method for found in explanation.attributions.values()} == set(METHODS)
    for method in METHODS:
        assert explanation.ranked(method)["word"].iloc[0] == "superb"
    assert (explanation.agreement().to_numpy() > 0).all()
    curves = faithfulness(classifier, explanation)
    assert set(curves) == {*METHODS.values(), RANDOM_ORDER}
    for name in METHODS.values():
        assert curves[name].area < curves[RANDOM_ORDER].area
        assert curves[name].probability[1] < curves[name].probability[0]  # the top word's removal lowers P(label)


def test_unknown_methods_are_refused(classifier):
    with pytest.raises(LabError, match="methods must be some of"):
        explain(classifier, "great", ("saliency",))


def test_emoji_and_html_are_classified_as_text(classifier):
    """Tags are markup, not words (IMDB's <br />): the text between them is what the model reads."""
    explanation = explain(classifier, "<script>alert('hi')</script> great 😀<br />")
    assert "😀" in explanation.words and "alert" in explanation.words
    assert "script" not in explanation.words and "br" not in explanation.words


def test_markdown_escapes_every_character_streamlit_would_act_on():
    nasty = "<script>alert(1)</script> **bold** [link](http://x) :smile: $x$ `code` _i_ # h ]"
    escaped = markup.escape_markdown(nasty)
    assert re.sub(r"\\(.)", r"\1", escaped) == nasty  # nothing lost
    assert not re.search(r"(?<!\\)[<>*\[\]:$`_#]", escaped)  # nothing left unescaped
    shown = markup.attribution_markdown(["<script>", "]"], np.array([0.5, -0.5]))
    assert shown == r":green-background[**\<script\>**] :red-background[**\]**]"


def test_bands_are_relative_to_the_strongest_word():
    assert bands(np.array([0.4, 0.1, 0.0, -0.1, -0.3, np.nan])) == [
        "strong_for", "for", "neutral", "against", "strong_against", "neutral"]
    assert bands(np.zeros(3)) == ["neutral"] * 3


# ---- files -----------------------------------------------------------------------------------------------

def test_a_txt_file_is_one_document_per_line_with_line_numbers():
    documents = read_text_file("great film\n\n  awful plot  \n😀\n".encode(), "reviews.txt")
    assert documents.texts == ["great film", "awful plot", "😀"]
    assert documents.positions == [1, 3, 4] and documents.unit == "line"
    assert "Skipped 1 blank line" in documents.notes[0]


def test_a_txt_file_can_be_one_document():
    documents = read_text_file(b"first line\nsecond line\n", "essay.txt", whole=True)
    assert documents.texts == ["first line\nsecond line"] and documents.unit == "file"


def test_a_utf16_file_with_a_byte_order_mark_is_read():
    documents = read_text_file("great film\nawful plot\n".encode("utf-16"), "win.txt")
    assert documents.texts == ["great film", "awful plot"]


def test_utf16_without_a_byte_order_mark_is_named_as_such():
    with pytest.raises(LabError, match="UTF-16 text without a byte-order mark"):
        read_text_file("great film\nawful plot\n".encode("utf-16-le"), "win.txt")


def test_a_binary_file_is_refused():
    with pytest.raises(LabError, match="binary"):
        read_text_file(bytes(range(256)) * 4, "photo.txt")


@pytest.mark.parametrize("data", [b"", b"  \n \n"])
def test_an_empty_file_is_refused(data):
    with pytest.raises(LabError, match="empty"):
        read_text_file(data, "empty.txt")


def test_a_100000_character_line_is_refused_by_line_number():
    data = ("fine\n" + "x" * 100_000 + "\nfine\n").encode()
    with pytest.raises(LabError, match=r"line 2 \(100,000 characters\)"):
        read_text_file(data, "long.txt")


def test_a_csv_column_becomes_documents_and_text_columns_come_first():
    table = read_csv_table(b"id;review;stars\n1;great film;5\n2;;1\n3;NaN;2\n4;awful plot;1\n", "r.csv")
    assert uploads.columns_text_first(table)[0] == "review"
    documents = read_csv_column(table, "review", "r.csv")
    assert documents.texts == ["great film", "awful plot"] and documents.positions == [2, 5]
    assert "Skipped 2 rows" in documents.notes[0]


@pytest.mark.parametrize("column, message", [("stars", "holds numbers"), ("empty", "is empty"), ("nope", "no column")])
def test_a_csv_column_without_text_is_refused(column, message):
    table = read_csv_table(b"review,stars,empty\ngreat,5,NaN\nawful,1,\n", "r.csv")
    with pytest.raises(LabError, match=message):
        read_csv_column(table, column, "r.csv")
