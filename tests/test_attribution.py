"""The model-agnostic attribution methods and checks, on transparent planted models whose right answers are known."""

import numpy as np
import pytest

from engine.attribution import (MAX_ATTRIBUTED_TOKENS, SHAP_FEATURES, deletion_curves, kernel_shap, occlusion,
                                rank_agreement, ranking, shap_groups, shap_samples)

POSITIVE = {"great": 2.0, "good": 1.0}
NEGATIVE = {"terrible": 2.0, "bad": 1.0}


def lexicon_model(texts):
    """A transparent two-class model: P(positive) = sigmoid(positive weight − negative weight)."""
    rows = []
    for text in texts:
        words = text.split()
        score = sum(POSITIVE.get(w, 0) for w in words) - sum(NEGATIVE.get(w, 0) for w in words)
        p = 1 / (1 + np.exp(-score))
        rows.append([1 - p, p])
    return np.array(rows)


def test_the_planted_sentiment_word_ranks_first():
    tokens = "the plot was slow but the acting was great".split()
    scores = occlusion(lexicon_model, tokens, target=1)
    assert tokens[int(np.nanargmax(scores))] == "great"
    assert scores[tokens.index("plot")] == 0


def test_words_against_the_prediction_score_negative():
    tokens = "great cast bad script".split()
    scores = occlusion(lexicon_model, tokens, target=1)
    assert scores[tokens.index("bad")] < 0 < scores[tokens.index("great")]


def test_very_long_texts_attribute_only_the_first_tokens():
    tokens = ["word"] * (MAX_ATTRIBUTED_TOKENS + 5)
    scores = occlusion(lexicon_model, tokens, target=1)
    assert np.isnan(scores[-5:]).all() and not np.isnan(scores[:MAX_ATTRIBUTED_TOKENS]).any()


def one_word_model(texts):
    """A planted model whose output depends on one word only: P(positive) = 0.9 with "great" in the text, else 0.1."""
    return np.array([[0.1, 0.9] if "great" in text.split() else [0.9, 0.1] for text in texts])


def test_kernel_shap_finds_the_planted_words_and_is_reproducible():
    tokens = "the plot was slow but the acting was great".split()
    first = kernel_shap(lexicon_model, tokens, target=1, samples=200, seed=3)
    assert tokens[int(np.nanargmax(first))] == "great" and first[tokens.index("plot")] == pytest.approx(0, abs=1e-6)
    np.testing.assert_array_equal(first, kernel_shap(lexicon_model, tokens, target=1, samples=200, seed=3))
    against = kernel_shap(lexicon_model, "great cast bad script".split(), target=1, samples=200)
    assert against[2] < 0 < against[0]


def test_kernel_shap_gives_a_word_that_alone_decides_everything():
    tokens = "a great film with a plot".split()
    values = kernel_shap(one_word_model, tokens, target=1, samples=300)
    assert values[tokens.index("great")] == pytest.approx(0.8, abs=1e-3)  # P(text) − P(nothing): all of it
    others = np.delete(values, tokens.index("great"))
    np.testing.assert_allclose(others, 0, atol=1e-3)


def test_the_deletion_curve_is_monotone_when_one_word_decides():
    tokens = "the plot was slow but the acting was great".split()
    order = ranking(occlusion(one_word_model, tokens, target=1))
    curves = deletion_curves(one_word_model, tokens, {"occlusion": order, "backwards": order[::-1]}, target=1)
    probability = curves["occlusion"].probability
    assert probability[0] == pytest.approx(0.9) and np.all(np.diff(probability) <= 0) and probability[1] == pytest.approx(0.1)
    assert curves["occlusion"].area < curves["backwards"].area  # the right ranking falls first
    assert len(curves["occlusion"].removed) == 6 == len(curves["backwards"].removed)  # half of 9 words, rounded up: 5


def test_deletion_curves_stop_at_the_shortest_ranking_and_areas_are_bounded():
    tokens = [f"w{i}" for i in range(40)] + ["great"]
    curves = deletion_curves(one_word_model, tokens, {"all": np.arange(41)[::-1], "few": np.array([3, 1, 2])}, target=1)
    assert [len(curve.removed) for curve in curves.values()] == [3, 3]  # half of the shortest ranking (3), rounded up
    assert all(0 <= curve.area <= 1 for curve in curves.values())
    assert ranking(np.array([0.1, np.nan, 0.5, -0.2])).tolist() == [2, 0, 3]  # NaN (unscored) never removed


def test_rank_agreement_is_one_for_the_same_order_and_minus_one_reversed():
    a = np.array([0.3, 0.1, -0.2, 0.5, np.nan])
    table = rank_agreement({"a": a, "scaled": 10 * a, "reversed": -a, "flat": np.zeros(5)})
    assert table.loc["a", "scaled"] == pytest.approx(1) and table.loc["a", "reversed"] == pytest.approx(-1)
    assert np.isnan(table.loc["a", "flat"]) and table.loc["flat", "flat"] == 1


def test_a_long_text_is_fitted_in_runs_that_keep_the_sum_and_find_the_planted_run():
    tokens = ["plain"] * 150 + ["great"] + ["plain"] * 49  # 200 tokens: 64 runs of 3 or 4
    values = kernel_shap(one_word_model, tokens, target=1, samples=shap_samples(len(tokens)))
    assert shap_groups(len(tokens)) == SHAP_FEATURES and shap_samples(len(tokens)) == 4 * SHAP_FEATURES
    assert values.sum() == pytest.approx(0.8, abs=1e-3)  # P(text) − P(nothing), shared out, not lost
    run = np.flatnonzero(values > 0.1)
    assert 150 in run and len(run) <= 4 and np.allclose(values[run], values[150])  # the planted word's run only
