"""The Embedding space figure without a browser: traces carry rows, a selection maps back, PNG export."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from pages import _space_figures as space_figures

WORDS = ["king", "queen", "kingdom", "man", "woman", "Paris"]


def test_figure_traces_carry_rows_so_a_selection_maps_back_to_words():
    coords = np.arange(12, dtype=np.float32).reshape(6, 2)
    rows = np.arange(6)
    colouring = space_figures.Colouring("kind", ["a", "b", "a", "b", "a", "c"], True)
    highlight = np.array([False, True, False, False, False, False])
    figure = space_figures.scatter_figure(coords, WORDS, rows, colouring=colouring, highlight=highlight,
                                     labels=highlight, title="t", axis_titles=["x", "y"])
    names = [trace.name for trace in figure.data]
    assert names[:3] == ["a", "b", "c"] and "search matches (1)" in names and "labels" in names
    drawn = sorted(int(row) for trace in figure.data[:3] for row, _ in trace.customdata)
    assert drawn == list(range(6))  # every point exactly once across the colour traces
    event = {"selection": {"points": [{"customdata": [4, 5]}, {"customdata": {"0": 1, "1": 2}}, {"customdata": [4, 5]}]}}
    assert space_figures.selected_rows(event).tolist() == [1, 4]  # lists and the browser's {"0": …} form
    assert space_figures.selected_rows(None).tolist() == []


@pytest.mark.skipif(shutil.which("chromium") is None, reason="kaleido needs a Chrome or Chromium")
def test_png_export_through_kaleido():
    figure = space_figures.scatter_figure(np.zeros((2, 2)), ["a", "b"], np.arange(2), colouring=space_figures.Colouring("row", [1, 2], False),
                                     title="t", axis_titles=["x", "y"])
    assert space_figures.figure_png(figure, width=300, height=200).startswith(b"\x89PNG")
