"""Word arithmetic on an embedding set: analogies by 3CosAdd and 3CosMul, odd one out, and a 2-D picture.

Where `EmbeddingSet.nearest` ranks words by closeness to one vector, this module ranks them by how well
they complete `a : b :: c : ?` (or any weighted sum of words), the Levy & Goldberg (2014) objectives:

- 3CosAdd: cos(x, b - a + c), the vector offset of Mikolov et al., gensim's `most_similar`;
- 3CosMul: cos'(x, b) · cos'(x, c) / (cos'(x, a) + ε) with cos' = (1 + cos) / 2, gensim's
  `most_similar_cosmul`, which keeps one large similarity from drowning the others.

Both score every candidate with one matrix product on the set's device; the input words never appear
among the answers. Benchmark-scale evaluation (thousands of questions) lives in `engine.benchmarks`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from sklearn.decomposition import PCA

from engine.errors import LabError
from engine.expressions import Expression, parse
from engine.vectors import EmbeddingSet, Neighbours

METHODS = {"3cosadd": "3CosAdd · vector offset", "3cosmul": "3CosMul · Levy & Goldberg"}
COSMUL_EPSILON = 1e-6  # gensim's, so that rankings agree with most_similar_cosmul
MAX_K = 100


@dataclass(frozen=True)
class Answer:
    """The ranked completions of one expression."""

    expression: Expression
    keys: tuple[str, ...]  # the vocabulary entries the expression's words resolved to
    weights: tuple[float, ...]  # one per key; spellings that fold together are summed
    method: str
    candidates: int  # how many of the most frequent words were ranked
    ranking: Neighbours

    @property
    def best(self) -> str:
        return self.ranking[0][0]


def check_method(method: str) -> str:
    if method not in METHODS:
        raise LabError(f"method must be one of {', '.join(METHODS)}; got {method!r}.")
    return method


def analogy(a: str, b: str, c: str) -> Expression:
    """`a is to b as c is to ?` as the expression b - a + c, after checking the three fields."""
    fields = {"a": a, "b": b, "c": c}
    for name, word in fields.items():
        if not isinstance(word, str) or not word.strip():
            raise LabError(f"Fill in all three words: the '{name}' box is empty.")
    a, b, c = (word.strip() for word in fields.values())
    if a.lower() == b.lower() == c.lower():
        raise LabError(f"All three words are '{a}'; an analogy needs at least two different words.")
    if a.lower() == b.lower():
        raise LabError(f"'{a}' is to '{b}' is no relation (the offset b - a is zero); choose two different words for a and b.")
    return Expression(((b, 1.0), (a, -1.0), (c, 1.0)))


def solve(
    embeddings: EmbeddingSet,
    expression: Expression | str,
    *,
    method: str = "3cosadd",
    k: int = 10,
    restrict: int | None = None,
) -> Answer:
    """The k best completions of `expression` among the `restrict` most frequent words (all by default)."""
    check_method(method)
    if isinstance(expression, str):
        expression = parse(expression)
    if not 1 <= k <= MAX_K:
        raise LabError(f"k must be between 1 and {MAX_K}; got {k}.")
    limit = candidate_limit(embeddings, restrict)
    rows, weights, keys = _resolve(embeddings, expression)
    candidates = embeddings.unit[:limit]  # (limit, dim)
    scores = _score(candidates, embeddings.unit[rows], weights, method)  # (limit,)
    inside = rows[rows < limit]
    scores[inside] = -torch.inf  # the input words are never their own answer
    count = min(k, limit - len(inside))
    if count < 1:
        raise LabError(f"Only the input words are among the {limit:,} most frequent words; allow more candidates.")
    top_scores, top_rows = scores.topk(count)
    ranking = [(embeddings.words[r], s) for r, s in zip(top_rows.tolist(), top_scores.tolist())]
    return Answer(expression, keys, tuple(weights.tolist()), method, limit, ranking)


def odd_one_out(embeddings: EmbeddingSet, words: list[str]) -> Neighbours:
    """The words ranked by cosine to their mean direction, the odd one last (gensim's `doesnt_match`)."""
    cleaned = [word.strip() for word in words if word.strip()]
    if len(cleaned) < 3:
        raise LabError(f"Give at least three words to find the odd one out; got {len(cleaned)}.")
    keys = list(dict.fromkeys(embeddings.key(word) for word in cleaned))
    if len(keys) < 3:
        raise LabError("Some words repeat; give at least three different words.")
    unit = embeddings.unit[[embeddings.index[key] for key in keys]]  # (words, dim)
    centre = unit.mean(dim=0)
    cosines = unit @ (centre / centre.norm().clamp_min(1e-12))  # (words,)
    order = cosines.argsort(descending=True).tolist()
    return [(keys[i], float(cosines[i])) for i in order]


@dataclass(frozen=True)
class Picture:
    """A 2-D PCA view of an expression: word points, the arithmetic as arrows, and the variance kept."""

    points: list[dict]  # {"word", "x", "y", "role"}: role is input, answer or neighbour
    arrows: list[dict]  # {"start", "end", "x0", "y0", "x1", "y1"}
    explained: tuple[float, float]


def picture(embeddings: EmbeddingSet, answer: Answer, *, neighbours: int = 4, seed: int = 0) -> Picture:
    """Fit PCA on the input words, the top answers and each input's nearest neighbours; draw the arithmetic.

    An analogy (b - a + c) is drawn as a parallelogram: the offset a → b, and the same offset from c to
    the computed point, next to the answer. Any other expression is drawn as the running sum, term by term.
    """
    inputs = list(answer.keys)
    answers = [word for word, _ in answer.ranking[:3]]
    context = [word for key in inputs for word, _ in embeddings.nearest(key, k=neighbours) if word not in answers]
    words = list(dict.fromkeys(inputs + answers + context))
    unit = embeddings.unit[[embeddings.index[word] for word in words]].cpu().numpy()  # (words, dim)
    pca = PCA(n_components=2, random_state=seed).fit(unit)
    xy = pca.transform(unit)  # (words, 2)
    roles = {word: "neighbour" for word in context} | {word: "answer" for word in answers} | {word: "input" for word in inputs}
    points = [{"word": w, "x": float(x), "y": float(y), "role": roles[w]} for w, (x, y) in zip(words, xy)]

    vector = {key: embeddings.unit[embeddings.index[key]].cpu().numpy() for key in inputs}
    steps: list[tuple[str, np.ndarray]]
    if list(answer.weights) == [1.0, -1.0, 1.0]:
        b, a, c = inputs
        steps = [(a, vector[a]), (b, vector[b]), (c, vector[c]), (f"{c} + ({b} - {a})", vector[c] + vector[b] - vector[a])]
        pairs = [(0, 1), (2, 3)]
    else:
        terms = list(zip(inputs, answer.weights))
        total, steps = np.zeros_like(vector[inputs[0]]), [("0", np.zeros_like(vector[inputs[0]]))]
        for i, (key, weight) in enumerate(terms):
            total = total + weight * vector[key]
            steps.append((str(Expression(tuple(terms[: i + 1]))), total))
        pairs = [(i, i + 1) for i in range(len(steps) - 1)]
    ends = pca.transform(np.stack([point for _, point in steps]))  # (steps, 2)
    arrows = [
        {"start": steps[i][0], "end": steps[j][0], "x0": float(ends[i, 0]), "y0": float(ends[i, 1]), "x1": float(ends[j, 0]), "y1": float(ends[j, 1])}
        for i, j in pairs
    ]
    return Picture(points, arrows, tuple(float(v) for v in pca.explained_variance_ratio_))


def candidate_limit(embeddings: EmbeddingSet, restrict: int | None, name: str = "the number of candidate words") -> int:
    """How many of the most frequent words to search (all for None); `name` is the setting in the message."""
    if restrict is None:
        return len(embeddings)
    if restrict < 1:
        raise LabError(f"{name} must be at least 1; got {restrict:,}.")
    return min(restrict, len(embeddings))


def _resolve(embeddings: EmbeddingSet, expression: Expression) -> tuple[torch.Tensor, torch.Tensor, tuple[str, ...]]:
    """Vocabulary rows and weights of the expression's words; spellings that fold together are merged."""
    merged: dict[str, float] = {}
    for word, weight in expression.terms:
        try:
            key = embeddings.key(word)
        except LabError as error:
            hint = " To subtract, put spaces around the minus: king - man." if "-" in word.strip("-") else ""
            raise LabError(f"{error}{hint}") from None
        merged[key] = merged.get(key, 0.0) + weight
    merged = {key: weight for key, weight in merged.items() if weight != 0}
    if not merged:
        raise LabError("Every word cancels out once spellings are matched to the vocabulary; nothing is left to look up.")
    rows = torch.tensor([embeddings.index[key] for key in merged], device=embeddings.device)
    weights = torch.tensor(list(merged.values()), dtype=torch.float32, device=embeddings.device)
    return rows, weights, tuple(merged)


def _score(candidates: torch.Tensor, inputs: torch.Tensor, weights: torch.Tensor, method: str) -> torch.Tensor:
    """Scores (candidates,) of unit candidates (candidates, dim) against weighted unit inputs (terms, dim).

    One matrix-vector product per term: with three or so terms, separate products beat one skinny
    (candidates × 3) product on the CPU, and they keep gensim's exact arithmetic for unit weights.
    """
    if method == "3cosadd":
        query = weights @ inputs  # (dim,)
        return candidates @ (query / query.norm().clamp_min(1e-12))
    if not bool((weights > 0).any()):
        raise LabError("3CosMul needs at least one word with a positive weight (it divides by the negative ones).")
    cosines = [candidates @ vector for vector in inputs]  # each (candidates,)
    if candidates.device.type == "cpu":
        # A handful of element-wise passes over 400,000 scores: NumPy's single-threaded loops beat
        # torch's two-thread hand-offs by about 10× on a busy 2-core CPU. The arithmetic is the same.
        return torch.from_numpy(_cosmul([cosine.numpy() for cosine in cosines], weights.tolist()))
    return _cosmul(cosines, weights.tolist())


def _cosmul(cosines: list, weights: list[float]):
    """Levy & Goldberg's product of shifted cosines, for NumPy arrays or torch tensors alike."""
    numerator, denominator = 1.0, 1.0
    for cosine, weight in zip(cosines, weights):
        shifted = (1 + cosine) * 0.5  # cosine moved into [0, 1], L&G's footnote 7
        # a weight is an exponent; ±1 multiplies exactly as gensim's most_similar_cosmul does
        factor = shifted if abs(weight) == 1 else shifted ** abs(weight)
        if weight > 0:
            numerator = numerator * factor
        else:
            denominator = denominator * factor
    return numerator / (denominator + COSMUL_EPSILON)
