import numpy as np
import pytest

from engine.errors import LabError
from engine.sources import GLOVE_WORDS, glove_files, gensim_test_file, load_glove


@pytest.fixture(scope="module")
def glove():
    return load_glove()


def test_glove_has_every_word_in_frequency_order(glove):
    assert len(glove) == GLOVE_WORDS and glove.dim == 50
    assert glove.words[:4] == ["the", ",", ".", "of"]


def test_glove_rows_are_the_packaged_matrix(glove):
    matrix_path, _ = glove_files()
    raw = np.load(matrix_path, mmap_mode="r")
    row = glove.index["frog"]
    assert np.allclose(glove.vectors[row].cpu().numpy(), raw[row])
    assert np.allclose(glove.unit.norm(dim=1).cpu().numpy()[:1000], 1.0, atol=1e-5)


def test_pretrained_structure_is_there(glove):
    assert "queen" in [word for word, _ in glove.nearest("king", k=10)]
    assert glove.similarity("cat", "dog") > glove.similarity("cat", "economy")


def test_a_limit_keeps_the_most_frequent_words():
    top = load_glove(limit=1000)
    assert len(top) == 1000 and top.words[0] == "the"
    assert "1,000" in top.name
    with pytest.raises(LabError, match="between 1 and 400,000"):
        load_glove(limit=0)


def test_benchmark_files_are_found_and_a_missing_one_is_refused():
    assert gensim_test_file("wordsim353.tsv").stat().st_size > 0
    with pytest.raises(LabError, match="no file named"):
        gensim_test_file("nope.txt")
