"""Intrinsic benchmarks: analogy and word-similarity scores, equal to gensim's.

The test sets come from `engine.benchmark_sets` (the Google analogies, WordSim-353, SimLex-999, or a
user's upload in their format). Evaluators reproduce gensim's `evaluate_word_analogies` and
`evaluate_word_pairs` exactly (same case folding, same restricted vocabulary, same skipped questions)
but answer all questions at once instead of one `most_similar` call each:

    every question is b - a + c over a few hundred distinct words, so cos(x, b - a + c) ∝
    cos(x, b) + cos(x, c) - cos(x, a). One (distinct words × vocabulary chunk) matrix product on the
    device gives every cosine a question needs; combining three rows per question is cheap.

That scan is `engine.analogy_scan`. Chunks of the vocabulary keep memory bounded (a 19,544 × 300,000
score matrix would need 23 GB). Answers whose best and second-best scores lie within the proven
float32 error of each other (`near_tie_margin`) are re-scored with gensim's own arithmetic, so no
near-tie can flip the other way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from gensim import matutils
from scipy import stats

from engine.analogies import candidate_limit, check_method
from engine.analogy_scan import scan
from engine.benchmark_sets import AnalogySet, PairSet
from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.vectors import EmbeddingSet

DEFAULT_RESTRICT = 300_000  # gensim's default for both evaluations


# ---------------------------------------------------------------- analogy evaluation


@dataclass(frozen=True)
class SectionScore:
    name: str
    correct: int
    answered: int  # questions with every word in the restricted vocabulary
    skipped: int  # questions with a word outside it

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


@dataclass
class AnalogyReport:
    """Accuracy per section and overall, with every answered question's prediction."""

    set_name: str
    embeddings: str
    method: str
    restrict_vocab: int
    sections: list[SectionScore]
    predictions: list[tuple[str, str, str, str, str, str]]  # (section, a, b, c, expected, predicted)
    seconds: float
    device: str
    rescored: int = 0  # near-ties and colliding spellings settled with gensim's own arithmetic
    case_insensitive: bool = True  # how `right` compares the answer with the expected word, as the scoring did

    @property
    def correct(self) -> int:
        return sum(section.correct for section in self.sections)

    @property
    def answered(self) -> int:
        return sum(section.answered for section in self.sections)

    @property
    def skipped(self) -> int:
        return sum(section.skipped for section in self.sections)

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0

    @property
    def oov_rate(self) -> float:
        """The share of questions skipped for a word outside the restricted vocabulary."""
        total = self.answered + self.skipped
        return self.skipped / total if total else 0.0

    def right(self, prediction: tuple[str, str, str, str, str, str]) -> bool:
        """Whether one of `predictions` was answered right, by the rule the accuracy counted."""
        expected, predicted = prediction[4], prediction[5]
        return expected.upper() == predicted.upper() if self.case_insensitive else expected == predicted

    @property
    def wrong(self) -> list[tuple[str, str, str, str, str, str]]:
        return [prediction for prediction in self.predictions if not self.right(prediction)]


