"""The point map's payload without a browser: every point, colour, flag and word arrives as sent, decoded here
by the layout documented in pages/_point_map.py; a selection maps back to rows only for the figure it came from."""

from __future__ import annotations

import json

import numpy as np
import plotly.colors

from pages import _point_map as point_map
from pages import _space_figures as space_figures


def read_payload(payload: bytes) -> dict:
    """Decode a payload the way assets/point_map/point_map.js does (the test's independent reader)."""
    assert payload[:4] == point_map.MAGIC
    length = int.from_bytes(payload[4:8], "little")
    header = json.loads(payload[8 : 8 + length])
    n, offset = header["n"], 8 + length + (-(8 + length) % 4)
    out = {"header": header}
    for name, dtype in (("x", "<f4"), ("y", "<f4"), ("colour", "u1"), ("flags", "u1"), ("rows", "<u4"), ("ends", "<u4")):
        size = n * np.dtype(dtype).itemsize
        out[name] = np.frombuffer(payload[offset : offset + size], dtype=dtype)
        offset += size + (-size % 4)
    text, start = payload[offset:], 0
    out["words"] = []
    for end in out["ends"]:
        out["words"].append(text[start:end].decode("utf-8"))
        start = int(end)
    return out


def payload_for(coords, words, rows, colouring, **masks) -> tuple[bytes, str]:
    n = len(words)
    none = np.zeros(n, dtype=bool)
    return point_map.map_payload(
        coords, words, rows, colouring=colouring, highlight=masks.get("highlight", none), focus=masks.get("focus", none),
        labels=masks.get("labels", none), links=masks.get("links"), group_labels=masks.get("group_labels"),
        title="t", axis_titles=["PC1", "PC2"], file_stem="t")


def test_every_drawn_point_arrives_with_its_row_word_and_exact_float32_position():
    rng = np.random.default_rng(0)
    words = ["king", "café", "東京", "a\nb", "", *[f"w{i}" for i in range(995)]]
    coords = rng.normal(size=(len(words), 2)) * 1e3
    rows = np.array([7, 0, 3, 1, 2, 4, 999])  # a subset, in drawing order
    decoded = read_payload(payload_for(coords, words, rows, space_figures.Colouring("row", np.arange(len(words)) + 1, False))[0])
    assert decoded["header"]["n"] == len(rows)
    assert np.array_equal(decoded["x"], coords[rows, 0].astype(np.float32))
    assert np.array_equal(decoded["y"], coords[rows, 1].astype(np.float32))
    assert decoded["rows"].tolist() == rows.tolist()
    assert decoded["words"] == [words[r] for r in rows]  # multi-byte, empty and newline-holding words intact


def test_categories_get_the_plotly_figures_colours_and_legend_order():
    words = [f"w{i}" for i in range(30)]
    values = ["b"] * 12 + ["a"] * 10 + ["c"] * 8
    colouring = space_figures.Colouring("kind", values, True)
    coords = np.arange(60, dtype=float).reshape(30, 2)
    rows = np.arange(30)
    decoded = read_payload(payload_for(coords, words, rows, colouring)[0])
    figure = space_figures.scatter_figure(coords, words, rows, colouring=colouring, title="t", axis_titles=["x", "y"])
    plotly_colours = {trace.name: trace.marker.color for trace in figure.data}
    legend = decoded["header"]["legend"]
    assert [name for name, _ in legend["items"]] == ["b", "a", "c"]  # most common first, as plotly's legend
    palette = decoded["header"]["palette"]
    for row, value in enumerate(values):
        assert palette[decoded["colour"][row]] == plotly_colours[value]


def test_numbers_bin_onto_the_scale_with_its_fixed_ends_and_not_a_number_is_grey():
    values = np.array([-1.0, -0.999, 0.0, 0.999, 1.0, 5.0, -5.0, np.nan])
    colouring = space_figures.Colouring("cos", values, False, "RdBu", (-1.0, 1.0))
    words = [f"w{i}" for i in range(len(values))]
    decoded = read_payload(payload_for(np.zeros((len(values), 2)), words, np.arange(len(values)), colouring)[0])
    steps = point_map.SCALE_STEPS
    assert decoded["colour"].tolist() == [0, 0, steps // 2, steps - 1, steps - 1, steps - 1, 0, steps]
    palette = decoded["header"]["palette"]
    assert len(palette) == steps + 1 and palette[steps] == space_figures.OTHER_COLOUR
    red_end, blue_end = plotly.colors.get_colorscale("RdBu")[0][1], plotly.colors.get_colorscale("RdBu")[-1][1]
    rgb = lambda hex_colour: np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])  # noqa: E731
    assert np.abs(rgb(palette[0]) - np.array(plotly.colors.unlabel_rgb(red_end))).max() <= 8  # the scale's low end
    assert np.abs(rgb(palette[steps - 1]) - np.array(plotly.colors.unlabel_rgb(blue_end))).max() <= 8
    assert decoded["header"]["legend"]["low"] == "-1" and decoded["header"]["legend"]["high"] == "1"


def test_matches_neighbours_and_at_most_the_readable_labels_are_flagged():
    n = space_figures.MAX_LABELS + 50
    words = [f"w{i}" for i in range(n)]
    highlight, focus = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    highlight[[3, 5]], focus[[5, 9]] = True, True
    labels = np.ones(n, dtype=bool)
    decoded = read_payload(payload_for(np.zeros((n, 2)), words, np.arange(n), space_figures.Colouring("row", np.arange(n), False),
                                       highlight=highlight, focus=focus, labels=labels,
                                       links=(5, np.array([9, 3]), np.array([False, True])))[0])
    flags = decoded["flags"]
    assert np.flatnonzero(flags & point_map.MATCH).tolist() == [3, 5]
    assert np.flatnonzero(flags & point_map.FOCUS).tolist() == [5, 9]
    assert int((flags & point_map.LABEL > 0).sum()) == space_figures.MAX_LABELS
    marks = [name for name, _ in decoded["header"]["legend"]["marks"]]
    assert marks == ["search matches (2)", "neighbours (2)"]
    assert [link[4] for link in decoded["header"]["links"]] == [False, True]


def test_the_id_names_the_points_not_their_colours():
    words = [f"w{i}" for i in range(20)]
    coords = np.random.default_rng(1).normal(size=(20, 2))
    rows = np.arange(20)
    _, first = payload_for(coords, words, rows, space_figures.Colouring("row", rows, False))
    _, recoloured = payload_for(coords, words, rows, space_figures.Colouring("k", ["a", "b"] * 10, True))
    moved = coords.copy()
    moved[4, 1] += 1e-3
    _, other = payload_for(moved, words, rows, space_figures.Colouring("row", rows, False))
    assert first == recoloured  # a new colouring keeps the user's selection
    assert first != other  # points that moved make another figure


def test_a_selection_maps_back_to_rows_only_for_its_own_figure():
    rows = np.array([10, 20, 30, 40])
    assert point_map.selected_rows({"figure": "f", "points": [3, 1, 1]}, "f", rows).tolist() == [20, 40]
    assert point_map.selected_rows({"figure": "old", "points": [0]}, "f", rows).tolist() == []  # a stale figure
    assert point_map.selected_rows({"figure": "f", "points": [0, 4, -1, "2", 2.0]}, "f", rows).tolist() == [10]  # junk ignored
    assert point_map.selected_rows(None, "f", rows).tolist() == []
