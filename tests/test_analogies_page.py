"""The Analogies page through Streamlit's AppTest: the real script and engine, no browser."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import APP_PATH


@pytest.fixture
def page():
    app = AppTest.from_file(APP_PATH, default_timeout=120)
    app.switch_page("pages/analogies.py")
    app.run()
    assert not app.exception
    return app


def table_with(app, column: str):
    """The first table holding `column` (AppTest does not expose a dataframe's key)."""
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def answers(app) -> list[str]:
    return list(table_with(app, "score")["word"])


def test_the_default_analogy_finds_queen(page):
    assert not page.error
    assert "queen" in page.success[0].value
    assert answers(page)[0] == "queen"
    assert not {"king", "man", "woman"} & set(answers(page))
    assert len(answers(page)) == 10


def test_an_expression_with_weights_and_3cosmul(page):
    page.radio(key="ana_mode").set_value("Expression").run()
    page.radio(key="ana_method").set_value("3cosmul").run()
    page.text_input(key="ana_expr").input("paris - france + italy").run()
    assert not page.exception and not page.error
    assert answers(page)[0] == "rome"
    page.slider(key="ana_k").set_value(5).run()
    assert len(answers(page)) == 5


@pytest.mark.parametrize(("text", "message"), [("king -- +", "Expected a word"), ("__import__('os')", "not allowed"),
                                                ("1/0", "Unexpected '/'"), ("kingg - man", "Did you mean")])
def test_malformed_expressions_show_an_error_not_a_traceback(page, text, message):
    page.radio(key="ana_mode").set_value("Expression").run()
    page.text_input(key="ana_expr").input(text).run()
    assert not page.exception
    assert message in page.error[0].value


def test_a_preset_fills_the_boxes_and_solves_its_section(page):
    page.selectbox(key="ana_preset").set_value("capital – country").run()
    assert not page.exception
    assert page.text_input(key="ana_a").value == "athens"
    table = table_with(page, "expected")
    assert len(table) == 8
    assert set(table.columns) >= {"a", "b", "c", "expected", "answer", "right"}


def test_going_back_to_no_preset_keeps_the_boxes(page):
    page.selectbox(key="ana_preset").set_value("capital – country").run()
    page.selectbox(key="ana_preset").set_value("—").run()
    assert not page.exception
    assert page.text_input(key="ana_a").value == "athens"
    assert not any("expected" in frame.value.columns for frame in page.dataframe)


def test_same_word_three_times_is_refused(page):
    for key in ("ana_a", "ana_b", "ana_c"):
        page.text_input(key=key).input("cat")
    page.run()
    assert "All three words" in page.error[0].value


def test_similarity_and_odd_one_out(page):
    page.text_input(key="ana_odd").input("paris, london, berlin, banana").run()
    assert page.metric[1].value == "banana"
    assert float(page.metric[0].value) > 0.5  # cat · dog
    page.text_input(key="ana_sim_b").input("dgoo").run()
    assert any("not in the vocabulary" in error.value for error in page.error)


def test_benchmarks_run_and_report_sections_and_pairs(page):
    page.number_input(key="ana_bench_restrict").set_value(20_000)
    page.button(key="ana_run").click().run()
    assert not page.exception and not page.error
    sections = table_with(page, "section")
    assert len(sections) == 14
    assert sections["correct"].sum() <= sections["answered"].sum()
    pairs = table_with(page, "Spearman")
    assert list(pairs["benchmark"]) == ["WordSim-353", "SimLex-999"]
    assert pairs["Spearman"].between(-1, 1).all()


def test_two_sets_are_compared_side_by_side(page):
    page.checkbox(key="ana_compare").check()
    page.number_input(key="ana_bench_restrict").set_value(10_000)
    page.button(key="ana_run").click().run()
    assert not page.exception and not page.error
    sections = table_with(page, "section")
    assert sorted(sections["set"].unique()) == ["A · GloVe 6B 50d", "B · GloVe 6B 50d"]
    assert len(sections) == 28
    assert len(page.metric) >= 2
