"""Figures for the Analogies page: the arithmetic in 2-D, odd one out, accuracy per section, human scores vs cosine.

Kept apart from the page so the page reads as its three tools; nothing here computes, it only lays out
what engine.analogies and engine.benchmarks returned. Every word shown passes through `plain`.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from engine import analogies, benchmarks
from engine.vectors import Neighbours
from pages._chart_text import plain

ROLE_COLOURS = {"input": "#1f77b4", "answer": "#d62728", "neighbour": "#b0b0b0"}
_ARROW = "#ff7f0e"


def picture_figure(picture: analogies.Picture, title: str) -> go.Figure:
    """Inputs, answers and neighbours on the two PCA axes, with the arithmetic drawn as arrows."""
    frame = pd.DataFrame(picture.points)
    figure = go.Figure()
    for role, colour in ROLE_COLOURS.items():
        part = frame[frame.role == role]
        figure.add_trace(go.Scatter(x=part.x, y=part.y, mode="markers+text", name=role, text=part.word.map(plain),
                                    textposition="top center", marker=dict(color=colour, size=11 if role != "neighbour" else 7),
                                    hovertemplate="%{text}<br>PC1 %{x:.2f} · PC2 %{y:.2f}<extra>" + role + "</extra>"))
    for arrow in picture.arrows:
        figure.add_annotation(x=arrow["x1"], y=arrow["y1"], ax=arrow["x0"], ay=arrow["y0"], xref="x", yref="y", axref="x",
                              ayref="y", showarrow=True, arrowhead=3, arrowwidth=2, arrowcolor=_ARROW,
                              hovertext=plain(f"{arrow['start']} → {arrow['end']}"), text="")
    end = picture.arrows[-1]
    figure.add_trace(go.Scatter(x=[end["x1"]], y=[end["y1"]], mode="markers+text", name="computed point", text=[plain(end["end"])],
                                textposition="bottom center", marker=dict(symbol="x", size=12, color=_ARROW),
                                hovertemplate="%{text}<extra>computed</extra>"))
    first, second = picture.explained
    figure.update_layout(title=f"{plain(title)} · PCA keeps {first + second:.0%} of the variance", height=520,
                         xaxis_title=f"PC1 ({first:.0%})", yaxis_title=f"PC2 ({second:.0%})", margin=dict(t=60, b=10))
    return figure


def odd_one_out_figure(ranking: Neighbours) -> go.Figure:
    """Each word's cosine to the group's mean direction; the last of `ranking` is the odd one out."""
    odd = pd.DataFrame(ranking, columns=["word", "cosine to the mean"])
    odd["role"] = ["fits"] * (len(odd) - 1) + ["odd one out"]
    odd["word"] = odd.word.map(plain)
    return px.bar(odd, x="cosine to the mean", y="word", color="role", orientation="h", range_x=[-1, 1],
                  color_discrete_map={"fits": "#1f77b4", "odd one out": "#d62728"},
                  title="Closeness to the group's mean direction")


def section_frame(names: list[str], reports: list[benchmarks.AnalogyReport]) -> pd.DataFrame:
    """One row per (embedding set, section) with its accuracy and counts."""
    return pd.DataFrame([{"section": s.name, "set": name, "accuracy": s.accuracy, "correct": s.correct,
                          "answered": s.answered, "skipped": s.skipped}
                         for name, report in zip(names, reports) for s in report.sections])


def sections_figure(sections: pd.DataFrame) -> go.Figure:
    """Accuracy per Google section, one bar per embedding set, sections top to bottom in file order."""
    shown = sections.assign(section=sections.section.map(plain), set=sections.set.map(plain))
    figure = px.bar(shown, x="accuracy", y="section", color="set", barmode="group", orientation="h", range_x=[0, 1],
                    hover_data=["correct", "answered", "skipped"], title="Accuracy per section", height=560)
    return figure.update_yaxes(categoryorder="array", categoryarray=shown.section.unique()[::-1])


def pairs_figure(report: benchmarks.PairReport) -> go.Figure:
    """Human similarity score against cosine for every pair used in the correlation."""
    scatter = pd.DataFrame(report.used, columns=["first", "second", "human score", "cosine"])
    scatter["pair"] = (scatter["first"] + " – " + scatter["second"]).map(plain)
    return px.scatter(scatter, x="human score", y="cosine", hover_name="pair",
                      title=f"{plain(report.set_name)} on {plain(report.embeddings)}: Spearman {report.spearman:.4f}")
