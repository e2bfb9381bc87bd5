"""How good is a trained model: WordSim-353 and Google analogies next to GloVe's on the same words,
default probe words, and a 2-D map of the most frequent words.

Scores come from gensim's `evaluate_word_pairs` / `evaluate_word_analogies` on KeyedVectors. For a
fair comparison both models are restricted to the words they share, so GloVe is scored on exactly the
pairs and questions the small trained model can answer.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
from gensim.models import KeyedVectors
from sklearn.decomposition import PCA

from engine.sources import gensim_test_file
from engine.vectors import EmbeddingSet

_WORDSIM, _ANALOGIES = "wordsim353.tsv", "questions-words.txt"
_WORDSIM_PAIRS = 353
_PROBES = ("government", "music", "film", "market", "police", "game", "phone", "love", "election", "city", "economy", "team")


def keyed_vectors(words: Sequence[str], vectors: np.ndarray) -> KeyedVectors:
    """Words and their (words, dim) vectors as gensim KeyedVectors, for gensim's evaluations and comparisons."""
    kv = KeyedVectors(vectors.shape[1])
    kv.add_vectors(list(words), np.asarray(vectors, dtype=np.float32))
    return kv


def benchmark_scores(words: Sequence[str], vectors: np.ndarray, reference: EmbeddingSet | None = None) -> dict[str, float | int | None]:
    """WordSim-353 Spearman and analogy accuracy of a model, and of `reference` on the same words.

    Keys: wordsim_spearman, wordsim_pairs, analogy_accuracy, analogy_questions, and with a reference
    reference_wordsim_spearman and reference_analogy_accuracy. A score is None when no item is covered.
    """
    rows = list(range(len(words)))
    if reference is not None:
        rows = [row for row, word in enumerate(words) if word in reference]
    shared = [words[row] for row in rows]
    if not shared:
        return {"wordsim_spearman": None, "wordsim_pairs": 0, "analogy_accuracy": None, "analogy_questions": 0}
    scores = _scores(keyed_vectors(shared, np.asarray(vectors)[rows]))
    if reference is not None:
        reference_rows = [reference.index[word] for word in shared]
        reference_kv = keyed_vectors(shared, reference.vectors[reference_rows].cpu().numpy())
        reference_scores = _scores(reference_kv)
        scores["reference_wordsim_spearman"] = reference_scores["wordsim_spearman"]
        scores["reference_analogy_accuracy"] = reference_scores["analogy_accuracy"]
    return scores


def wordsim_spearman(kv: KeyedVectors) -> tuple[float | None, int]:
    """WordSim-353 Spearman correlation over the pairs `kv` covers, and how many pairs that is."""
    with _quiet_gensim():
        try:
            _, spearman, oov_percent = kv.evaluate_word_pairs(str(gensim_test_file(_WORDSIM)))
        except ValueError:  # scipy refuses a correlation of fewer than two covered pairs
            return None, 0
    pairs = round(_WORDSIM_PAIRS * (1 - oov_percent / 100))
    value = float(spearman.statistic)
    return (None if pairs < 3 or np.isnan(value) else value), pairs


def _scores(kv: KeyedVectors) -> dict[str, float | int | None]:
    spearman, pairs = wordsim_spearman(kv)
    with _quiet_gensim():
        accuracy, sections = kv.evaluate_word_analogies(str(gensim_test_file(_ANALOGIES)), restrict_vocab=len(kv))
    total = next((s for s in sections if s["section"] == "Total accuracy"), {"correct": [], "incorrect": []})
    questions = len(total["correct"]) + len(total["incorrect"])
    return {"wordsim_spearman": spearman, "wordsim_pairs": pairs,
            "analogy_accuracy": float(accuracy) if questions else None, "analogy_questions": questions}


@contextmanager
def _quiet_gensim() -> Iterator[None]:
    """gensim logs every uncovered pair and question at INFO; keep the app's log readable."""
    gensim_logger = logging.getLogger("gensim.models.keyedvectors")
    previous = gensim_logger.level
    gensim_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        gensim_logger.setLevel(previous)


def default_probes(words: Sequence[str], count: int = 4) -> list[str]:
    """Probe words for neighbour lists: familiar topical words the model knows, else mid-frequency words."""
    known = set(words)
    probes = [word for word in _PROBES if word in known][:count]
    middle = [word for word in words[50:] if len(word) > 3 and word not in probes]
    return probes + middle[: count - len(probes)]


def word_map(embeddings: EmbeddingSet, count: int = 300, seed: int = 0) -> pd.DataFrame:
    """The `count` most frequent words projected to 2-D by PCA of their unit vectors: word, x, y, rank."""
    count = min(count, len(embeddings))
    matrix = embeddings.unit[:count].cpu().numpy()  # (count, dim)
    components = min(2, count, matrix.shape[1])
    points = PCA(n_components=components, random_state=seed).fit_transform(matrix)  # (count, ≤2)
    points = np.pad(points, ((0, 0), (0, 2 - components)))
    return pd.DataFrame({"word": embeddings.words[:count], "x": points[:, 0], "y": points[:, 1], "rank": np.arange(1, count + 1)})
