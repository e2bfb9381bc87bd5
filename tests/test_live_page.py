"""The Live sentiment page through AppTest: the first-visit default, typed text, two models, and uploads."""

import re
import shutil
import time
from pathlib import Path

import pytest
import torch
from streamlit.testing.v1 import AppTest

from engine.sentiment import ready_defaults
from engine.sentiment.experiment import train_classifier
from engine.sentiment.persist import save_classifier
from engine.sentiment.train import TrainConfig
from engine.store import ModelStore
from tests.sentiment_helpers import toy_splits

ROOT = Path(__file__).resolve().parents[1]
PAGE = "pages/live_sentiment.py"
TINY = ready_defaults.DefaultConfig(limit=600, epochs=1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A store holding a tiny ready default (3 tweet classes) and a toy two-class model, trained once per module."""
    root = tmp_path_factory.mktemp("trained")
    store = ModelStore(root)
    ready_defaults.ensure_default(store, configs=(TINY,))
    toy = train_classifier("nbow", toy_splits(200), config=TrainConfig(epochs=3, lr=1e-2), device=torch.device("cpu"))
    save_classifier(store, toy.classifier, "Toy bag of words")
    return store.root


def _open(models: Path | None = None) -> AppTest:
    if models is not None:
        shutil.copytree(models, ModelStore().root, dirs_exist_ok=True)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


@pytest.fixture
def app(trained) -> AppTest:
    return _open(trained)


def _predict(at: AppTest, text: str) -> None:
    at.text_area(key="live_text").input(text)
    at.button(key="live_predict").click().run()
    assert not at.exception


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader(key="live_file").set_value((name, data, "text/plain")).run()
    assert not at.exception


def test_a_first_visit_trains_the_default_once_then_offers_it(monkeypatch):
    monkeypatch.setattr(ready_defaults, "DEFAULT_CONFIGS", (TINY,))
    at = _open()
    assert "training its ready default" in at.info[0].value
    deadline = time.monotonic() + 90
    while not at.selectbox and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert at.selectbox(key="live_model").value is not None, "no default model within 90 s"
    assert len(ModelStore().manifests("classifier")) == 1
    assert not at.error


def test_the_default_comes_first_in_the_picker(app):
    picker = app.selectbox(key="live_model")
    assert picker.options[0].startswith(ready_defaults.DEFAULT_CONFIGS[0].name) and len(picker.options) == 2


def test_a_text_gets_a_label_probabilities_and_coloured_words(app):
    _predict(app, "I love this, it is wonderful")
    label, confidence = app.metric
    assert label.value in ("negative", "neutral", "positive")
    assert 1 / 3 <= float(confidence.value.rstrip("%")) / 100 <= 1
    assert any(chart.proto.spec and "Class probabilities" in chart.proto.spec for chart in app.get("plotly_chart"))
    assert any("wonderful" in block.value for block in app.markdown)
    assert any(caption.value.startswith(f"Colour = the word's push on P({label.value})") for caption in app.caption)
    assert not app.error


def test_html_is_never_rendered_tags_are_dropped_and_angle_brackets_escaped(app):
    _predict(app, "<script>alert('x')</script> <b>great</b> 3 < 5 😀")
    shown = next(block.value for block in app.markdown if "alert" in block.value)
    assert "\\<" in shown and "<script" not in shown and "<b>" not in shown and "script" not in shown
    assert "😀" in shown


@pytest.mark.parametrize("text, message", [("", "empty"), ("   ", "only spaces")])
def test_bad_text_gets_a_message(app, text, message):
    _predict(app, text)
    assert message in app.error[0].value


@pytest.mark.parametrize("text, message", [("word " * 5_000, "its first 19,99"), ("zyzzogeton qwxvbl", "None of these words"),
                                           ("___ __", "no words")])
def test_odd_text_is_explained_as_far_as_it_can_be_and_says_why(app, text, message):
    _predict(app, text)
    assert not app.error and len(app.metric) == 2
    assert any(message in block.value for block in [*app.warning, *app.info])


def test_the_method_picker_shows_methods_side_by_side_with_agreement_and_deletion_curves(app):
    _predict(app, "what a wonderful film, I love it")
    app.pills(key="live_methods").set_value(["occlusion", "integrated_gradients", "kernel_shap"]).run()
    assert not app.exception and not app.error
    titles = [block.value for block in app.markdown]
    assert {"**Occlusion**", "**Integrated gradients**", "**KernelSHAP**"} <= set(titles)
    captions = " ".join(caption.value for caption in app.caption)
    assert "convergence delta" in captions and "sampled texts, seed 0" in captions
    specs = [chart.proto.spec for chart in app.get("plotly_chart")]
    assert any("Deletion curves" in spec and "random order" in spec for spec in specs)
    assert any(title.startswith("**Most faithful here:") for title in titles)
    agreement = next(block.value for block in app.markdown if block.value.startswith("**Agreement**"))
    assert re.search(r"Occlusion ~ Integrated gradients: -?[01]\.\d\d", agreement)
    assert "Occlusion ~ KernelSHAP" in agreement and "Integrated gradients ~ KernelSHAP" in agreement


def test_with_no_method_picked_the_page_asks_for_one(app):
    _predict(app, "what a wonderful film")
    app.pills(key="live_methods").set_value([]).run()
    assert not app.metric and "Pick at least one method" in app.info[0].value


def test_a_probe_sentence_fills_the_box_and_predicts(app):
    app.pills(key="live_probe").set_value("This film is great!").run()
    assert app.text_area(key="live_text").value == "This film is great!"
    assert len(app.metric) == 2 and not app.error


def test_two_models_side_by_side(app):
    app.toggle(key="live_compare").set_value(True).run()
    assert app.selectbox(key="live_model_b").value != app.selectbox(key="live_model").value
    _predict(app, "what a great film")
    labels = [metric.value for metric in app.metric if metric.label == "Label"]
    assert len(labels) == 2
    assert labels[1] in ("negative", "positive")  # the toy model knows two classes


def test_a_csv_upload_gives_a_table_a_chart_and_a_download(app):
    data = b"id,review\n1,I love this film\n2,awful and boring\n3,\n4,it was ok\n"
    _upload(app, "reviews.csv", data)
    assert app.selectbox(key="live_column").value == "review"
    table = app.dataframe[0].value
    assert table["row"].tolist() == [2, 3, 5] and set(table["label"]) <= {"negative", "neutral", "positive"}
    assert app.get("download_button")
    assert any("Skipped 1 row" in caption.value for caption in app.caption)
    assert any("texts by predicted label" in chart.proto.spec for chart in app.get("plotly_chart"))


def test_the_label_filter_narrows_the_table(app):
    _upload(app, "reviews.txt", b"I love this film\nawful and boring\nit was ok\ngreat great great\n")
    full = app.dataframe[0].value
    keep = full["label"].iloc[0]
    app.pills(key="live_filter").set_value([keep]).run()
    assert set(app.dataframe[0].value["label"]) == {keep}
    assert len(app.dataframe[0].value) == (full["label"] == keep).sum()


@pytest.mark.parametrize("name, data, message", [
    ("numbers.csv", b"score,other\n1,2\n3,4\n", "holds numbers"),
    ("nan.csv", b"text,score\nNaN,1\n,2\n", "is empty"),
    ("photo.txt", bytes(range(256)) * 8, "binary"),
    ("utf16.txt", "great\nawful\n".encode("utf-16-le"), "UTF-16"),
    ("long.txt", b"ok\n" + b"x" * 100_000 + b"\n", "line 2"),
])
def test_bad_files_get_a_message(app, name, data, message):
    _upload(app, name, data)
    if name == "nan.csv":
        app.selectbox(key="live_column").set_value("text").run()
    assert message in app.error[0].value


def test_a_utf16_file_with_a_bom_is_scored(app):
    _upload(app, "win.txt", "I love it\nI hate it\n".encode("utf-16"))
    assert len(app.dataframe[0].value) == 2 and not app.error


def test_what_the_model_learned_shows_class_words_and_the_drift_from_glove(app):
    assert app.selectbox(key="live_global_dataset").value == "movie-reviews"  # where the ready default was trained
    assert any("Press **Find the words**" in block.value for block in app.info)
    app.number_input(key="live_global_size").set_value(30).run()
    app.button(key="live_global_run").click().run()  # a background job in the shared panel
    deadline = time.monotonic() + 120
    while not any(frame for frame in app.dataframe if "moved" in frame.value.columns) and time.monotonic() < deadline:
        time.sleep(0.5)
        app.run()
    assert not app.exception and not app.error
    specs = [chart.proto.spec for chart in app.get("plotly_chart")]
    assert any("Words that push toward each class" in spec and "toward positive" in spec for spec in specs)
    assert any("moved most" in spec for spec in specs)
    moved = next(frame.value for frame in app.dataframe if "moved" in frame.value.columns)
    assert len(moved) == 50 and moved["moved"].is_monotonic_decreasing
    assert any("started from GloVe" in caption.value for caption in app.caption)  # FastText starts from GloVe
    assert any(caption.value.startswith("Over 30 texts of Movie reviews") for caption in app.caption)
