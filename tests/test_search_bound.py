"""The bfloat16 shortlist's error bound holds for a pair built to make rounding err as far as it can."""

import torch

from engine.search import bf16_score_error, top_k


def _round_down_pair() -> tuple[torch.Tensor, torch.Tensor, float]:
    """Unit vectors q, x whose every component loses almost 2⁻⁸ of itself when rounded to bfloat16.

    2,715 components of 2⁻⁶(1 + 2⁻⁸ − 2⁻²⁰) (just below a rounding midpoint, so they round down) and
    one large component fixing the norm (it rounds down too); x is q with 5 signs flipped.
    """
    c, n, flipped = 2.0**-6 * (1 + 2.0**-8 - 2.0**-20), 2_715, 5
    z = (1 - n * c * c) ** 0.5
    q = torch.tensor([z] + [c] * n, dtype=torch.float64)
    x = q.clone()
    x[1 : flipped + 1] *= -1
    return q, x, float(q @ x)


def test_the_pair_beats_a_one_operand_bound_but_not_the_derived_one():
    q, x, exact = _round_down_pair()
    assert abs(float(q.norm()) - 1) < 1e-12 and abs(float(x.norm()) - 1) < 1e-12
    # Both operands rounded, the sum in float32, the result stored in bfloat16: what the shortlist computes.
    summed = q.to(torch.bfloat16).float() @ x.to(torch.bfloat16).float()
    rounded = float(summed.to(torch.bfloat16))
    error = exact - rounded
    assert error > 0.008  # the old bound, which counted one operand's rounding only, is wrong here
    assert error <= bf16_score_error(len(q))
    # The same through torch's bfloat16 matrix product (native or emulated, whichever this CPU has).
    product = torch.mm(q[None].to(torch.bfloat16), x[:, None].to(torch.bfloat16)).float().item()
    assert abs(exact - product) <= bf16_score_error(len(q))


def test_random_pairs_stay_within_the_bound():
    generator = torch.Generator().manual_seed(0)
    for dim in (2, 50, 300, 1_000):
        rows = torch.nn.functional.normalize(torch.randn(2_000, dim, generator=generator, dtype=torch.float64), dim=1)
        exact = rows[:1000] @ rows[1000:].T
        approx = (rows[:1000].to(torch.bfloat16) @ rows[1000:].to(torch.bfloat16).T).double()
        assert float((exact - approx).abs().max()) <= bf16_score_error(dim)


def test_shortlist_search_is_exact_when_rounding_drops_the_true_neighbour():
    """x (the true nearest) ties in bfloat16 with rows far below it and is left off the shortlist.

    The vocabulary: one decoy with cosine 0.9970 (just under x's 0.99754), then 40 rows of cosine 0.992
    whose bfloat16 score equals x's, then x. The scan keeps the first of equal scores, so the shortlist is
    the decoy and 32 of the tied rows; x is left off. The check must see that x's bfloat16 score (the
    shortlist's floor) plus the rounding error may still beat the decoy — with the old one-operand bound
    (floor + 0.008 ≤ 0.9970) it was "proved" and the decoy returned as the nearest word.
    """
    q, x, exact = _round_down_pair()
    generator = torch.Generator().manual_seed(1)
    noise = torch.randn(41, len(q), generator=generator, dtype=torch.float64)
    noise -= (noise @ q)[:, None] * q  # orthogonal to q
    noise = torch.nn.functional.normalize(noise, dim=1)
    cosines = torch.tensor([0.9970] + [0.992] * 40, dtype=torch.float64)
    others = cosines[:, None] * q + (1 - cosines**2).sqrt()[:, None] * noise
    unit = torch.cat([others, x[None]]).float()
    query = q.float()
    bf16_scores = (unit.to(torch.bfloat16) @ query.to(torch.bfloat16)).float()
    assert (bf16_scores[1:] == bf16_scores[-1]).all()  # the tie the scan resolves against x
    decoy = float(unit[0] @ query)
    assert decoy >= float(bf16_scores[-1]) + 0.008  # the old check would have accepted the decoy
    queries = query[None].repeat(16, 1)
    scores, rows = top_k(unit, queries, 1, unit_bf16=unit.to(torch.bfloat16))
    assert (rows[:, 0] == len(unit) - 1).all()
    assert torch.allclose(scores[:, 0], (unit[-1] @ query).expand(16))


def test_top_k_matches_float32_brute_force_with_planted_near_ties():
    """Property: on vocabularies where many rows sit within bfloat16's error of each other, the
    shortlist path returns the float32 brute-force answer (rows and scores) for every query."""
    generator = torch.Generator().manual_seed(2)
    for dim, vocab, k in ((50, 3_000, 10), (300, 2_000, 5), (8, 1_000, 1)):
        queries = torch.nn.functional.normalize(torch.randn(32, dim, generator=generator), dim=1)
        base = torch.nn.functional.normalize(torch.randn(vocab, dim, generator=generator), dim=1)
        # Plant, for each query, 60 rows at cosines spread over a band narrower than the error bound.
        planted = []
        for query in queries:
            noise = torch.randn(60, dim, generator=generator)
            noise = torch.nn.functional.normalize(noise - (noise @ query)[:, None] * query, dim=1)
            cosines = 0.97 + 0.01 * torch.rand(60, generator=generator)
            planted.append(cosines[:, None] * query + (1 - cosines**2).sqrt()[:, None] * noise)
        unit = torch.nn.functional.normalize(torch.cat([base, *planted]), dim=1)
        unit = unit[torch.randperm(len(unit), generator=generator)]
        expected_scores, expected_rows = (queries @ unit.T).topk(k, dim=1)
        scores, rows = top_k(unit, queries, k, unit_bf16=unit.to(torch.bfloat16))
        assert torch.equal(rows, expected_rows)
        assert torch.allclose(scores, expected_scores, atol=1e-6)  # float32 blockings may differ in the last bit
