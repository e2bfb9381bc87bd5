"""The Embedding space page, run headless with AppTest: nothing computed before Project, then PCA, search,
neighbours, colouring, an uploaded set with metadata, a background UMAP job, rename and delete."""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import projection, registry
from engine.errors import LabError
from engine.store import ModelStore

PAGE = "pages/embedding_space.py"


def open_page() -> AppTest:
    at = AppTest.from_file("../app.py", default_timeout=120)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, at.exception
    return at


def projected_glove(words: int = 1000) -> AppTest:
    """The page after projecting GloVe's `words` most frequent words with PCA 2D."""
    at = open_page()
    at.number_input(key="space_count").set_value(words)
    at.button(key="space_project").click()
    at.run()
    return at


def summary(at: AppTest) -> str:
    return next((c.value for c in at.caption if "Drawn:" in c.value), "")


@pytest.fixture
def small_set() -> str:
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    kinds = ["odd" if i % 2 else "even" for i in range(40)]
    return registry.save_set(ModelStore(), "Tiny upload", words, rng.normal(size=(40, 6)).astype(np.float32),
                             origin="uploaded", metadata={"kind": kinds})


def test_nothing_is_projected_before_the_button():
    at = open_page()
    assert any("press **Project**" in info.value for info in at.info)
    assert not summary(at)
    assert not projection.cache_dir().exists() or not any(projection.cache_dir().iterdir())


def test_pca_search_and_neighbours_on_glove():
    at = projected_glove()
    assert not at.exception and not at.error
    assert "Drawn: 1,000 of 1,000 projected words" in summary(at)

    at.text_input(key="space_search").set_value("king, war, zzzz")
    at.run()
    assert "2 matches (2 drawn)" in summary(at)
    at.toggle(key="space_regex").set_value(True)
    at.text_input(key="space_search").set_value("^th")
    at.run()
    assert " matches (" in summary(at) and not at.error
    at.text_input(key="space_search").set_value("(unclosed")
    at.run()
    assert any("not a valid regular expression" in e.value for e in at.error)

    at.text_input(key="space_search").set_value("")
    at.text_input(key="space_neighbour").set_value("king")
    at.run()
    table = at.dataframe[0].value
    assert len(table) == 10 and "king" not in set(table["word"])
    assert list(table["cosine"]) == sorted(table["cosine"], reverse=True)
    assert table["rank in plot"].min() >= 1
    at.button(key="space_isolate_neighbours").click()
    at.run()
    assert "Drawn: 11 of 11 projected words" in summary(at) and "Isolated neighbourhood" in summary(at)
    at.button(key="space_isolate_reset").click()
    at.run()
    assert "Drawn: 1,000 of 1,000" in summary(at)

    at.selectbox(key="space_colour").set_value("cluster")
    at.run()
    assert not at.exception and not at.error


def test_the_trust_overlay_measures_the_map_colours_it_and_draws_a_words_true_neighbours():
    at = projected_glove()
    trust = next(c.value for c in at.caption if c.value.startswith("**Trust:**"))
    assert re.search(r"trustworthiness 0\.\d{3} \(", trust) and "a random picture keeps 1.00%" in trust
    at.selectbox(key="space_colour").set_value("trust")
    at.run()
    assert not at.exception and not at.error
    assert "of 10 neighbours kept" in at.get("plotly_chart")[0].proto.spec
    at.text_input(key="space_neighbour").set_value("king")
    at.run()
    table = at.dataframe[0].value
    far = int(table["far in plot"].sum())
    assert any(block.value.startswith(f"**{far} of its 10 neighbours**") for block in at.markdown)
    spec = at.get("plotly_chart")[0].proto.spec
    assert ("put far away" in spec) == (far > 0) and ("kept near" in spec) == (far < 10)
    at.button(key="space_isolate_neighbours").click()
    at.run()  # 11 words: k shrinks to 5, under half of them
    assert not at.error and any("of a word's 5 nearest" in c.value for c in at.caption)


def test_an_unknown_neighbour_word_is_a_message():
    at = projected_glove()
    at.text_input(key="space_neighbour").set_value("qwzxqwzx")
    at.run()
    assert any("not in the vocabulary" in e.value for e in at.error)
    assert not at.exception


def test_an_uploaded_set_projects_in_3d_and_colours_by_metadata(small_set):
    at = open_page()
    at.selectbox(key="space_set").set_value(small_set)
    at.run()
    at.radio(key="space_dims").set_value(3)
    at.button(key="space_project").click()
    at.run()
    assert "Drawn: 40 of 40 projected words" in summary(at)
    assert "kind" in at.selectbox(key="space_colour").options  # the metadata column, by its label
    at.selectbox(key="space_colour").set_value("meta:kind")
    at.run()
    assert not at.exception and not at.error


