"""GloVe's most frequent words as an EmbeddingSet and as gensim KeyedVectors, for tests that compare with gensim."""

import numpy as np
import pytest
from gensim.models import KeyedVectors

from engine.sources import load_glove


def keyed_vectors(words: list[str], vectors: np.ndarray) -> KeyedVectors:
    """Words and their (words, dim) vectors as gensim KeyedVectors, the peer the tests compare with."""
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(list(words), np.asarray(vectors, dtype=np.float32))
    return kv


def glove_fixtures(words: int):
    """Module-scoped `glove` and `keyed` fixtures over the `words` most frequent words: `glove, keyed = glove_fixtures(N)`."""

    @pytest.fixture(scope="module")
    def glove():
        return load_glove(limit=words)

    @pytest.fixture(scope="module")
    def keyed(glove):
        return keyed_vectors(glove.words, glove.vectors.cpu().numpy())

    return glove, keyed
