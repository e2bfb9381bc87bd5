import numpy as np

from engine.attribution import MAX_ATTRIBUTED_TOKENS, occlusion

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