def umap_of(set_key: str, epochs: int | None = None) -> AppTest:
    """The page after a UMAP (n_neighbors 5) of `set_key` ran as a background job, with `epochs` chosen if given."""
    at = open_page()
    at.selectbox(key="space_set").set_value(set_key)
    at.run()
    at.radio(key="space_method").set_value("umap")
    at.run()
    assert at.selectbox(key="space_umap_epochs").value == 0  # "auto" until the user chooses
    if epochs is not None:
        at.selectbox(key="space_umap_epochs").set_value(epochs)
    at.slider(key="space_n_neighbors").set_value(5)
    at.button(key="space_project").click()
    at.run()
    deadline = time.monotonic() + 120
    while not summary(at) and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    return at


def test_umap_runs_as_a_background_job_and_lands_in_the_cache(small_set):
    at = umap_of(small_set)
    assert "Drawn: 40 of 40" in summary(at) and "UMAP 2D" in summary(at)
    assert "Approximate neighbour graph" not in summary(at)  # 40 words: exact neighbours
    assert any(projection.cache_dir().glob("*.npy"))


def test_umap_above_the_exact_limit_takes_the_chosen_epochs_and_names_its_approximate_graph(small_set, monkeypatch):
    from engine import exact_knn

    monkeypatch.setitem(exact_knn.EXACT_KNN_MAX, "cpu", 10)  # the 40-word set counts as a large one
    at = umap_of(small_set, epochs=100)
    assert "epochs 100" in summary(at)
    assert "Approximate neighbour graph (faiss HNSW): recall@4 " in summary(at) and "100 layout epochs" in summary(at)


def test_rename_and_delete_an_uploaded_set(small_set):
    at = open_page()
    at.selectbox(key="space_manage_set").set_value(small_set)
    at.text_input(key="space_rename_to").set_value("Renamed tiny")
    at.button(key="space_rename").click()
    at.run()
    assert any("Renamed tiny" in s.value for s in at.success)
    assert any(info.name == "Renamed tiny" for info in registry.available_sets(ModelStore()))
    at.button(key="space_delete").click()  # inside the confirming popover, as on Train Word2Vec
    at.run()
    assert any("Deleted “Renamed tiny”" in s.value for s in at.success)
    assert all(info.key != small_set for info in registry.available_sets(ModelStore()))


def test_a_rename_on_any_page_reaches_every_cached_copy(small_set):
    """The bug this guards: a set renamed on Train Word2Vec kept its old name on this page until a restart,
    because this page's cache of the words it projects was not cleared. One function clears them all."""
    import app_state

    assert app_state.words_shown(small_set, 40, None).name == "Tiny upload"
    assert app_state.set_metadata(small_set)["kind"][:2] == ["even", "odd"]
    registry.rename_set(ModelStore(), small_set, "Renamed elsewhere")
    assert app_state.words_shown(small_set, 40, None).name == "Tiny upload"  # still the cached copy
    app_state.store_changed()
    assert app_state.words_shown(small_set, 40, None).name == "Renamed elsewhere"
    registry.delete_set(ModelStore(), small_set)
    app_state.store_changed()
    with pytest.raises(LabError, match="deleted"):
        app_state.words_shown(small_set, 40, None)
    with pytest.raises(LabError, match="packaged GloVe cannot be renamed"):
        registry.rename_set(ModelStore(), registry.GLOVE_KEY, "mine")


def test_a_crash_in_a_projection_job_is_shown_as_a_bug_not_as_bad_input(small_set, monkeypatch):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("a slip in the lab's code")

    monkeypatch.setattr(projection, "project", broken)
    at = open_page()
    at.selectbox(key="space_set").set_value(small_set)
    at.run()
    at.radio(key="space_method").set_value("umap")
    at.run()
    at.button(key="space_project").click()
    at.run()
    deadline = time.monotonic() + 60
    while not at.error and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert any("stopped on a bug in the lab, not on your input" in e.value and "ZeroDivisionError" in e.value for e in at.error)
    assert any(expander.label == "Details for a bug report" for expander in at.expander)
    assert not at.exception


def test_semantic_axes_place_words_by_their_cosine_and_colour_a_third_direction():
    at = open_page()
    at.number_input(key="space_count").set_value(1000)
    at.radio(key="space_method").set_value("axes")
    at.run()
    at.text_input(key="space_axis_x").set_value("he - she")
    at.text_input(key="space_axis_y").set_value("good - bad")
    at.text_input(key="space_axis_colour").set_value("rich - poor")
    at.button(key="space_project").click()
    at.run()
    assert not at.exception and not at.error
    assert "Each word placed by its cosine to **he − she** and **good − bad**" in summary(at)
    assert at.selectbox(key="space_colour").value == "direction"
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert figure["layout"]["xaxis"]["title"]["text"] == "cos to he − she" and "Semantic axes 2D" in figure["layout"]["title"]["text"]
    assert figure["data"][0]["marker"]["colorbar"]["title"]["text"] == "cos to rich − poor"
    at.text_input(key="space_axis_y").set_value("good - zzqxq")
    at.button(key="space_project").click()
    at.run()
    assert any("not in the vocabulary" in e.value for e in at.error) and not at.exception


