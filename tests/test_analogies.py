"""Word arithmetic against gensim and a NumPy reference, on GloVe's 20,000 most frequent words."""

import numpy as np
import pytest

from engine import analogies
from engine.benchmark_sets import google_analogies
from engine.errors import LabError
from tests.glove_fixtures import glove_fixtures

WORDS = 20_000


glove, keyed = glove_fixtures(WORDS)


@pytest.fixture(scope="module")
def sample(glove):
    """Every 50th Google question whose four words are among the 20,000, lower-cased."""
    questions = [tuple(w.lower() for w in q) for s in google_analogies().sections for q in s.questions]
    inside = [q for q in questions if all(w in glove.index for w in q)]
    return inside[::50]


def test_top_answer_agrees_with_gensim_most_similar(glove, keyed, sample):
    assert len(sample) > 100
    for a, b, c, _ in sample:
        ours = analogies.solve(glove, analogies.analogy(a, b, c), k=1).best
        theirs = keyed.most_similar(positive=[b, c], negative=[a], topn=1)[0][0]
        assert ours == theirs, (a, b, c)


@pytest.mark.filterwarnings("ignore:Call to deprecated `init_sims`:DeprecationWarning")
def test_3cosmul_agrees_with_gensim_most_similar_cosmul(glove, keyed, sample):
    for a, b, c, _ in sample[:40]:
        ours = analogies.solve(glove, analogies.analogy(a, b, c), method="3cosmul", k=5).ranking
        theirs = keyed.most_similar_cosmul(positive=[b, c], negative=[a], topn=5)
        assert [w for w, _ in ours] == [w for w, _ in theirs]
        np.testing.assert_allclose([s for _, s in ours], [s for _, s in theirs], rtol=1e-5)


def test_3cosmul_matches_a_numpy_reference(glove):
    unit = glove.unit.cpu().numpy().astype(np.float64)  # (words, dim)
    for a, b, c in [("man", "king", "woman"), ("france", "paris", "italy"), ("good", "better", "bad")]:
        cos = {w: unit @ unit[glove.index[w]] for w in (a, b, c)}
        shifted = {w: (1 + s) / 2 for w, s in cos.items()}
        reference = shifted[b] * shifted[c] / (shifted[a] + 1e-6)
        reference[[glove.index[w] for w in (a, b, c)]] = -np.inf
        expected = np.argsort(-reference)[:10]
        answer = analogies.solve(glove, analogies.analogy(a, b, c), method="3cosmul", k=10)
        assert [w for w, _ in answer.ranking] == [glove.words[i] for i in expected]
        np.testing.assert_allclose([s for _, s in answer.ranking], reference[expected], rtol=1e-5)


def test_weighted_expression_scores_the_weighted_sum(glove):
    unit = glove.unit.cpu().numpy().astype(np.float64)
    query = 0.5 * unit[glove.index["big"]] + unit[glove.index["small"]]
    scores = unit @ (query / np.linalg.norm(query))
    scores[[glove.index["big"], glove.index["small"]]] = -np.inf
    answer = analogies.solve(glove, "0.5*big + small", k=5)
    assert [w for w, _ in answer.ranking] == [glove.words[i] for i in np.argsort(-scores)[:5]]
    assert answer.weights == (0.5, 1.0)


def test_input_words_never_answer(glove):
    answer = analogies.solve(glove, "king - man + woman", k=30)
    assert not {"king", "man", "woman"} & {w for w, _ in answer.ranking}
    assert answer.best == "queen"


def test_restricting_ranks_only_the_most_frequent_words(glove):
    answer = analogies.solve(glove, "paris - france + italy", k=20, restrict=2_000)
    assert answer.candidates == 2_000
    assert all(glove.index[w] < 2_000 for w, _ in answer.ranking)
    full = analogies.solve(glove, "paris - france + italy", k=20)
    assert any(glove.index[w] >= 2_000 for w, _ in full.ranking)


def test_case_is_folded_and_spellings_merge(glove):
    assert analogies.solve(glove, "King - Man + Woman", k=1).best == "queen"
    assert analogies.solve(glove, "King + king - man", k=3).weights == (2.0, -1.0)


def test_odd_one_out_agrees_with_gensim(glove, keyed):
    for words in (["breakfast", "cereal", "dinner", "lunch"], ["paris", "london", "berlin", "banana"], ["red", "blue", "green", "car"]):
        ranking = analogies.odd_one_out(glove, words)
        assert ranking[-1][0] == keyed.doesnt_match(words)
        assert sorted(w for w, _ in ranking) == sorted(words)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: analogies.analogy("man", "", "woman"), "the 'b' box is empty"),
        (lambda g: analogies.analogy("king", "King", "king"), "All three words are"),
        (lambda g: analogies.analogy("man", "man", "woman"), "choose two different words"),
        (lambda g: analogies.solve(g, "kingg - man + woman"), "Did you mean: king"),
        (lambda g: analogies.solve(g, "king-man + woman"), "put spaces around the minus"),
        (lambda g: analogies.solve(g, "king - man", k=0), "k must be between"),
        (lambda g: analogies.solve(g, "king - man", method="3cosfoo"), "method must be one of"),
        (lambda g: analogies.solve(g, "-king - man", method="3cosmul"), "positive weight"),
        (lambda g: analogies.odd_one_out(g, ["cat", "dog"]), "at least three words"),
        (lambda g: analogies.odd_one_out(g, ["cat", "dog", "Cat"]), "three different words"),
    ],
)
def test_bad_input_gets_a_clear_message(glove, call, message):
    with pytest.raises(LabError) as caught:
        call(glove)
    assert message in str(caught.value)


def test_picture_draws_an_analogy_as_a_parallelogram(glove):
    answer = analogies.solve(glove, analogies.analogy("man", "king", "woman"))
    picture = analogies.picture(glove, answer)
    roles = {p["word"]: p["role"] for p in picture.points}
    assert roles["king"] == roles["man"] == roles["woman"] == "input"
    assert roles["queen"] == "answer"
    assert [(a["start"], a["end"]) for a in picture.arrows] == [("man", "king"), ("woman", "woman + (king - man)")]
    first, second = picture.arrows  # the two arrows are the same offset, so the same 2-D displacement
    np.testing.assert_allclose([first["x1"] - first["x0"], first["y1"] - first["y0"]],
                               [second["x1"] - second["x0"], second["y1"] - second["y0"]], atol=1e-4)
    assert 0 < sum(picture.explained) <= 1


def test_picture_draws_other_expressions_as_a_running_sum(glove):
    picture = analogies.picture(glove, analogies.solve(glove, "0.5*big + small - tiny"))
    assert [a["end"] for a in picture.arrows] == ["0.5*big", "0.5*big + small", "0.5*big + small - tiny"]
