"""Semantic axes (a word-pair or one-word direction) and cluster names, on planted spaces whose answers are known."""

import numpy as np
import pytest
import torch

from engine.clusters import cluster_names, kmeans
from engine.errors import LabError
from engine.semantic_axes import axis_coordinates, parse_axis
from engine.vectors import EmbeddingSet

CPU = torch.device("cpu")


@pytest.fixture
def planted() -> EmbeddingSet:
    """`good` and `bad` along the first axis; five words planted from bad to good; `x-ray` a hyphenated word."""
    rng = np.random.default_rng(0)
    good, bad = np.eye(8)[0] * 3 + 0.1 * rng.normal(size=8), -np.eye(8)[0] * 3 + 0.1 * rng.normal(size=8)
    steps = [np.eye(8)[0] * t + np.eye(8)[1] * 2 for t in (-2, -1, 0, 1, 2)]  # same length along axis 2, moving along 1
    words = ["good", "bad", "awful", "poor", "plain", "fine", "great", "x-ray"]
    return EmbeddingSet(words, np.stack([good, bad, *steps, np.eye(8)[2]]), name="planted", device=CPU)


def test_a_word_pair_axis_ranks_the_planted_words_in_order(planted):
    axis = parse_axis(planted, "good - bad")
    coords = axis_coordinates(planted, [axis])[:, 0]
    order = [planted.words[i] for i in np.argsort(coords)]
    assert [w for w in order if w in {"awful", "poor", "plain", "fine", "great"}] == ["awful", "poor", "plain", "fine", "great"]
    assert axis.label == "good − bad" and np.all(np.abs(coords) <= 1 + 1e-6)
    assert coords[planted.index["plain"]] == pytest.approx(0, abs=0.05)  # orthogonal to the direction


def test_one_word_axes_and_two_axes_at_once(planted):
    coords = axis_coordinates(planted, [parse_axis(planted, "good"), parse_axis(planted, "x-ray")])
    assert coords.shape == (8, 2)
    assert coords[planted.index["good"], 0] == pytest.approx(1) and coords[planted.index["x-ray"], 1] == pytest.approx(1)


@pytest.mark.parametrize("text, message", [("", "one word"), ("good - bad - ugly", "one word"), ("good - good", "points nowhere"),
                                           ("good - zzqx", "not in the vocabulary"), (" - bad", "one word")])
def test_bad_axes_are_refused_with_a_reason(planted, text, message):
    with pytest.raises(LabError, match=message):
        parse_axis(planted, text)


def test_clusters_are_named_by_their_most_central_words():
    rng = np.random.default_rng(1)
    centres = np.eye(6)[:3] * 5
    vectors = np.concatenate([centre + rng.normal(scale=0.3, size=(20, 6)) for centre in centres])
    vectors[[0, 20, 40]] = centres  # each group's exact centre is its row 0
    words = [f"{group}{i}" for group in "abc" for i in range(20)]
    ids = kmeans(vectors, 3)
    names = cluster_names(vectors, ids, words)
    assert sorted(name.split(" · ")[0] for name in names) == ["a0", "b0", "c0"]
    for name, cluster in zip(names, range(3)):
        members = {words[i] for i in np.flatnonzero(ids == cluster)}
        assert set(name.split(" · ")) <= members and len(name.split(" · ")) == 3
