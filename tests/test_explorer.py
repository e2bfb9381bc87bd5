"""The explorer's logic without a browser: search, drawing caps, categories, ranks, clusters."""

from __future__ import annotations

import numpy as np
import pytest

from engine import clusters, explorer
from engine.errors import LabError
from engine.formats import Coordinates

WORDS = ["king", "queen", "kingdom", "man", "woman", "Paris"]


def test_word_list_search_is_exact_and_ignores_case():
    assert explorer.match_words(WORDS, "king, paris", regex=False).tolist() == [True, False, False, False, False, True]
    assert not explorer.match_words(WORDS, "   ", regex=False).any()


def test_regex_search_and_a_bad_pattern():
    assert explorer.match_words(WORDS, "^king", regex=True).tolist() == [True, False, True, False, False, False]
    with pytest.raises(LabError, match="not a valid regular expression"):
        explorer.match_words(WORDS, "king(", regex=True)


def test_drawn_rows_caps_but_keeps_every_highlighted_point():
    total = explorer.MAX_DRAWN[3] + 500
    keep = np.zeros(total, dtype=bool)
    keep[[3, total - 1]] = True
    rows = explorer.drawn_rows(total, 3, keep)
    assert len(rows) == explorer.MAX_DRAWN[3] + 1
    assert rows[-1] == total - 1
    assert len(explorer.drawn_rows(100, 2)) == 100


def test_many_categories_fold_into_other():
    values = [f"v{i}" for i in range(explorer.MAX_CATEGORIES + 5)]
    assert len(set(explorer.category_values(values))) == explorer.MAX_CATEGORIES


def test_projection_ranks_count_from_the_nearest():
    coords = np.array([[0.0, 0.0], [3.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    assert explorer.projection_ranks(coords, 0, [1, 2, 3]) == [3, 1, 2]


def test_align_coordinates_reports_unknown_words():
    csv = Coordinates(["woman", "king", "unicorn"], np.array([[1, 1], [2, 2], [3, 3]], dtype=np.float32), ["x", "y"])
    rows, points, unknown = explorer.align_coordinates(WORDS, csv)
    assert rows.tolist() == [0, 4] and points.tolist() == [[2, 2], [1, 1]] and unknown == ["unicorn"]
    with pytest.raises(LabError, match="none of the 1 words"):
        explorer.align_coordinates(WORDS, Coordinates(["unicorn"], np.zeros((1, 2), np.float32), ["x", "y"]))


def test_kmeans_is_reproducible_and_numbers_clusters_by_size():
    rng = np.random.default_rng(0)
    big = rng.normal(size=(80, 5)) + [10, 0, 0, 0, 0]
    small = rng.normal(size=(20, 5)) - [10, 0, 0, 0, 0]
    vectors = np.concatenate([small, big]).astype(np.float32)
    first, second = clusters.kmeans(vectors, 2, seed=1), clusters.kmeans(vectors, 2, seed=1)
    assert (first == second).all()
    assert (first[20:] == 0).all() and (first[:20] == 1).all()  # the larger cluster is number 0
    with pytest.raises(LabError, match="between 2 and"):
        clusters.kmeans(vectors, 1)
