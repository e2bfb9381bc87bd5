"""The lab's WebGL point map: maps too large for plotly's chart, every point drawn in one pass.

Why not `st.plotly_chart` there: at 400,000 points Streamlit's plotly element took 22 s from Project to drawn
(plotly.js alone 3.2–3.8 s: it validates and styles every point), its spec travelling as JSON. This component
gets one binary message — float32 coordinates, one colour byte and one flag byte a point — and draws it with a
single WebGL call (`assets/point_map/point_map.js`); `bench/map.py` measures both.

Payload layout (little-endian; every array starts on a 4-byte boundary):
  "EMAP" · uint32 header length · header JSON (title, palette, legend, links, …)
  float32 x[n] · float32 y[n] · uint8 colour[n] (index into the palette) · uint8 flags[n] (1 search match,
  2 focus: a word and its neighbours, 4 labelled) · uint32 row[n] (the point's row in the projected set)
  · uint32 word_end[n] · UTF-8 words, concatenated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
import plotly.colors
import streamlit as st

from engine.errors import LabError
from pages import _space_figures as space_figures

POINT_MAP_FROM = 50_000  # 2D maps of more points than this are drawn here; plotly draws fewer (labels, rich hover)
SCALE_STEPS = 64  # a numeric colouring is binned into this many colours of its scale
MAGIC = b"EMAP"
MATCH, FOCUS, LABEL = 1, 2, 4
_ASSETS = Path(__file__).resolve().parents[1] / "assets" / "point_map"


@cache
def _renderer():
    """The component, registered once per process (its HTML, CSS and JS read from assets/point_map/)."""
    read = lambda suffix: (_ASSETS / f"point_map{suffix}").read_text(encoding="utf-8")  # noqa: E731
    return st.components.v2.component("embedding_lab_point_map", html=read(".html"), css=read(".css"), js=read(".js"))


def _pad(data: bytes) -> bytes:
    return data + b"\0" * (-len(data) % 4)


def _hex(colour: str) -> str:
    """'#rrggbb' from plotly's 'rgb(r, g, b)' or '#rrggbb'."""
    if colour.startswith("#"):
        return colour
    red, green, blue = (int(float(part)) for part in colour[colour.index("(") + 1 : -1].split(","))
    return f"#{red:02x}{green:02x}{blue:02x}"


def _number(value: float) -> str:
    """A colour scale's end as a reader wants it: 400,000 rather than 4e+05, 0.25 rather than 0.250000."""
    return f"{value:,.0f}" if float(value).is_integer() and abs(value) >= 1_000 else f"{value:.3g}"


def _colours(colouring: space_figures.Colouring, rows: np.ndarray) -> tuple[np.ndarray, list[str], dict]:
    """(a palette index per drawn point, the palette, the legend) for a colouring."""
    values = np.asarray(colouring.values, dtype=object)[rows]
    if colouring.categorical:
        order, categories = space_figures.category_order([str(v) for v in values])
        palette = [space_figures.category_colour(i, name) for i, name in enumerate(order)]
        lookup = {name: i for i, name in enumerate(order)}
        index = np.fromiter((lookup[c] for c in categories), dtype=np.uint8, count=len(rows))
        return index, palette, {"kind": "categories", "title": colouring.title, "items": list(zip(order, palette))}
    numbers = values.astype(float)
    finite = np.isfinite(numbers)
    low, high = colouring.limits or ((float(numbers[finite].min()), float(numbers[finite].max())) if finite.any() else (0.0, 1.0))
    span = (high - low) or 1.0
    steps = np.clip(np.floor((np.nan_to_num(numbers, nan=low) - low) / span * SCALE_STEPS), 0, SCALE_STEPS - 1)
    index = np.where(finite, steps, SCALE_STEPS).astype(np.uint8)  # not a number: the grey after the scale
    scale = plotly.colors.get_colorscale(colouring.scale)
    palette = [_hex(c) for c in plotly.colors.sample_colorscale(scale, [(i + 0.5) / SCALE_STEPS for i in range(SCALE_STEPS)])]
    legend = {"kind": "scale", "title": colouring.title, "steps": SCALE_STEPS, "low": _number(low), "high": _number(high)}
    return index, [*palette, space_figures.OTHER_COLOUR], legend