def evaluate_analogies(
    embeddings: EmbeddingSet,
    analogies: AnalogySet,
    *,
    restrict_vocab: int = DEFAULT_RESTRICT,
    case_insensitive: bool = True,
    method: str = "3cosadd",
    on_progress: ProgressCallback | None = None,
    backend: str = "auto",
) -> AnalogyReport:
    """Answer every question as gensim's `evaluate_word_analogies` does, batched on the device.

    Only the first `restrict_vocab` words count: a question with a word outside them is skipped, and
    answers come from them. With `case_insensitive`, words match after upper-casing, the most frequent
    spelling winning. The answer is the best-scoring word other than the three given (method 3cosadd is
    gensim's, including its rule for spellings that fold alike; 3cosmul is Levy & Goldberg's). `backend` 'auto' scans on the CPU with a compiled kernel and
    on a GPU with torch; 'torch' forces the torch path (tests compare the two).
    """
    check_method(method)
    if backend not in ("auto", "torch"):
        raise LabError(f"backend must be 'auto' or 'torch'; got {backend!r}.")
    started = time.perf_counter()
    limit = candidate_limit(embeddings, restrict_vocab, "restrict_vocab")
    if limit < 4:
        raise LabError(f"an analogy needs at least 4 words to search (three given, one answer); got {limit}.")
    vocabulary, aliases = _folded_vocabulary(embeddings, limit, case_insensitive)
    fold = str.upper if case_insensitive else str

    rows, scored, sections = [], [], []
    for section in analogies.sections:
        skipped = 0
        for question in section.questions:
            keys = [fold(word) for word in question]
            if all(key in vocabulary for key in keys):
                rows.append([vocabulary[key] for key in keys])
                scored.append((section.name, *question))
            else:
                skipped += 1
        sections.append((section.name, len(scored), skipped))
    questions = np.asarray(rows, dtype=np.int64).reshape(-1, 4)  # (answered, 4): rows of a, b, c, expected

    predicted, rescored = np.empty(0, dtype=np.int64), 0
    if len(questions):
        excluded = np.ascontiguousarray(questions[:, :3])  # (answered, 3): an input word never answers
        best, best_row, second = scan(embeddings, questions, excluded, limit, method, backend, on_progress)
        if method == "3cosadd":
            near_tie = (best - second) < near_tie_margin(embeddings.dim)
            exact = _collides(embeddings, questions, aliases, fold) | near_tie
            if exact.any():
                best_row[exact] = _gensim_answers(embeddings, questions[exact], limit, fold)
                rescored = int(exact.sum())
        predicted = best_row

    scores, start = [], 0
    # right when the answer's folded spelling is the expected one, as in gensim ('Rome' answers 'rome')
    hits = np.array([fold(embeddings.words[row]) == fold(q[4]) for row, q in zip(predicted.tolist(), scored)], dtype=bool)
    for name, end, skipped in sections:
        scores.append(SectionScore(name, int(hits[start:end].sum()), end - start, skipped))
        start = end
    words = embeddings.words
    predictions = [(*question, words[row]) for question, row in zip(scored, predicted.tolist())]
    return AnalogyReport(
        analogies.name, embeddings.name, method, limit, scores, predictions,
        time.perf_counter() - started, str(embeddings.device), rescored, case_insensitive,
    )


def _folded_vocabulary(embeddings: EmbeddingSet, limit: int, fold: bool) -> tuple[dict[str, int], dict[str, list[int]]]:
    """{folded word: first row} over the first `limit` rows, and every row of spellings that collide."""
    vocabulary: dict[str, int] = {}
    aliases: dict[str, list[int]] = {}
    for row, word in enumerate(embeddings.words[:limit]):
        key = word.upper() if fold else word
        if key in vocabulary:
            aliases.setdefault(key, [vocabulary[key]]).append(row)
        else:
            vocabulary[key] = row
    return vocabulary, aliases


def near_tie_margin(dim: int) -> float:
    """A gap between 3CosAdd's best and second-best scores above which gensim must pick the same word.

    Scores are S(x) = x̂·(b̂ + ĉ − â) for unit rows v̂; u = 2⁻²⁴ (float32), γ = dim·u / (1 − dim·u) bounds a
    float32 dot product's error relative to Σ|terms| in any summation order (Higham, Thm 3.1).
    - A stored unit row errs by ρ = γ + 2u per component, relatively (the norm's sum of squares γ, the
      square root and the division u each).
    - The lab: each cosine of stored rows errs by ≤ γ(1 + ρ)² + 2ρ + ρ² (Cauchy–Schwarz on unit rows),
      and sb + sc − sa adds two roundings of sums ≤ 2 and ≤ 3: E_lab ≤ 3(γ + 2ρ) + 5u to first order.
    - gensim: the mean of the three unit rows carries ≤ (ρ + 4u)·(|â_i| + |b̂_i| + |ĉ_i|) per component (the
      rows, two float32 additions, the division and the cast), and unitvec's scale is common to every
      candidate, so it cannot reorder them; the product with v_x and the division by its norm add
      3γ + 3(ρ + u) (Σ|x̂_i|(|â_i| + |b̂_i| + |ĉ_i|) ≤ 3): E_gensim ≤ 3γ + 6ρ + 15u.
    If best − second > 2(E_lab + E_gensim), the best word's exact score beats every other word's by more
    than 2·E_gensim, so gensim ranks it first too. The factor 1.01 covers the higher-order terms.
    For 50 dimensions this is 1.1e-4 (the 2e-5 × ‖b − a + c‖ used before was not derived, and smaller).
    """
    u = 2.0**-24
    gamma = dim * u / (1 - dim * u)
    rho = gamma + 2 * u
    lab = 3 * (gamma * (1 + rho) ** 2 + 2 * rho + rho**2) + 5 * u
    gensim = 3 * gamma + 6 * rho + 15 * u
    return 1.01 * 2 * (lab + gensim)


