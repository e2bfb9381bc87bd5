"""The Embedding space page's figure: plotly traces of the projected points, PNG export, and reading a selection.

Points are addressed by their row in the projected set; every trace carries that row in `customdata`,
so a box or lasso selection maps back to words whatever trace the points were drawn in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
import plotly.graph_objects as go

from engine.errors import LabError
from engine.explorer import category_values

MAX_LABELS = 300
_PALETTE = [
    "#4C5FD5", "#E4572E", "#17BEBB", "#FFC914", "#76B041", "#9C6ADE", "#F18F01", "#2E86AB", "#C73E1D", "#3B1F2B",
    "#8AC926", "#FF595E", "#1982C4", "#6A4C93", "#FFCA3A", "#43AA8B", "#F94144", "#577590", "#F3722C", "#90BE6D",
]
OTHER_COLOUR = "#BBBBBB"
HIGHLIGHT_COLOUR = "#E4572E"
FOCUS_COLOUR = "#111111"


@dataclass(frozen=True)
class Colouring:
    """How to colour points: one value per projected row, numeric (a colour scale) or categorical (a legend)."""

    title: str
    values: Sequence  # (rows,)
    categorical: bool
    scale: str = "Viridis"  # numeric values only
    limits: tuple[float, float] | None = None  # numeric values only: the colour scale's fixed ends


def category_order(values: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(the legend's categories, most common first and 'other' last; each value's category) for a categorical colouring."""
    categories = np.asarray(category_values(values), dtype=object)
    order = [c for c, _ in Counter(categories.tolist()).most_common() if c != "other"]
    return order + (["other"] if "other" in categories else []), categories


def category_colour(position: int, category: str) -> str:
    """The colour of the legend's `position`-th category: grey for 'other'."""
    return OTHER_COLOUR if category == "other" else _PALETTE[position % len(_PALETTE)]


def scatter_figure(
    coords: np.ndarray,
    words: Sequence[str],
    rows: np.ndarray,
    *,
    colouring: Colouring,
    highlight: np.ndarray | None = None,
    focus: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    links: tuple[int, np.ndarray, np.ndarray] | None = None,
    group_labels: dict[str, np.ndarray] | None = None,
    title: str,
    axis_titles: Sequence[str],
) -> go.Figure:
    """A scattergl (2D) or scatter3d (3D) figure of the projected points in `rows`.

    coords: (all rows, dims); words: all projected words; rows: which of them to draw.
    highlight: (all rows,) bool, search matches, drawn on top; focus: (all rows,) bool, a word and its
    neighbours, drawn on top of that; labels: (all rows,) bool, points that get a text label; links:
    (centre row, its true neighbours' rows, which of them the picture puts far), drawn as lines from the
    centre, far ones dashed; group_labels: a name per group (a cluster) and where to write it (dims,).
    """
    dims = coords.shape[1]
    words = np.asarray(words, dtype=object)
    marker_trace = go.Scattergl if dims == 2 else go.Scatter3d
    size = 5 if dims == 2 else 2.5
    dim_base = (highlight is not None and highlight[rows].any()) or (focus is not None and focus[rows].any())
    opacity = 0.35 if dim_base else 0.8
    figure = go.Figure()

    def points(subset: np.ndarray, **style) -> None:
        axes = {axis: coords[subset, i] for i, axis in enumerate("xyz"[:dims])}
        figure.add_trace(marker_trace(
            **axes, mode="markers", text=words[subset], customdata=np.stack([subset, subset + 1], axis=1),
            hovertemplate="<b>%{text}</b><br>row %{customdata[1]:,}<extra>%{fullData.name}</extra>", **style,
        ))

    values = np.asarray(colouring.values, dtype=object)
    if colouring.categorical:
        order, categories = category_order([str(v) for v in values[rows]])
        for i, category in enumerate(order):
            subset = rows[categories == category]
            points(subset, name=str(category), marker=dict(size=size, color=category_colour(i, category), opacity=opacity))
    else:
        numbers = values[rows].astype(float)
        ends = dict(cmin=colouring.limits[0], cmax=colouring.limits[1]) if colouring.limits else {}
        points(rows, name="words", showlegend=False, marker=dict(
            size=size, color=numbers, colorscale=colouring.scale, opacity=opacity, **ends,
            colorbar=dict(title=dict(text=colouring.title), thickness=12),
        ))
    if links is not None:
        _add_links(figure, coords, *links)
    for mask, name, colour, grow in ((highlight, "search matches", HIGHLIGHT_COLOUR, 2.2), (focus, "neighbours", FOCUS_COLOUR, 2.6)):
        if mask is not None and mask[rows].any():
            subset = rows[mask[rows]]
            points(subset, name=f"{name} ({len(subset):,})", marker=dict(
                size=size * grow, color=colour, opacity=1.0, line=dict(width=1, color="white"),
            ))
    names = [dict(text=f"<b>{escape(name.split(' · ', 1)[-1])}</b>", showarrow=False, bgcolor="rgba(255,255,255,0.85)",
                  bordercolor="#9AA0B4", borderpad=3, font=dict(size=12, color="#1F2333"),
                  **{axis: float(spot[i]) for i, axis in enumerate("xyz"[:dims])})
             for name, spot in (group_labels or {}).items()]  # cluster names on a light box, readable over any colour
    if labels is not None and labels[rows].any():
        subset = rows[labels[rows]][:MAX_LABELS]
        axes = {axis: coords[subset, i] for i, axis in enumerate("xyz"[:dims])}
        text_trace = go.Scatter if dims == 2 else go.Scatter3d
        figure.add_trace(text_trace(
            **axes, mode="text", text=words[subset], textposition="top center", name="labels",
            hoverinfo="skip", showlegend=False, textfont=dict(size=11, color="#1F2333"),
        ))
    layout = dict(
        title=dict(text=title), height=720, margin=dict(l=10, r=10, t=50, b=10), uirevision=title,
        legend=dict(title=dict(text=colouring.title), itemsizing="constant", orientation="h", yanchor="top", y=-0.1, x=0.0),
    )
    if dims == 2:
        figure.update_layout(**layout, xaxis_title=axis_titles[0], yaxis_title=axis_titles[1], dragmode="lasso",
                             annotations=names)
    else:
        figure.update_layout(**layout, scene=dict(
            xaxis_title=axis_titles[0], yaxis_title=axis_titles[1], zaxis_title=axis_titles[2], annotations=names,
        ))
    return figure