def map_payload(
    coords: np.ndarray,
    words: Sequence[str],
    rows: np.ndarray,
    *,
    colouring: space_figures.Colouring,
    highlight: np.ndarray,
    focus: np.ndarray,
    labels: np.ndarray,
    links: tuple[int, np.ndarray, np.ndarray] | None,
    group_labels: dict[str, np.ndarray] | None,
    title: str,
    axis_titles: Sequence[str],
    file_stem: str,
) -> tuple[bytes, str]:
    """The binary message the map draws from, and its id (a hash of its points): the same arguments as
    `space_figures.scatter_figure` in 2D; `rows` are the projected rows to draw, in drawing order."""
    rows = np.asarray(rows, dtype=np.int64)
    colour, palette, legend = _colours(colouring, rows)
    flags = (highlight[rows] * MATCH | focus[rows] * FOCUS).astype(np.uint8)
    labelled = rows[labels[rows]][: space_figures.MAX_LABELS]  # the same readable few as the plotly figure
    flags[np.isin(rows, labelled)] |= LABEL
    encoded = [str(words[r]).encode("utf-8") for r in rows]
    ends = np.cumsum([len(w) for w in encoded], dtype=np.uint64)
    if len(ends) and ends[-1] >= 2**32:  # the offsets travel as uint32
        raise LabError(f"the words of these {len(rows):,} points take {int(ends[-1]) / 1e9:.1f} GB; draw fewer words.")
    marks = [(f"search matches ({int(highlight[rows].sum()):,})", space_figures.HIGHLIGHT_COLOUR)] if highlight[rows].any() else []
    marks += [(f"neighbours ({int(focus[rows].sum()):,})", space_figures.FOCUS_COLOUR)] if focus[rows].any() else []
    link_lines = []
    if links is not None:
        centre, near, far = links
        link_lines = [[*map(float, coords[centre, :2]), *map(float, coords[end, :2]), bool(is_far)] for end, is_far in zip(near, far)]
    x, y = (np.ascontiguousarray(coords[rows, axis], dtype="<f4").tobytes() for axis in (0, 1))
    at_rows = rows.astype("<u4").tobytes()
    body = b"".join(_pad(part) for part in (x, y, colour.tobytes(), flags.tobytes(), at_rows, ends.astype("<u4").tobytes(), b"".join(encoded)))
    # The id names the geometry (which rows, where): a new colouring or search keeps the view and the selection.
    figure_id = hashlib.blake2b(x + y + at_rows, digest_size=16).hexdigest()
    header = {
        "n": len(rows), "id": figure_id, "title": title, "axis_titles": list(axis_titles[:2]), "height": 660,
        "palette": palette, "legend": {**legend, "marks": marks}, "highlight": space_figures.HIGHLIGHT_COLOUR,
        "focus": space_figures.FOCUS_COLOUR, "point_size": 3 if len(rows) > 100_000 else 4, "mode": "lasso",
        "links": link_lines, "file_stem": file_stem,
        "group_labels": [[name.split(" · ", 1)[-1], float(spot[0]), float(spot[1])] for name, spot in (group_labels or {}).items()],
        "status": f"{len(rows):,} points · scroll to zoom · drag to select (Shift-drag or Pan moves the view) · double-click resets",
    }
    head = json.dumps(header).encode("utf-8")
    return MAGIC + len(head).to_bytes(4, "little") + _pad(head) + body, figure_id


def point_map(payload: bytes, figure_id: str, rows: np.ndarray, *, key: str) -> np.ndarray:
    """Draw the map; the projected rows the user selected in it (box or lasso), or none."""
    result = _renderer()(data=payload, key=key, default={"selection": None}, on_selection_change=lambda: None, height="content")
    return selected_rows(result.get("selection"), figure_id, rows)


def selected_rows(selection: dict | None, figure_id: str, rows: np.ndarray) -> np.ndarray:
    """The projected rows of a selection the map sent back; none when it belongs to another figure or is malformed."""
    if not isinstance(selection, dict) or selection.get("figure") != figure_id:
        return np.array([], dtype=np.int64)
    positions = np.array([p for p in selection.get("points") or [] if isinstance(p, int) and 0 <= p < len(rows)], dtype=np.int64)
    return np.unique(np.asarray(rows, dtype=np.int64)[positions])
