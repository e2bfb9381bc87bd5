"""Plotly figures for the Train Word2Vec page: the Zipf plot, the loss curve, the 2-D word map, the training film."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


def film_figure(coordinates: np.ndarray, words: list[str], fractions: list[float], *, colours: list[str],
                labels: list[str], sizes: list[float], title: str) -> go.Figure:
    """The training film: one frame per snapshot (coordinates (frames, words, 2)), a slider and Play/Pause.

    Axes are fixed over all frames, so a word's motion on screen is its motion in the aligned space.
    """
    low, high = coordinates.min(axis=(0, 1)), coordinates.max(axis=(0, 1))
    pad = (high - low) * 0.06 + 1e-9

    names = [f"{fraction:.0%}" for fraction in fractions]
    play = dict(frame=dict(duration=700, redraw=False), transition=dict(duration=450, easing="cubic-in-out"),
                fromcurrent=True, mode="immediate")
    first = go.Scatter(x=coordinates[0, :, 0], y=coordinates[0, :, 1], mode="markers+text", text=labels, hovertext=words,
                       hovertemplate="%{hovertext}<extra></extra>", textposition="top center",
                       textfont=dict(size=11, color="#1F2333"), marker=dict(color=colours, size=sizes, opacity=0.85))
    # A frame carries only the new positions; plotly keeps the first trace's labels and colours (and validating
    # 11 copies of 2,000 colours took 1.9 s of the 2.0 s this figure cost).
    frames = [go.Frame(data=[go.Scatter(x=coordinates[i, :, 0], y=coordinates[i, :, 1])], name=name)
              for i, name in enumerate(names)]
    figure = go.Figure(data=[first], frames=frames)
    figure.update_layout(
        title=dict(text=plain(title)), height=640, margin=dict(l=10, r=10, t=50, b=110), showlegend=False,
        xaxis=dict(title=dict(text="PCA 1 of the last frame"), range=[low[0] - pad[0], high[0] + pad[0]], zeroline=False),
        yaxis=dict(title=dict(text="PCA 2 of the last frame"), range=[low[1] - pad[1], high[1] + pad[1]], zeroline=False),
        updatemenus=[dict(type="buttons", direction="left", x=0, y=-0.13, xanchor="left", yanchor="top", showactive=False,
                          pad=dict(r=10, t=10),
                          buttons=[dict(label="▶ Play", method="animate", args=[None, play]),
                                   dict(label="❚❚ Pause", method="animate",
                                        args=[[None], dict(frame=dict(duration=0, redraw=False), mode="immediate")])])],
        sliders=[dict(active=0, x=0.16, len=0.84, y=-0.09, yanchor="top", pad=dict(t=20, b=10),
                      currentvalue=dict(prefix="trained on ", suffix=" of the corpus words", font=dict(size=14)),
                      steps=[dict(label=name, method="animate",
                                  args=[[name], dict(frame=dict(duration=0, redraw=False), transition=dict(duration=300),
                                                     mode="immediate")]) for name in names])],
    )
    return figure


def film_score_figure(fractions: list[float], scores: list[dict], reference: dict | None, current: int) -> go.Figure:
    """WordSim-353 ρ and Google-analogy accuracy after each tenth of training, GloVe's on the same words dashed."""
    figure = make_subplots(rows=1, cols=2, subplot_titles=("WordSim-353 Spearman ρ", "Google analogies accuracy"),
                           horizontal_spacing=0.12)
    percent = [100 * fraction for fraction in fractions]
    for column, metric in enumerate(("wordsim_spearman", "analogy_accuracy"), start=1):
        values = [np.nan if row.get(metric) is None else row[metric] for row in scores]
        figure.add_scatter(x=percent, y=values, mode="lines+markers", name="this model", row=1, col=column,
                           line=dict(color="#3366CC"), hovertemplate="%{x:.0f} %: %{y:.3f}<extra></extra>",
                           showlegend=column == 1)
        figure.add_scatter(x=[percent[current]], y=[values[current]], mode="markers", row=1, col=column, showlegend=False,
                           marker=dict(size=14, color="rgba(0,0,0,0)", line=dict(color="#DC3912", width=2)),
                           hoverinfo="skip")
        if reference is not None and reference.get(metric) is not None:
            figure.add_hline(y=reference[metric], line=dict(color="#888888", dash="dash"), row=1, col=column,
                             annotation_text="GloVe 6B 50d", annotation_position="bottom right")
        figure.update_xaxes(title_text="% of training", range=[-3, 103], row=1, col=column)
    figure.update_layout(height=300, margin=dict(l=10, r=10, t=40, b=10), showlegend=False)
    return figure