def test_clusters_are_named_on_the_map_and_in_the_legend():
    at = projected_glove()
    at.selectbox(key="space_colour").set_value("cluster")
    at.run()
    at.number_input(key="space_k").set_value(5)
    at.run()
    assert not at.exception and not at.error
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    legend = [trace["name"] for trace in figure["data"] if re.match(r"\d · ", trace.get("name", ""))]
    assert len(legend) == 5 and all(len(name.split(" · ")) == 4 for name in legend)  # number · three central words
    written = [note["text"] for note in figure["layout"]["annotations"]]
    assert len(written) == 5 and all(name.split(" · ", 1)[1] in text for name, text in zip(sorted(legend), written))
    assert "named by their most central words" in figure["layout"]["legend"]["title"]["text"]


def glove_text_file(path, words: int = 1_200, dim: int = 20):
    rng = np.random.default_rng(0)
    path.write_text("\n".join(f"w{i} " + " ".join(f"{x:.4f}" for x in rng.normal(size=dim)) for i in range(words)),
                    encoding="utf-8")
    return path


def test_without_a_vectors_folder_the_panel_says_how_to_turn_it_on():
    at = open_page()
    assert any("set EMBEDDING_LAB_VECTORS" in caption.value for caption in at.caption)
    assert "space_folder_file" not in [widget.key for widget in at.selectbox]


def test_a_large_file_opens_from_the_vectors_folder_in_the_background_and_projects(tmp_path, monkeypatch):
    folder = tmp_path / "vectors"
    folder.mkdir()
    glove_text_file(folder / "mine.txt")
    monkeypatch.setenv("EMBEDDING_LAB_VECTORS", str(folder))
    at = open_page()
    assert at.selectbox(key="space_folder_file").value == "mine.txt"
    at.button(key="space_folder_open").click().run()
    deadline = time.monotonic() + 60
    while at.session_state["space_set"] != "folder:mine.txt" and time.monotonic() < deadline:
        time.sleep(0.3)
        at.run()
    assert not at.exception
    assert at.session_state["space_set"] == "folder:mine.txt"
    assert any("Read mine.txt" in s.value and "from its cache" in s.value for s in at.success)
    at.number_input(key="space_count").set_value(1_000)
    at.button(key="space_project").click().run()
    assert "Drawn: 1,000 of 1,000 projected words** · the set has 1,200" in summary(at)
    # Opened again (a new session): straight from the cache, no job.
    again = open_page()
    assert any("Read before (1,200 × 20" in caption.value for caption in again.caption)
    again.button(key="space_folder_open").click().run()
    assert again.session_state["space_set"] == "folder:mine.txt" and "space_folder_job" not in again.session_state
    assert any("read before, from its cache" in s.value for s in again.success)


def test_a_file_too_big_for_free_memory_is_refused_before_any_job(tmp_path, monkeypatch):
    folder = tmp_path / "vectors"
    folder.mkdir()
    glove_text_file(folder / "huge.txt")
    monkeypatch.setenv("EMBEDDING_LAB_VECTORS", str(folder))
    monkeypatch.setattr("engine.vector_folder.available_memory", lambda: 10_000)
    at = open_page()
    at.button(key="space_folder_open").click().run()
    assert any("huge.txt was not opened" in e.value and "free memory" in e.value.lower() for e in at.error)
    assert "space_folder_job" not in at.session_state and at.session_state["space_set"] == registry.GLOVE_KEY


def test_a_large_map_goes_to_the_point_map_with_every_word():
    from pages import _point_map as point_map
    from tests.test_point_map import read_payload

    words = point_map.POINT_MAP_FROM + 1_000
    at = projected_glove(words)
    assert not at.exception and not at.error
    assert f"Drawn: {words:,} of {words:,} projected words" in summary(at)
    assert not at.get("plotly_chart")  # the map, not plotly, draws this many
    (element,) = at.get("bidi_component")
    decoded = read_payload(element.proto.bytes)
    assert decoded["header"]["n"] == words and decoded["rows"].tolist() == list(range(words))
    assert decoded["words"][:3] == ["the", ",", "."]  # GloVe's most frequent first
    assert any("map's **PNG** button" in c.value for c in at.caption)