def _collides(embeddings: EmbeddingSet, questions: np.ndarray, aliases: dict[str, list[int]], fold: Callable[[str], str]) -> np.ndarray:
    """Which questions have an input word with other spellings that fold alike ('Paris' for 'paris').

    gensim drops the three input rows, then skips an answer whose folded spelling equals an input's,
    but only within its top five; such questions are settled exactly as gensim settles them.
    """
    collides = np.zeros(len(questions), dtype=bool)
    if aliases:
        words = embeddings.words
        for i, row in enumerate(questions[:, :3]):
            collides[i] = any(fold(words[r]) in aliases for r in row)
    return collides


def _gensim_answers(embeddings: EmbeddingSet, questions: np.ndarray, limit: int, fold: Callable[[str], str]) -> np.ndarray:
    """Answers computed step for step as gensim's evaluate_word_analogies does (for near-ties only).

    Same float32 matrix-vector product, same float64 mean, same top-5 rule, so the result is gensim's.
    """
    vectors = embeddings.vectors[:limit].cpu().numpy()  # (limit, dim) float32, as KeyedVectors holds them
    norms = np.linalg.norm(vectors, axis=1)  # gensim's fill_norms
    words = embeddings.words
    answers = np.empty(len(questions), dtype=np.int64)
    for i, (a, b, c, _) in enumerate(questions):
        mean = np.zeros(vectors.shape[1], dtype=np.float32)
        for weight, row in zip(np.array([1.0, 1.0, -1.0]), (b, c, a)):
            mean += weight * (vectors[row] / norms[row])
        mean = matutils.unitvec(mean / np.float64(3.0)).astype(np.float32)
        dists = np.dot(vectors, mean) / norms
        best = matutils.argsort(dists, topn=8, reverse=True)
        candidates = [int(row) for row in best if row not in (b, c, a)][:5]
        ignore = {fold(words[row]) for row in (a, b, c)}
        answers[i] = next((row for row in candidates if fold(words[row]) not in ignore), candidates[-1])
    return answers


# ---------------------------------------------------------------- word-pair evaluation


@dataclass
class PairReport:
    """How well cosine similarity ranks word pairs as people did."""

    set_name: str
    embeddings: str
    spearman: float
    pearson: float
    used: list[tuple[str, str, float, float]]  # (first, second, human score, cosine)
    skipped: list[tuple[str, str]]  # pairs with a word outside the restricted vocabulary

    @property
    def oov_rate(self) -> float:
        total = len(self.used) + len(self.skipped)
        return len(self.skipped) / total if total else 0.0


def evaluate_word_pairs(
    embeddings: EmbeddingSet,
    pairs: PairSet,
    *,
    restrict_vocab: int = DEFAULT_RESTRICT,
    case_insensitive: bool = True,
) -> PairReport:
    """Spearman and Pearson correlation of cosine with human scores, as gensim's `evaluate_word_pairs`."""
    limit = candidate_limit(embeddings, restrict_vocab, "restrict_vocab")
    vocabulary, _ = _folded_vocabulary(embeddings, limit, case_insensitive)
    fold = str.upper if case_insensitive else str
    found, used, skipped = [], [], []
    for first, second, score in pairs.pairs:
        keys = fold(first), fold(second)
        if keys[0] in vocabulary and keys[1] in vocabulary:
            found.append((vocabulary[keys[0]], vocabulary[keys[1]]))
            used.append((first, second, score))
        else:
            skipped.append((first, second))
    if len(used) < 3:
        raise LabError(
            f"Only {len(used)} of the {len(pairs.pairs)} pairs in {pairs.name} have both words among the "
            f"{limit:,} words searched; a correlation needs at least 3. Allow more words or use another set."
        )
    index = torch.as_tensor(np.asarray(found), device=embeddings.device)  # (pairs, 2)
    # cosines in float64, so rounding cannot reorder pairs that people scored apart
    left, right = embeddings.vectors[index[:, 0]].double(), embeddings.vectors[index[:, 1]].double()  # (pairs, dim)
    cosines = ((left * right).sum(dim=1) / (left.norm(dim=1) * right.norm(dim=1)).clamp_min(1e-300)).cpu().numpy()
    gold = np.array([score for _, _, score in used])
    spearman = float(stats.spearmanr(gold, cosines).statistic)
    pearson = float(stats.pearsonr(gold, cosines).statistic)
    rows = [(first, second, score, float(cos)) for (first, second, score), cos in zip(used, cosines)]
    return PairReport(pairs.name, embeddings.name, spearman, pearson, rows, skipped)

