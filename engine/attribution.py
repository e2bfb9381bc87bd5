"""Which words drove a prediction, for any classifier that maps texts to probabilities, and how far to believe it.

Two perturbation methods need no gradients, so they serve every model in the lab (bag-of-words, CNN,
LSTM, the transformer) and read in probabilities:

- occlusion removes one token at a time: "without 'terrible', P(negative) drops by 0.41";
- KernelSHAP (Lundberg & Lee 2017, through Captum) removes random subsets of tokens and fits the
  weighted linear model whose coefficients are the tokens' Shapley values, so it sees interactions
  (two words that each suffice) that one-at-a-time occlusion misses.

A deletion curve checks any method's ranking: remove its top-k tokens and watch P(target) as k grows;
the faster it falls (the smaller its area), the more the ranking names what drives the model. Every
method scores its perturbed texts in one batched call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from captum.attr import KernelShap
from scipy.stats import spearmanr

PredictProba = Callable[[Sequence[str]], np.ndarray]  # texts -> (len(texts), classes), rows sum to 1
MAX_ATTRIBUTED_TOKENS = 256
SHAP_FEATURES = 64  # past this many tokens, KernelSHAP scores runs of neighbouring tokens (see `kernel_shap`)
MAX_REMOVED = 20  # a deletion curve removes at most this many tokens: the top of a ranking is what a reader reads


def occlusion(predict_proba: PredictProba, tokens: Sequence[str], target: int) -> np.ndarray:
    """For each token, P(target | text) − P(target | text without that token); shape (len(tokens),).

    Positive values pushed the prediction towards `target`; negative values pushed against it.
    Only the first MAX_ATTRIBUTED_TOKENS tokens are attributed (later ones get NaN) so a pasted book
    stays interactive.
    """
    tokens = list(tokens)
    scored = tokens[:MAX_ATTRIBUTED_TOKENS]
    variants = [" ".join(tokens)] + [" ".join(tokens[:i] + tokens[i + 1 :]) for i in range(len(scored))]
    probabilities = predict_proba(variants)  # (1 + len(scored), classes)
    full, without = probabilities[0, target], probabilities[1:, target]
    result = np.full(len(tokens), np.nan)
    result[: len(scored)] = full - without
    return result


def shap_groups(n_tokens: int) -> int:
    """How many features KernelSHAP fits for a text of n tokens: one per token, at most SHAP_FEATURES."""
    return min(n_tokens, SHAP_FEATURES)


def shap_samples(n_tokens: int) -> int:
    """KernelSHAP's sample count: four coalitions per feature (at least 200), so the fit is stable."""
    return max(200, 4 * shap_groups(n_tokens))


def kernel_shap(predict_proba: PredictProba, tokens: Sequence[str], target: int, *, samples: int,
                seed: int = 0) -> np.ndarray:
    """Each token's KernelSHAP value for P(target) (removed = left out of the text); NaN past MAX_ATTRIBUTED_TOKENS.

    A long text's tokens are fitted in `shap_groups` runs of neighbours, each run's value shared equally by
    its tokens (the sum is kept): every sample of a 230-word review through MiniLM costs a full encoder
    pass, and 64 runs need a quarter of the samples 230 single words would. Seeded without touching
    torch's global generator, so the same text gives the same values in any session.
    """
    tokens = list(tokens)
    scored, rest = tokens[:MAX_ATTRIBUTED_TOKENS], tokens[MAX_ATTRIBUTED_TOKENS:]
    groups = torch.as_tensor(np.arange(len(scored)) * shap_groups(len(scored)) // max(1, len(scored)))[None]  # (1, n)

    def forward(kept: torch.Tensor) -> torch.Tensor:  # (k, len(scored)) of 1 (kept) / 0 (removed) → (k,)
        texts = [" ".join([token for token, keep in zip(scored, row) if keep] + rest) for row in kept.tolist()]
        return torch.as_tensor(predict_proba(texts)[:, target], dtype=torch.float64)

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        values = KernelShap(forward).attribute(torch.ones(1, len(scored), dtype=torch.float64), baselines=0.0,
                                               feature_mask=groups, n_samples=samples, perturbations_per_eval=samples)
    sizes = torch.bincount(groups[0])[groups[0]]  # (n,) tokens in each token's run: Captum gives each the run's value
    result = np.full(len(tokens), np.nan)
    result[: len(scored)] = (values[0] / sizes).numpy()
    return result


@dataclass(frozen=True)
class DeletionCurve:
    """P(target) after removing a ranking's top-k tokens, k = 0, 1, …; `area` is its mean over k (lower = more faithful)."""

    removed: np.ndarray  # (steps,) k
    probability: np.ndarray  # (steps,) P(target | text without the top-k tokens)

    @property
    def area(self) -> float:
        """The normalised area under the curve: the trapezoid rule over k / k_max, so 0 ≤ area ≤ 1."""
        if len(self.removed) < 2:
            return float(self.probability[0])
        return float(np.trapezoid(self.probability, self.removed / self.removed[-1]))


def ranking(scores: np.ndarray) -> np.ndarray:
    """Token positions by score, strongest support first; unscored (NaN) tokens are never removed."""
    finite = np.flatnonzero(np.isfinite(scores))
    return finite[np.argsort(-scores[finite], kind="stable")]


def deletion_curves(predict_proba: PredictProba, tokens: Sequence[str], rankings: Mapping[str, np.ndarray],
                    target: int, *, max_removed: int = MAX_REMOVED) -> dict[str, DeletionCurve]:
    """A deletion curve per named ranking (token positions, most important first), all scored in one call.

    Every curve removes the same number of tokens, so areas compare: at most `max_removed`, and at most half
    the shortest ranking (rounded up), since a text stripped of all its words says nothing about any ranking.
    """
    tokens = list(tokens)
    shortest = min(len(order) for order in rankings.values())
    steps = min(max_removed, (shortest + 1) // 2)
    variants = []
    for order in rankings.values():
        for k in range(steps + 1):
            gone = set(order[:k].tolist())
            variants.append(" ".join(token for i, token in enumerate(tokens) if i not in gone))
    probabilities = predict_proba(variants)[:, target].reshape(len(rankings), steps + 1)
    return {name: DeletionCurve(np.arange(steps + 1), row) for name, row in zip(rankings, probabilities)}


def rank_agreement(scores: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Spearman's ρ between every two methods' token scores (tokens both scored); NaN where fewer than 3 tokens."""
    names = list(scores)
    table = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    for i, first in enumerate(names):
        for second in names[i + 1:]:
            both = np.isfinite(scores[first]) & np.isfinite(scores[second])
            rho = np.nan
            if both.sum() >= 3 and np.ptp(scores[first][both]) > 0 and np.ptp(scores[second][both]) > 0:
                rho = float(spearmanr(scores[first][both], scores[second][both]).statistic)
            table.loc[first, second] = table.loc[second, first] = rho
    return table
