"""GloVe's most frequent words as an EmbeddingSet and as gensim KeyedVectors, for tests that compare with gensim."""

import pytest

from engine.sources import load_glove
from engine.word2vec.evaluate import keyed_vectors


def glove_fixtures(words: int):
    """Module-scoped `glove` and `keyed` fixtures over the `words` most frequent words: `glove, keyed = glove_fixtures(N)`."""

    @pytest.fixture(scope="module")
    def glove():
        return load_glove(limit=words)

    @pytest.fixture(scope="module")
    def keyed(glove):
        return keyed_vectors(glove.words, glove.vectors.cpu().numpy())

    return glove, keyed
