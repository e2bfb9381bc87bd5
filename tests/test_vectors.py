import numpy as np
import pytest
import torch

from engine.errors import LabError
from engine.vectors import EmbeddingSet

CPU = torch.device("cpu")


@pytest.fixture(scope="module")
def random_set():
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(500)]
    return EmbeddingSet(words, rng.normal(size=(500, 16)).astype(np.float32), name="random", device=CPU)


def brute_force(matrix: np.ndarray, query: np.ndarray, k: int, skip: set[int]) -> list[int]:
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    scores = unit @ (query / np.linalg.norm(query))
    order = [int(i) for i in np.argsort(-scores) if int(i) not in skip]
    return order[:k]


def test_neighbours_of_a_word_match_a_numpy_reference(random_set):
    matrix = random_set.vectors.numpy()
    for row in (0, 17, 499):
        got = [word for word, _ in random_set.nearest(f"w{row}", k=10)]
        expected = [f"w{i}" for i in brute_force(matrix, matrix[row], 10, {row})]
        assert got == expected


def test_scores_are_cosines(random_set):
    (word, score), *_ = random_set.nearest("w3", k=1)
    a, b = random_set.vectors[3].numpy(), random_set.vectors[random_set.index[word]].numpy()
    assert score == pytest.approx(float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)), abs=1e-5)


def test_a_batch_of_queries_equals_one_query_at_a_time(random_set):
    queries = ["w1", "w2", random_set.vectors[40].numpy(), "w300"]
    batched = random_set.nearest_many(queries, k=7, exclude=["w5"])
    single = [random_set.nearest(query, k=7, exclude=["w5"]) for query in queries]
    assert [[w for w, _ in row] for row in batched] == [[w for w, _ in row] for row in single]


def test_a_vector_query_keeps_its_own_word_and_exclusions_are_honoured(random_set):
    own = random_set.nearest(random_set.vectors[9], k=3)
    assert own[0][0] == "w9"
    assert own[0][1] == pytest.approx(1.0, abs=1e-5)
    excluded = random_set.nearest(random_set.vectors[9], k=3, exclude=["w9"])
    assert "w9" not in [word for word, _ in excluded]


def test_chunked_scoring_gives_the_same_answer(random_set, monkeypatch):
    import engine.search as search

    queries = [f"w{i}" for i in range(20)]
    expected = random_set.nearest_many(queries, k=5)
    monkeypatch.setattr(search, "MAX_SCORE_BYTES", 3 * 4 * len(random_set))  # three queries per chunk
    chunked = random_set.nearest_many(queries, k=5)
    assert [[w for w, _ in row] for row in chunked] == [[w for w, _ in row] for row in expected]
    assert np.allclose([[s for _, s in row] for row in chunked], [[s for _, s in row] for row in expected], atol=1e-6)


def test_case_folding_is_explicit():
    words = ["paris", "Paris", "london"]
    space = EmbeddingSet(words, np.eye(3, dtype=np.float32), device=CPU)
    assert space.key("Paris") == "Paris"
    assert space.key("LONDON") == "london"
    with pytest.raises(LabError, match="'LONDON' is not in the vocabulary"):
        space.key("LONDON", fold_case=False)


def test_an_unknown_word_is_named_with_close_spellings(random_set):
    space = EmbeddingSet(["king", "queen", "kingdom"], np.eye(3, dtype=np.float32), name="tiny", device=CPU)
    with pytest.raises(LabError) as raised:
        space.nearest("kingg")
    assert "'kingg' is not in the vocabulary of tiny" in str(raised.value)
    assert "Did you mean: king" in str(raised.value)
    with pytest.raises(LabError, match=r"'breakfast' \(9 characters\) is not in the vocabulary of tiny: its longest word has 7"):
        space.nearest("breakfast")  # a real word, just longer than any here: not "type a single word"


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "box is empty"), ("   ", "box is empty"), ("x" * 10_000, "10,000 characters"), ("?!?", "not in the vocabulary"),
     ("東京", "not in the vocabulary")],
)
def test_bad_queries_raise_a_user_message(random_set, text, message):
    with pytest.raises(LabError, match=message):
        random_set.nearest(text)


def test_construction_refuses_mismatched_or_duplicate_words():
    with pytest.raises(LabError, match="2 words but 3 vectors"):
        EmbeddingSet(["a", "b"], np.zeros((3, 2), dtype=np.float32), device=CPU)
    with pytest.raises(LabError, match="repeated: 'a'"):
        EmbeddingSet(["a", "b", "a"], np.ones((3, 2), dtype=np.float32), device=CPU)
    with pytest.raises(LabError, match="2-D"):
        EmbeddingSet(["a"], np.ones(3, dtype=np.float32), device=CPU)


def test_head_keeps_the_first_words(random_set):
    top = random_set.head(50)
    assert len(top) == 50 and top.words == random_set.words[:50]
    assert all(word in top.words for word, _ in top.nearest("w0", k=5))
