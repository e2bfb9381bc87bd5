"""The Train Word2Vec page in AppTest: corpus statistics, a refused parameter, and a tiny run to the end."""

import json
import time

from streamlit.testing.v1 import AppTest

from tests.conftest import APP_PATH


def open_page() -> AppTest:
    at = AppTest.from_file(APP_PATH, default_timeout=120)
    at.run()
    at.switch_page("pages/train_word2vec.py")
    at.run()
    at.selectbox(key="w2v_source").set_value("lee").run()
    return at


def test_the_page_shows_corpus_statistics_and_no_models_yet():
    at = open_page()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "300" and int(metrics["Tokens"].replace(",", "")) > 50_000
    assert any("No trained models yet" in info.value for info in at.info)


def test_a_vector_size_of_zero_is_refused_before_any_job_starts():
    at = open_page()
    at.number_input(key="w2v_vector_size").set_value(0)
    at.button(key="w2v_train").click().run()
    assert any("vector_size must be between 1 and 1,000; got 0" in e.value for e in at.error)
    assert "w2v_job" not in at.session_state


def test_a_min_count_no_word_reaches_is_refused_with_the_fix():
    at = open_page()
    at.number_input(key="w2v_min_count").set_value(10_000)
    at.button(key="w2v_train").click().run()
    assert any("No word occurs at least min_count = 10,000 times" in e.value and "Lower min_count" in e.value for e in at.error)
    assert "w2v_job" not in at.session_state


def test_a_tiny_run_trains_saves_and_shows_neighbours():
    at = open_page()
    at.radio(key="w2v_backend").set_value("torch")
    at.number_input(key="w2v_vector_size").set_value(16)
    at.number_input(key="w2v_epochs").set_value(1)
    at.text_input(key="w2v_name").input("lee tiny")
    at.button(key="w2v_train").click().run()
    assert not at.exception and "w2v_job" in at.session_state
    deadline = time.monotonic() + 90
    while "w2v_model" not in at.session_state and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert not at.exception
    assert at.selectbox(key="w2v_model").value.startswith("store:")
    probes = at.text_input(key="w2v_probes").value.split(", ")
    assert probes and probes[0] in {"government", "police", "market", "game"}
    scores = next(t.value for t in at.table if "GloVe 6B 50d" in t.value.columns)
    assert all(float(value) == float(value) for value in [*scores["GloVe 6B 50d"], *scores["this model"]])  # numbers, no "—"
    neighbours = next(t.value for t in at.table if probes[0] in t.value.columns)
    assert len(neighbours) == 8 and probes[0] not in set(neighbours[probes[0]])
    check_the_training_film(at, probes)

    assert len(at.get("download_button")) == 1
    # Rename, then delete: the store and the picker follow.
    at.text_input(key="w2v_rename_to").input("lee renamed").run()
    at.button(key="w2v_rename").click().run()
    model_key = at.selectbox(key="w2v_model").value
    assert at.selectbox(key="w2v_model").format_func(model_key).startswith("lee renamed")
    at.button(key="w2v_delete").click().run()
    assert not at.exception and any("No trained models yet" in info.value for info in at.info)


def chart_titles(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["layout"].get("title", {}).get("text", "") for chart in at.get("plotly_chart")]


def check_the_training_film(at: AppTest, probes: list[str]) -> None:
    """The film of the run just trained: probe words and neighbours by default, a snapshot's neighbours and scorecard."""
    film = next(chart for chart in at.get("plotly_chart") if "training went" in chart.proto.spec)
    assert '"frames"' in film.proto.spec and '"label":"100%"' in film.proto.spec
    assert at.radio(key="w2v_film_words").value == "probes"
    film_neighbours = at.dataframe[0].value
    assert list(film_neighbours.columns) == probes and len(film_neighbours) == 8
    scorecard = next(t.value for t in at.table if "at 100%" in t.value.columns)
    assert all(float(value) == float(value) for value in [*scorecard["at 100%"], *scorecard["GloVe 6B 50d"]])
    at.select_slider(key="w2v_film_frame").set_value(0).run()
    assert any("at 0%" in t.value.columns for t in at.table)
    assert any("Nearest neighbours at 0%" in m.value for m in at.markdown)
    at.radio(key="w2v_film_words").set_value("frequent").run()
    at.number_input(key="w2v_film_count").set_value(300).run()
    assert "lee tiny · 300 words as training went" in chart_titles(at)
    at.radio(key="w2v_film_words").set_value("typed").run()
    at.text_area(key="w2v_film_typed").input(f"{probes[0]} {probes[1]}, the zzzunknown").run()
    assert any("Not in the film" in info.value and "zzzunknown" in info.value for info in at.info)
    assert "lee tiny · 3 words as training went" in chart_titles(at)
    assert not at.exception


def test_a_running_job_survives_navigation_and_a_cancel_saves_nothing():
    at = open_page()
    at.radio(key="w2v_backend").set_value("torch")
    at.number_input(key="w2v_epochs").set_value(100)
    at.button(key="w2v_train").click().run()
    job_id = at.session_state["w2v_job"]
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/train_word2vec.py").run()
    assert at.session_state["w2v_job"] == job_id
    assert at.button(key="w2v_cancel").label == "Cancel" and len(at.get("progress")) == 1
    at.run()  # a rerun neither restarts nor duplicates the job
    assert at.session_state["w2v_job"] == job_id and at.button(key="w2v_train").disabled
    at.button(key="w2v_cancel").click().run()
    deadline = time.monotonic() + 60
    while not any("nothing was saved" in w.value for w in at.warning) and time.monotonic() < deadline:
        time.sleep(0.5)
        at.run()
    assert any("nothing was saved" in w.value.lower() for w in at.warning)  # the shared cancelled message
    assert any("No trained models yet" in info.value for info in at.info)