def _add_links(figure: go.Figure, coords: np.ndarray, centre: int, neighbours: np.ndarray, far: np.ndarray) -> None:
    """Lines from a word to its true nearest neighbours: solid where the picture keeps them near, dashed where not."""
    dims = coords.shape[1]
    line_trace = go.Scatter if dims == 2 else go.Scatter3d
    for is_far, name, style in ((False, "kept near", dict(color="#2A9D8F", width=2)),
                                (True, "put far away", dict(color="#5B2A86", width=2, dash="dash"))):
        ends = neighbours[far == is_far]
        if not len(ends):
            continue
        axes = {axis: [] for axis in "xyz"[:dims]}
        for end in ends:
            for i, axis in enumerate("xyz"[:dims]):
                axes[axis] += [coords[centre, i], coords[end, i], None]  # None breaks the line between segments
        figure.add_trace(line_trace(**axes, mode="lines", line=style, hoverinfo="skip",
                                    name=f"true neighbour, {name} ({len(ends)})"))


def figure_png(figure: go.Figure, width: int = 1400, height: int = 900) -> bytes:
    """The figure as PNG via kaleido, which drives a local Chrome or Chromium (it finds Debian's /usr/bin/chromium)."""
    try:
        return figure.to_image(format="png", width=width, height=height)
    except Exception as error:  # kaleido missing or no browser it can start: many exception types, one answer
        raise LabError(
            f"PNG export needs kaleido and a Chrome or Chromium it can start ({type(error).__name__}: {error}). "
            f"Use the camera icon in the chart's toolbar instead, or export the HTML."
        ) from None


def selected_rows(selection: dict | None) -> np.ndarray:
    """Rows picked by a box or lasso selection in st.plotly_chart's event, read from each point's customdata."""
    points = ((selection or {}).get("selection") or {}).get("points") or []
    rows = set()
    for point in points:
        data = point.get("customdata")
        if isinstance(data, dict):  # a numpy row arrives from the browser as {"0": row, "1": rank}
            data = data.get("0")
        elif isinstance(data, list | tuple):
            data = data[0] if data else None
        if isinstance(data, int | float):
            rows.add(int(data))
    return np.array(sorted(rows), dtype=np.int64)
