"""Plotly figures for the Train Word2Vec page: the Zipf plot, the loss curve, the 2-D word map."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from pages._chart_text import plain


def zipf_figure(table: pd.DataFrame, corpus_name: str) -> go.Figure:
    """Count against rank on log-log axes; Zipf's law draws a falling straight line."""
    figure = px.scatter(table, x="rank", y="count", log_x=True, log_y=True, hover_name="word",
                        hover_data={"frequency": ":.5f"}, title=f"Zipf plot · {plain(corpus_name)}",
                        labels={"rank": "rank (log)", "count": "count (log)"}, render_mode="webgl")
    figure.update_traces(marker=dict(size=4))
    figure.update_layout(height=360, margin=dict(l=10, r=10, t=50, b=10))
    return figure


def loss_figure(points: list[dict], title: str) -> go.Figure:
    """Training loss per corpus word against corpus words processed."""
    table = pd.DataFrame([p for p in points if "loss" in p], columns=["words", "loss"])
    # graph_objects, not plotly.express: redrawn live while training, at a seventh of the cost.
    return go.Figure(go.Scatter(x=table["words"].to_numpy(), y=table["loss"].to_numpy(), mode="lines+markers" if len(table) < 30 else "lines",
                                hovertemplate="%{x:,} words: loss %{y:.3f}<extra></extra>"),
                     layout=dict(title=dict(text=plain(title)), height=320, margin=dict(l=10, r=10, t=50, b=10),
                                 xaxis=dict(title=dict(text="corpus words processed")),
                                 yaxis=dict(title=dict(text="loss per corpus word"))))


def map_figure(table: pd.DataFrame, title: str, labelled: int = 40) -> go.Figure:
    """Words as points in 2-D; the most frequent `labelled` carry their word as a label, all as hover text."""
    figure = px.scatter(table, x="x", y="y", hover_name="word", hover_data={"rank": True, "x": False, "y": False},
                        color="rank", color_continuous_scale="Viridis_r", title=plain(title),
                        labels={"x": "PCA 1", "y": "PCA 2", "rank": "frequency rank"})
    top = table.head(labelled)
    figure.add_scatter(x=top["x"], y=top["y"], text=top["word"], mode="text", textposition="top center",
                       textfont=dict(size=11, color="#1F2333"), hoverinfo="skip", showlegend=False)
    figure.update_layout(height=520, margin=dict(l=10, r=10, t=50, b=10))
    return figure
