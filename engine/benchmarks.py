"""Intrinsic benchmarks: the Google analogy set and word-similarity sets (WordSim-353, SimLex-999).

Readers turn the files gensim bundles (or a user's upload in the same format) into typed questions and
pairs, with line-numbered errors. Evaluators reproduce gensim's `evaluate_word_analogies` and
`evaluate_word_pairs` exactly (same case folding, same restricted vocabulary, same skipped questions)
but answer all questions at once instead of one `most_similar` call each:

    every question is b - a + c over a few hundred distinct words, so cos(x, b - a + c) ∝
    cos(x, b) + cos(x, c) - cos(x, a). One (distinct words × vocabulary chunk) matrix product on the
    device gives every cosine a question needs; combining three rows per question is cheap.

Chunks of the vocabulary keep memory bounded (a 19,544 × 300,000 score matrix would need 23 GB).
Answers whose best and second-best scores lie within the proven float32 error of each other
(`near_tie_margin`) are re-scored with gensim's own arithmetic, so no near-tie can flip the other way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from gensim import matutils
from numba import njit, prange
from scipy import stats

from engine.analogies import COSMUL_EPSILON, candidate_limit, check_method
from engine.errors import LabError
from engine.jobs import ProgressCallback
from engine.sources import gensim_test_file
from engine.uploads import BENCHMARK_FILE_LIMIT, decode_text
from engine.vectors import EmbeddingSet


GOOGLE_FILE = "questions-words.txt"
PAIR_FILES = {"WordSim-353": "wordsim353.tsv", "SimLex-999": "simlex999.txt"}
DEFAULT_RESTRICT = 300_000  # gensim's default for both evaluations
_MAX_ERRORS_SHOWN = 5


# ---------------------------------------------------------------- files


@dataclass(frozen=True)
class AnalogySection:
    name: str
    questions: tuple[tuple[str, str, str, str], ...]  # (a, b, c, expected): a is to b as c is to expected
    lines: tuple[int, ...]  # 1-based line number of each question

    def spread(self, count: int) -> AnalogySection:
        """At most `count` questions taken evenly across the section (its first rows all share one word pair)."""
        every = slice(None, None, max(1, len(self.questions) // max(1, count)))
        return AnalogySection(self.name, self.questions[every][:count], self.lines[every][:count])


@dataclass(frozen=True)
class AnalogySet:
    name: str
    sections: tuple[AnalogySection, ...]

    @property
    def size(self) -> int:
        return sum(len(section.questions) for section in self.sections)

    def section(self, name: str) -> AnalogySection:
        """The section called `name`."""
        for section in self.sections:
            if section.name == name:
                return section
        raise LabError(f"{self.name} has no section {name!r}; it has {', '.join(s.name for s in self.sections)}.")


@dataclass(frozen=True)
class PairSet:
    name: str
    pairs: tuple[tuple[str, str, float], ...]  # (first, second, human score)
    lines: tuple[int, ...]


def read_analogies(source: Path | bytes, name: str = "") -> AnalogySet:
    """Read an analogy file: `: section` header lines, then lines of four words `a b c expected`.

    Questions before the first header form a section named after the file. Blank lines and lines
    starting with '#' are skipped; any other line without exactly four words is an error.
    """
    name = name or (source.name if isinstance(source, Path) else "uploaded analogies")
    sections: list[AnalogySection] = []
    current, questions, lines = name, [], []
    errors: list[str] = []
    for number, line in _lines(source, name):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line.startswith(": "):
            if questions:
                sections.append(AnalogySection(current, tuple(questions), tuple(lines)))
            current, questions, lines = line.lstrip(": ").strip(), [], []
            continue
        words = stripped.split()
        if len(words) != 4:
            errors.append(f"line {number}: expected 4 words (a b c expected), found {len(words)}")
            continue
        questions.append(tuple(words))
        lines.append(number)
    _raise_errors(errors, name, "Each question line holds four words separated by spaces; sections start with ': name'.")
    if questions:
        sections.append(AnalogySection(current, tuple(questions), tuple(lines)))
    if not sections:
        raise LabError(f"{name} holds no analogy questions (lines of four words).")
    return AnalogySet(name, tuple(sections))


def read_word_pairs(source: Path | bytes, name: str = "") -> PairSet:
    """Read a word-pair file: `first <tab> second <tab> score` per line (commas or spaces also work).

    Lines starting with '#' are comments, and a first line whose score is not a number is a header.
    """
    name = name or (source.name if isinstance(source, Path) else "uploaded word pairs")
    pairs, lines, errors = [], [], []
    for number, line in _lines(source, name):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        separator = "\t" if "\t" in stripped else "," if "," in stripped else None
        fields = [field.strip() for field in stripped.split(separator)]
        if len(fields) != 3:
            errors.append(f"line {number}: expected 3 columns (word, word, score), found {len(fields)}")
            continue
        try:
            score = float(fields[2])
        except ValueError:
            if pairs or errors:
                errors.append(f"line {number}: the score {fields[2]!r} is not a number")
            continue  # the file's header line
        if not np.isfinite(score):
            errors.append(f"line {number}: the score {fields[2]!r} is not a finite number")
            continue
        pairs.append((fields[0], fields[1], score))
        lines.append(number)
    _raise_errors(errors, name, "Each line holds two words and a number, separated by tabs.")
    if len(pairs) < 3:
        raise LabError(f"{name} holds {len(pairs)} word pairs; a correlation needs at least 3.")
    return PairSet(name, tuple(pairs), tuple(lines))


def google_analogies() -> AnalogySet:
    """Mikolov et al.'s 19,544 questions in 14 sections, as bundled with gensim."""
    return read_analogies(gensim_test_file(GOOGLE_FILE), "Google analogies")


