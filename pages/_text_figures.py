"""Figures and tables for the Text → vectors page: one-hot grids, count matrices, collision curves, cosines.

Kept apart from the page so the page reads as the lecture's order of widgets and explanations; nothing
here computes, it only lays out what the engine returned (engine.text, one_hot, hashing_trick, dense_embeddings).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from engine import dense_embeddings, hashing_trick, one_hot
from pages._chart_text import plain

_HOT = [[0.0, "#f1f3f5"], [1.0, "#1c7ed6"]]
_ANNOTATE_CELLS = 700  # print numbers in the cells only while they stay legible


def _plain(labels: Sequence[str], width: int = 30) -> list[str]:
    """Axis labels: shortened to `width`, kept distinct (plotly merges equal categories), then escaped."""
    shown: list[str] = []
    seen: set[str] = set()
    for label in labels:
        label = label if len(label) <= width else label[: width - 1] + "…"
        while label in seen:
            label += "\u200b"  # a zero-width space: looks the same, stays its own category
        seen.add(label)
        shown.append(plain(label))
    return shown


def _axis_labels_height(labels: Sequence[str]) -> int:
    return min(160, 7 * max((len(label) for label in labels), default=1) + 20)


def one_hot_heatmap(hot: np.ndarray, rows: Sequence[str], columns: Sequence[str], title: str) -> go.Figure:
    """A (positions, columns) 0/1 grid: one row per token position, one column per vocabulary entry."""
    figure = go.Figure(go.Heatmap(
        z=hot, x=_plain(columns), y=_plain(rows), colorscale=_HOT, zmin=0, zmax=1, showscale=False, xgap=1, ygap=1,
        hovertemplate="position: %{y}<br>column: %{x}<br>value: %{z:.0f}<extra></extra>",
    ))
    figure.update_layout(
        title=plain(title), margin=dict(l=10, r=10, t=50, b=10),
        height=90 + (22 if len(rows) <= 20 else 15) * len(rows) + _axis_labels_height(columns),
        xaxis=dict(title="one-hot column (index · entry)", type="category", tickangle=-60, dtick=1,
                   tickfont=dict(size=10)),
        yaxis=dict(title="position · token", type="category", autorange="reversed",
                   dtick=1 if len(rows) <= 30 else None),
    )
    return figure


def count_heatmap(counts: np.ndarray, documents: Sequence[str], terms: Sequence[str], title: str) -> go.Figure:
    """A document × term count matrix with the counts written in the cells when there is room."""
    annotate = counts.size <= _ANNOTATE_CELLS
    figure = go.Figure(go.Heatmap(
        z=counts, x=_plain(terms), y=_plain(documents), colorscale="Blues", zmin=0, xgap=1, ygap=1,
        text=counts if annotate else None, texttemplate="%{text}" if annotate else None,
        colorbar=dict(title="count"), hovertemplate="%{y}<br>term: “%{x}”<br>count: %{z}<extra></extra>",
    ))
    figure.update_layout(
        title=plain(title), margin=dict(l=10, r=10, t=50, b=10),
        height=max(300, 110 + 30 * len(documents) + _axis_labels_height(terms)),
        xaxis=dict(title="n-gram (term)", type="category", tickangle=-60, dtick=1, tickfont=dict(size=10)),
        yaxis=dict(title="sample", type="category", autorange="reversed", dtick=1, tickfont=dict(size=10)),
    )
    return figure


def collision_chart(rows: Sequence[dict[str, float]], chosen: int, tokens: int) -> go.Figure:
    """Measured collision rate against dimensionality, beside the random-hash expectation and the birthday bound."""
    dims = [row["dimensionality"] for row in rows]
    figure = go.Figure()
    styles = {
        "measured": dict(mode="lines+markers", line=dict(color="#1c7ed6", width=2)),
        "expected": dict(mode="lines", line=dict(color="#e8590c", dash="dash")),
        "any collision (birthday)": dict(mode="lines", line=dict(color="#868e96", dash="dot")),
    }
    names = {
        "measured": "measured: tokens sharing a bucket",
        "expected": "expected: 1 − (1 − 1/d)^(n−1)",
        "any collision (birthday)": "birthday bound: P(at least one collision)",
    }
    for column, style in styles.items():
        figure.add_trace(go.Scatter(
            x=dims, y=[row[column] for row in rows], name=names[column], **style,
            hovertemplate="d = %{x:,}<br>%{y:.1%}<extra>" + names[column] + "</extra>",
        ))
    # A trace, not add_vline: on a log axis a shape's x is read as log10(x).
    figure.add_trace(go.Scatter(x=[chosen, chosen], y=[0, 1], mode="lines", name=f"your d = {chosen:,}",
                                line=dict(color="#2b8a3e", width=1.5), hoverinfo="skip"))
    figure.update_layout(
        title=f"Collisions among {tokens:,} distinct tokens as the dimensionality grows", height=420,
        margin=dict(l=10, r=10, t=50, b=10), legend=dict(orientation="h", y=-0.25),
        xaxis=dict(title="hashing dimensionality d (log scale)", type="log"),
        yaxis=dict(title="fraction", tickformat=".0%", range=[-0.02, 1.02]),
    )
    return figure


def cosine_heatmap(cosines: np.ndarray, words: Sequence[str], title: str) -> go.Figure:
    """A symmetric word × word cosine matrix on a fixed −1..1 scale, so two tables compare by eye."""
    annotate = len(words) <= 12
    figure = go.Figure(go.Heatmap(
        z=cosines, x=_plain(words), y=_plain(words), colorscale="RdBu", reversescale=True, zmin=-1, zmax=1, zmid=0,
        texttemplate="%{z:.1f}" if annotate else None, textfont=dict(size=11),
        colorbar=dict(title="cosine"), hovertemplate="%{y} · %{x}<br>cosine %{z:.3f}<extra></extra>",
    ))
    figure.update_layout(
        title=plain(title), height=160 + (32 if annotate else 18) * len(words), margin=dict(l=10, r=10, t=50, b=10),
        xaxis=dict(type="category", tickangle=-60, dtick=1), yaxis=dict(type="category", autorange="reversed", dtick=1),
    )
    return figure


def vocabulary_frame(vocabulary: one_hot.OneHotVocabulary) -> pd.DataFrame:
    """Index, token and count of every vocabulary entry."""
    return pd.DataFrame({"index": range(len(vocabulary)), "token": vocabulary.tokens,
                         "count": [vocabulary.counts.get(token, 0) for token in vocabulary.tokens]})


def collisions_frame(found: hashing_trick.Collisions) -> pd.DataFrame:
    """One row per shared bucket, largest first."""
    return pd.DataFrame({"bucket": [found.buckets[group[0]] for group in found.groups],
                         "tokens": [len(group) for group in found.groups], "tokens sharing it": found.groups})


def memory_frame(rows: Sequence[dense_embeddings.MemoryRow], batch_tokens: int) -> pd.DataFrame:
    """The memory comparison with sizes in KiB/MiB/GiB."""
    return pd.DataFrame([{
        "vocabulary": f"{row.vocabulary:,}", "representation": row.representation,
        "values per token": row.values_per_token, "non-zero per token": row.non_zero_per_token,
        "float32 per token": one_hot.human_bytes(row.bytes_per_token),
        f"your batch ({batch_tokens:,} positions)": one_hot.human_bytes(row.batch_bytes),
        "table to store": one_hot.human_bytes(row.parameter_bytes),
        "shared slots": f"{row.expected_shared_slot:.0%}",
    } for row in rows])
