"""The trust overlay's numbers: neighbourhood preservation and trustworthiness, against known answers and scikit-learn."""

import numpy as np
import pytest
import torch
from sklearn.manifold import trustworthiness

from engine.errors import LabError
from engine.trust import far_in_picture, neighbourhood_trust, picture_neighbours

CPU = torch.device("cpu")


def unit_rows(n: int, dim: int, seed: int = 0) -> np.ndarray:
    points = np.random.default_rng(seed).normal(size=(n, dim))
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def test_an_isometric_picture_keeps_every_neighbourhood():
    """Unit vectors drawn as themselves (rotated): chord length orders pairs exactly as cosine does."""
    vectors = unit_rows(600, 3)
    rotation = np.linalg.qr(np.random.default_rng(1).normal(size=(3, 3)))[0]
    trust = neighbourhood_trust(vectors * 5.0, vectors @ rotation, k=10, device=CPU)  # scale: cosine ignores it
    np.testing.assert_array_equal(trust.preservation, 1.0)
    assert trust.trustworthiness == pytest.approx(1.0)


def test_a_random_picture_scores_near_chance():
    vectors = unit_rows(1_000, 20)
    trust = neighbourhood_trust(vectors, np.random.default_rng(2).normal(size=(1_000, 2)), k=10, device=CPU)
    assert trust.chance == pytest.approx(10 / 999)
    assert trust.mean_preservation < 3 * trust.chance
    assert trust.trustworthiness < 0.6  # sklearn's scale: ≈ 0.5 for a random picture


@pytest.mark.parametrize("k", [5, 12])
def test_trustworthiness_equals_scikit_learns(k):
    vectors = unit_rows(400, 30, seed=k)
    coords = vectors[:, :2] + 0.05 * np.random.default_rng(k).normal(size=(400, 2))  # a rough but informative picture
    ours = neighbourhood_trust(vectors, coords, k=k, device=CPU).trustworthiness
    assert ours == pytest.approx(trustworthiness(vectors, coords, n_neighbors=k, metric="cosine"), abs=1e-9)


def test_a_sample_of_rows_estimates_the_whole_maps_trustworthiness():
    vectors = unit_rows(1_500, 10)
    coords = vectors[:, :2]
    whole = neighbourhood_trust(vectors, coords, sample=10_000, device=CPU)
    sampled = neighbourhood_trust(vectors, coords, sample=500, device=CPU)
    assert whole.sampled == 1_500 and sampled.sampled == 500
    assert whole.error == 0 and 0 < sampled.error < 0.01
    assert abs(sampled.trustworthiness - whole.trustworthiness) <= 4 * sampled.error  # the stated error covers the gap
    np.testing.assert_array_equal(sampled.preservation, whole.preservation)  # preservation always covers every point


def test_far_neighbours_are_counted_against_the_nearest_point_in_the_picture():
    coords = np.array([[0.0, 0.0], [1.0, 0.0], [2.5, 0.0], [3.5, 0.0], [0.0, 10.0]])
    far, nearest = far_in_picture(coords, 0, np.array([2, 3, 4]))
    assert nearest == 1.0 and far.tolist() == [False, True, True]  # 2.5 ≤ 3 × 1; 3.5 and 10 are beyond


def test_mismatched_or_tiny_inputs_are_refused():
    with pytest.raises(LabError, match="pair up"):
        neighbourhood_trust(unit_rows(50, 4), np.zeros((40, 2)), device=CPU)
    with pytest.raises(LabError, match="under half"):
        neighbourhood_trust(unit_rows(15, 4), np.zeros((15, 2)), k=10, device=CPU)


def test_tied_similarities_share_the_better_rank_so_the_figure_never_falls_below_scikit_learns():
    """The worst case for counting ranks: many points exactly as similar (every vector five times)."""
    vectors = np.repeat(unit_rows(60, 5, seed=3), 5, axis=0)
    coords = vectors[:, :2] + 1e-3 * np.random.default_rng(3).normal(size=(300, 2))  # a picture without ties
    ours = neighbourhood_trust(vectors, coords, k=6, device=CPU).trustworthiness
    theirs = trustworthiness(vectors, coords, n_neighbors=6, metric="cosine")
    assert theirs - 1e-9 <= ours <= 1.0 and ours == pytest.approx(theirs, abs=0.02)


def test_points_drawn_at_the_same_spot_never_count_themselves_as_neighbours():
    coords = np.repeat(np.random.default_rng(4).normal(size=(30, 2)), 8, axis=0)  # each spot holds 8 points
    found = picture_neighbours(coords, 5)
    assert found.shape == (240, 5) and not (found == np.arange(240)[:, None]).any()
    trust = neighbourhood_trust(np.repeat(unit_rows(30, 6), 8, axis=0), coords, k=5, device=CPU)
    # 7 others share each point's spot and vector: both sides pick 5 of those 7, so at least 3 of 5 agree
    assert trust.trustworthiness == pytest.approx(1.0) and (trust.preservation >= 0.6).all()