def bundled_pairs(name: str) -> PairSet:
    if name not in PAIR_FILES:
        raise LabError(f"unknown word-pair set {name!r}; choose one of {', '.join(PAIR_FILES)}.")
    return read_word_pairs(gensim_test_file(PAIR_FILES[name]), name)


def _lines(source: Path | bytes, name: str) -> list[tuple[int, str]]:
    """(1-based number, text) for each line of a bundled file or an upload, decoded by engine.uploads."""
    data = source.read_bytes() if isinstance(source, Path) else bytes(source)
    return list(enumerate(decode_text(data, name, limit_bytes=BENCHMARK_FILE_LIMIT).splitlines(), start=1))


def _raise_errors(errors: list[str], name: str, advice: str) -> None:
    if not errors:
        return
    shown = "; ".join(errors[:_MAX_ERRORS_SHOWN])
    more = f" (and {len(errors) - _MAX_ERRORS_SHOWN} more)" if len(errors) > _MAX_ERRORS_SHOWN else ""
    raise LabError(f"{name} has {len(errors)} malformed line{'s' if len(errors) > 1 else ''}: {shown}{more}. {advice}")


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
        best, best_row, second = _scan(embeddings, questions, excluded, limit, method, backend, on_progress)
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


def _scan(
    embeddings: EmbeddingSet,
    questions: np.ndarray,
    excluded: np.ndarray,
    limit: int,
    method: str,
    backend: str,
    on_progress: ProgressCallback | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best score, its row and the second-best score per question, over the first `limit` rows."""
    distinct, positions = np.unique(questions[:, :3], return_inverse=True)
    positions = positions.reshape(-1, 3)  # (answered, 3): where a, b, c sit among the distinct words
    device = embeddings.device
    words = embeddings.unit[torch.as_tensor(distinct, device=device)]  # (distinct, dim)
    use_kernel = backend == "auto" and device.type == "cpu"
    if use_kernel:
        tile = _kernel_tile(len(distinct))
        chunk = max(tile, _CHUNK_FLOATS // len(distinct) // tile * tile)  # few products, each many tiles wide
        state: _KernelState | _TorchState = _KernelState(len(questions), tile)
    else:
        chunk = max(256, 2**25 // max(len(questions), 1))
        state = _TorchState(len(questions), device)
    total = -(-limit // chunk)
    for step, start in enumerate(range(0, limit, chunk), start=1):
        stop = min(start + chunk, limit)
        sims = words @ embeddings.unit[start:stop].T  # (distinct, chunk): every cosine the questions need
        state.update(sims, positions, excluded, start, method)
        if on_progress is not None:
            on_progress(step, total, {"words_scanned": stop, "questions": len(questions)})
    return state.result()


class _TorchState:
    """The running top two per question, on any device: one (questions × chunk) block at a time."""

    _BLOCK = 2**25  # floats in one score block: 128 MiB

    def __init__(self, count: int, device: torch.device) -> None:
        self.values = torch.full((count, 2), -torch.inf, device=device)  # (questions, 2)
        self.rows = torch.full((count, 2), -1, dtype=torch.int64, device=device)

    def update(self, sims: torch.Tensor, positions: np.ndarray, excluded: np.ndarray, start: int, method: str) -> None:
        device, width = sims.device, sims.shape[1]
        places = torch.as_tensor(positions, device=device)
        banned = torch.as_tensor(excluded, device=device) - start  # (questions, 3)
        banned = torch.where((banned >= 0) & (banned < width), banned, width)  # out of chunk → spare column
        step = max(1, self._BLOCK // (width + 1))
        for first in range(0, len(places), step):
            part = slice(first, first + step)
            a, b, c = (sims[places[part, i]] for i in range(3))  # each (block, chunk)
            scores = torch.full((a.shape[0], width + 1), -torch.inf, device=device)
            scores[:, :width] = _combine(a, b, c, method)
            scores.scatter_(1, banned[part], -torch.inf)
            values, rows = scores[:, :width].topk(min(2, width), dim=1)
            merged_values = torch.cat([self.values[part], values], dim=1)
            merged_rows = torch.cat([self.rows[part], rows + start], dim=1)
            top, order = merged_values.topk(2, dim=1)
            self.values[part], self.rows[part] = top, merged_rows.gather(1, order)

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        values, rows = self.values.cpu().numpy(), self.rows.cpu().numpy()
        return values[:, 0], rows[:, 0], values[:, 1]


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


# ---------------------------------------------------------------- the CPU kernel
# torch has no fused "gather three rows, combine, keep the best two" operation; done as separate torch
# ops on the CPU it writes and rereads a (questions × chunk) block several times, several times slower
# than this one pass. numba (already required by umap-learn) compiles it once and caches it on disk.

_ADD, _MUL = 0, 1
_METHOD_CODES = {"3cosadd": _ADD, "3cosmul": _MUL}
_FLOOR = np.float32(-3e38)  # "no score yet": finite, since fastmath code may assume there are no infinities
_BLOCK = 256  # candidates tested at once with vector instructions before any branchy bookkeeping


_CHUNK_FLOATS = 2**23  # one (distinct words × chunk) cosine block: 32 MiB


def _kernel_tile(distinct: int) -> int:
    """Vocabulary rows per tile, so the (distinct words × tile) cosines being read fit a core's 2 MiB cache."""
    return int(np.clip(2**19 // max(distinct, 1) // _BLOCK * _BLOCK, _BLOCK, 16 * _BLOCK))


_ONE, _HALF, _EPSILON = np.float32(1), np.float32(0.5), np.float32(COSMUL_EPSILON)  # float32 throughout


@njit(fastmath=True, cache=True)
def _kernel_score(sa, sb, sc, method):  # pragma: no cover - compiled
    if method == _ADD:
        return sb + sc - sa
    return ((_ONE + sb) * _HALF) * ((_ONE + sc) * _HALF) / ((_ONE + sa) * _HALF + _EPSILON)


@njit(fastmath=True, cache=True)
def _block_hits(ra, rb, rc, threshold, method):  # pragma: no cover - compiled
    """How many candidates of a block beat `threshold`: a branch-free loop the compiler vectorises.

    The block arrives as slices indexed from 0; with offset indices LLVM leaves the loop scalar (7× slower).
    """
    count = np.int32(0)
    if method == _ADD:
        for x in range(ra.shape[0]):
            if rb[x] + rc[x] - ra[x] > threshold:
                count += np.int32(1)
    else:
        for x in range(ra.shape[0]):
            if _kernel_score(ra[x], rb[x], rc[x], _MUL) > threshold:
                count += np.int32(1)
    return count


@njit(fastmath=True, cache=True, parallel=True)
def _scan_chunk(sims, positions, excluded, start, method, tile, best, best_row, second):  # pragma: no cover - compiled
    """Fold a vocabulary chunk of cosines (distinct, chunk) into each question's running top two.

    Column tiles of `tile` rows keep the cosines being read in a core's cache; the questions of a tile are
    split across numba's threads (each question's running top two is its own, so no two threads write alike).
    """
    width = sims.shape[1]
    for t0 in range(0, width, tile):
        t1 = min(t0 + tile, width)
        for q in prange(positions.shape[0]):
            ra, rb, rc = sims[positions[q, 0], t0:t1], sims[positions[q, 1], t0:t1], sims[positions[q, 2], t0:t1]
            top, top_row, runner_up = best[q], best_row[q], second[q]
            for lo in range(0, t1 - t0, _BLOCK):
                hi = min(lo + _BLOCK, t1 - t0)
                block_a, block_b, block_c = ra[lo:hi], rb[lo:hi], rc[lo:hi]
                if _block_hits(block_a, block_b, block_c, runner_up, method) == 0:
                    continue  # the common case once the frequent words have set a high bar
                for x in range(hi - lo):
                    score = _kernel_score(block_a[x], block_b[x], block_c[x], method)
                    row = start + t0 + lo + x
                    if score <= runner_up or row == excluded[q, 0] or row == excluded[q, 1] or row == excluded[q, 2]:
                        continue
                    if score > top:
                        runner_up, top, top_row = top, score, row
                    else:
                        runner_up = score
            best[q], best_row[q], second[q] = top, top_row, runner_up


class _KernelState:
    """The running top two per question in NumPy arrays, updated in place by the compiled kernel."""

    def __init__(self, count: int, tile: int) -> None:
        self.tile = tile
        self.best = np.full(count, _FLOOR, dtype=np.float32)
        self.best_row = np.full(count, -1, dtype=np.int64)
        self.second = np.full(count, _FLOOR, dtype=np.float32)

    def update(self, sims: torch.Tensor, positions: np.ndarray, excluded: np.ndarray, start: int, method: str) -> None:
        _scan_chunk(sims.numpy(), positions, excluded, start, _METHOD_CODES[method], self.tile, self.best, self.best_row, self.second)

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.best, self.best_row, self.second


def _combine(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor, method: str) -> torch.Tensor:
    """Scores from the cosines of candidates to a, b and c (same shapes), as the kernel computes them."""
    if method == "3cosadd":
        return b + c - a
    return ((1 + b) * 0.5) * ((1 + c) * 0.5) / ((1 + a) * 0.5 + COSMUL_EPSILON)


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

