"""Every search strategy must give the exact float32 answer, including the proof-failure fallback."""

import numpy as np
import pytest
import torch

from engine import search

needs_bf16 = pytest.mark.skipif(not search.cpu_has_fast_bfloat16(), reason="CPU has no native bfloat16 products")


def unit_rows(count: int, dim: int, seed: int) -> torch.Tensor:
    rows = torch.from_numpy(np.random.default_rng(seed).normal(size=(count, dim)).astype(np.float32))
    return rows / rows.norm(dim=1, keepdim=True)


@pytest.fixture(scope="module")
def vocabulary():
    return unit_rows(20_000, 50, seed=1)


def reference(unit, queries, k):
    return (queries @ unit.T).topk(k, dim=1)


def test_one_query_on_the_cpu_matches_torch(vocabulary):
    query = vocabulary[7:8]
    values, rows = search.top_k(vocabulary, query, 12)
    expected_values, expected_rows = reference(vocabulary, query, 12)
    assert torch.equal(rows, expected_rows)
    assert torch.allclose(values, expected_values, atol=1e-6)


@needs_bf16
def test_the_bfloat16_shortlist_gives_the_exact_answer(vocabulary):
    queries = unit_rows(200, 50, seed=2)
    values, rows = search.top_k(vocabulary, queries, 11, vocabulary.to(torch.bfloat16))
    expected_values, expected_rows = reference(vocabulary, queries, 11)
    assert torch.equal(rows, expected_rows)
    assert torch.allclose(values, expected_values, atol=1e-6)


@needs_bf16
def test_queries_the_shortlist_cannot_prove_are_redone_in_float32(vocabulary, monkeypatch):
    # Many near-copies of one direction: their cosines differ by less than bfloat16 can tell apart,
    # so the shortlist is full of ties and the proof fails; the fallback must still be exact.
    base = vocabulary[0]
    crowd = base + 1e-3 * unit_rows(300, 50, seed=3)
    crowded = torch.cat([vocabulary, crowd / crowd.norm(dim=1, keepdim=True)])
    queries = torch.stack([base] * 20)
    monkeypatch.setattr(search, "SHORTLIST_EXTRA", 4)
    fallback_rows = []
    exact_path = search._top_k_float32

    def counting(unit, block, k):
        fallback_rows.append(len(block))
        return exact_path(unit, block, k)

    monkeypatch.setattr(search, "_top_k_float32", counting)
    values, rows = search.top_k(crowded, queries, 11, crowded.to(torch.bfloat16))
    expected_values, expected_rows = reference(crowded, queries, 11)
    assert sum(fallback_rows) == len(queries)  # every query needed the fallback here
    assert torch.equal(rows, expected_rows)


def test_float32_chunks_agree_with_one_product(vocabulary, monkeypatch):
    queries = unit_rows(40, 50, seed=4)
    monkeypatch.setattr(search, "MAX_SCORE_BYTES", 7 * 4 * len(vocabulary))  # seven queries per chunk
    values, rows = search.top_k(vocabulary, queries, 5)
    assert torch.equal(rows, reference(vocabulary, queries, 5)[1])


def test_int16_keys_order_like_the_bfloat16_values():
    values = torch.tensor([-3.0, -1.0, -0.5, -1e-3, -0.0, 0.0, 1e-3, 0.5, 1.0, 3.0], dtype=torch.bfloat16)
    keys = [int(search._key(np.int16(bits))) for bits in values.view(torch.int16).tolist()]
    assert keys == sorted(keys)
    assert len(set(keys[:4])) == 4 and len(set(keys[6:])) == 4


@needs_bf16
def test_the_shortlist_is_right_when_most_scores_are_negative():
    query = unit_rows(1, 50, seed=5)
    opposite = -query + 0.3 * unit_rows(190, 50, seed=6)
    vocabulary = torch.cat([opposite / opposite.norm(dim=1, keepdim=True), unit_rows(10, 50, seed=7)])
    queries = torch.cat([query] * 20)
    values, rows = search.top_k(vocabulary, queries, 15, vocabulary.to(torch.bfloat16))
    expected_values, expected_rows = reference(vocabulary, queries, 15)
    assert expected_values[0, -1] < 0  # the answer reaches into negative cosines
    assert torch.equal(rows, expected_rows)


@pytest.mark.parametrize("k", [1, 10, 40])
def test_top_k_of_a_row_in_slices_is_exact_in_the_worst_placements(k):
    """The sliced top-k against one `topk`: all winners in one slice, the best in the ragged tail, ties."""
    generator = torch.Generator().manual_seed(k)
    length = 16 * 50 + 7  # 16 slices of 50 and a tail of 7
    rows = []
    crowded = torch.rand(length, generator=generator)
    crowded[100 : 100 + k] += 2  # every winner in the third slice
    rows.append(crowded)
    tail = torch.rand(length, generator=generator)
    tail[-3:] += 5  # the best entries past the last whole slice
    rows.append(tail)
    rows.append(torch.randint(0, 3, (length,), generator=generator).float())  # ties everywhere
    rows.append(torch.rand(20, generator=generator))  # too short to slice
    for scores in rows:
        values, positions = search.top_k_of_row(scores, k if k < len(scores) else 5)
        expected = scores.topk(len(values)).values
        assert torch.equal(values, expected)
        assert torch.equal(scores[positions], values)
        assert len(set(positions.tolist())) == len(positions)
