"""How good is a trained model: WordSim-353 and Google analogies next to GloVe's on the same words,
default probe words, and a 2-D map of the most frequent words.

Scores come from the lab's own evaluators (`engine.benchmarks`, the same the Analogies page uses; they
give gensim's `evaluate_word_pairs` / `evaluate_word_analogies` results, tested). For a fair comparison
both models are restricted to the words they share, so GloVe is scored on exactly the pairs and
questions the small trained model can answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch
from sklearn.decomposition import PCA

from engine import benchmark_sets, benchmarks
from engine.errors import LabError
from engine.vectors import EmbeddingSet

_PROBES = ("government", "music", "film", "market", "police", "game", "phone", "love", "election", "city", "economy", "team")


def benchmark_scores(words: Sequence[str], vectors: np.ndarray, reference: EmbeddingSet | None = None) -> dict[str, float | int | None]:
    """WordSim-353 Spearman and analogy accuracy of a model, and of `reference` on the same words.

    Keys: wordsim_spearman, wordsim_pairs, analogy_accuracy, analogy_questions, and with a reference
    reference_wordsim_spearman and reference_analogy_accuracy. A score is None when no item is covered.
    """
    rows = shared_rows(words, reference)
    scores = model_scores([words[row] for row in rows], np.asarray(vectors)[rows])
    if reference is not None:
        reference_scores = reference_scores_on([words[row] for row in rows], reference)
        scores["reference_wordsim_spearman"] = reference_scores["wordsim_spearman"]
        scores["reference_analogy_accuracy"] = reference_scores["analogy_accuracy"]
    return scores


def shared_rows(words: Sequence[str], reference: EmbeddingSet | None) -> list[int]:
    """The rows of `words` that `reference` also knows (all rows without a reference): the fair common ground."""
    return [row for row, word in enumerate(words) if reference is None or word in reference]


def model_scores(words: Sequence[str], vectors: np.ndarray) -> dict[str, float | int | None]:
    """WordSim-353 Spearman and Google-analogy accuracy of these rows alone (None where nothing is covered)."""
    if len(words) < 2:
        return {"wordsim_spearman": None, "wordsim_pairs": 0, "analogy_accuracy": None, "analogy_questions": 0}
    return _scores(_as_set(words, vectors))


def reference_scores_on(words: Sequence[str], reference: EmbeddingSet) -> dict[str, float | int | None]:
    """The reference's scores on exactly `words` (all of which it knows), the line a model is to reach."""
    return model_scores(words, reference.vectors[[reference.index[word] for word in words]].cpu().numpy())


def wordsim_spearman(embeddings: EmbeddingSet) -> tuple[float | None, int]:
    """WordSim-353 Spearman correlation over the pairs the set covers, and how many pairs that is."""
    pairs = benchmark_sets.bundled_pairs("WordSim-353")
    try:
        report = benchmarks.evaluate_word_pairs(embeddings, pairs, restrict_vocab=len(embeddings))
    except LabError:  # fewer than 3 pairs covered: no correlation to speak of; say how many were
        known = {word.upper() for word in embeddings.words}  # the evaluator's case folding
        return None, sum(first.upper() in known and second.upper() in known for first, second, _ in pairs.pairs)
    return (None if np.isnan(report.spearman) else report.spearman), len(report.used)


def _as_set(words: Sequence[str], vectors: np.ndarray) -> EmbeddingSet:
    return EmbeddingSet(list(words), vectors, device=torch.device("cpu"))


def _scores(embeddings: EmbeddingSet) -> dict[str, float | int | None]:
    spearman, pairs = wordsim_spearman(embeddings)
    report = benchmarks.evaluate_analogies(embeddings, benchmark_sets.google_analogies(), restrict_vocab=len(embeddings))
    return {"wordsim_spearman": spearman, "wordsim_pairs": pairs,
            "analogy_accuracy": report.accuracy if report.answered else None, "analogy_questions": report.answered}


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
