"""Caps that follow the data, and head + tail for the texts past them (synthetic texts, known lengths)."""

import pytest

from engine.errors import LabError
from engine.sentiment.batches import WordFeaturizer, plan_lengths
from engine.sentiment.lengths import covering_length, head_and_tail, share_cut


def test_the_cap_covers_the_asked_share_of_texts_whole():
    lengths = list(range(1, 101))  # 1 … 100
    assert covering_length(lengths, lower=1, upper=1_000) == 95
    assert share_cut(lengths, 95) == pytest.approx(0.05)
    assert covering_length(lengths, lower=1, upper=1_000, coverage=1.0) == 100


def test_the_cap_stays_within_the_model_limits():
    assert covering_length([3, 4, 5], lower=16, upper=512) == 16
    assert covering_length([10_000] * 5, lower=16, upper=512) == 512
    assert covering_length([], lower=16, upper=512) == 16
    with pytest.raises(LabError, match="coverage"):
        covering_length([1], lower=1, upper=2, coverage=0)


def test_a_long_text_keeps_its_first_quarter_and_its_last_three_quarters():
    items = list(range(1_000))
    kept = head_and_tail(items, 100)
    assert kept == list(range(25)) + list(range(925, 1_000))
    assert head_and_tail(items[:80], 100) == items[:80]


def test_word_featuriser_reads_the_verdict_at_the_end_of_a_long_review():
    short = [f"plot words number {i} here" for i in range(40)]
    long_review = " ".join(["plot"] * 5_000) + " verdict superb"
    featurizer = WordFeaturizer.fit(short * 3 + [long_review], max_tokens=None)
    assert featurizer.max_tokens == 16  # 95% of the training texts have five words: the lower limit
    tokens = featurizer.tokens(long_review)
    assert len(tokens) == 16 and tokens[-2:] == ["verdict", "superb"] and tokens[0] == "plot"


def test_html_line_breaks_are_not_words():
    featurizer = WordFeaturizer.fit(["great film<br /><br />really"] * 3, max_tokens=20)
    assert featurizer.tokens("great film<br /><br />really") == ["great", "film", "really"]
    assert "br" not in featurizer.vocab


def test_the_plan_measures_words_and_word_pieces():
    texts = ["a short one"] * 19 + ["a much longer text " * 60]
    plan = plan_lengths(texts)
    assert plan.max_tokens == 16 and plan.words_cut(16) == pytest.approx(0.05)
    assert plan.max_length == 16  # [CLS] a short one [SEP] is five pieces: the lower limit
    assert plan.pieces_cut(512) == 0.0
    assert plan.mean_pieces(16) == pytest.approx((19 * 5 + 16) / 20)
