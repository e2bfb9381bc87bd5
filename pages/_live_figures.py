"""The Live sentiment page's charts: one text's class probabilities, its deletion curves, and a file's labels."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from engine.attribution import DeletionCurve
from engine.sentiment.explain import RANDOM_ORDER
from engine.sentiment.predict import Prediction

_PREDICTED, _OTHER = "#4C5FD5", "#B9BEDC"
# Chart colours for the usual sentiment names; other labels get plotly's palette.
LABEL_COLOURS = {"negative": "#D9534F", "neutral": "#9AA0B4", "positive": "#3C9D5D"}


def probabilities_figure(prediction: Prediction) -> go.Figure:
    """Horizontal bars, one per class, the predicted class in the theme's colour."""
    classes, values = list(prediction.probabilities), list(prediction.probabilities.values())
    figure = px.bar(x=values, y=classes, orientation="h", title="Class probabilities",
                    text=[f"{p:.1%}" for p in values], labels={"x": "probability", "y": "class"})
    figure.update_traces(marker_color=[_PREDICTED if name == prediction.label else _OTHER for name in classes],
                         hovertemplate="%{y}: %{x:.1%}<extra></extra>")
    figure.update_layout(height=90 + 36 * len(classes), margin=dict(l=10, r=10, t=40, b=10), xaxis_range=[0, 1],
                         xaxis_tickformat=".0%")
    return figure


def distribution_figure(counts: pd.DataFrame) -> go.Figure:
    """Texts per predicted label (every class shown, zeros included); sentiment names get sentiment colours."""
    figure = px.bar(counts, x="label", y="documents", color="label", text="documents", color_discrete_map=LABEL_COLOURS,
                    hover_data={"share": ":.1%", "label": False},
                    title=f"{counts['documents'].sum():,} texts by predicted label")
    figure.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10), xaxis_title="predicted label",
                         yaxis_title="texts", showlegend=False)
    return figure


# Colour and dash per method: rankings that agree draw the same curve, and the dashes keep each one visible.
_METHOD_STYLES = (("#4C5FD5", "solid", "circle"), ("#E07B39", "dot", "diamond"), ("#2A9D8F", "dashdot", "square"))


def deletion_figure(curves: dict[str, DeletionCurve], label: str) -> go.Figure:
    """P(label) as each method's top words are removed; the random order dashed grey, the floor to beat."""
    figure = go.Figure()
    methods = [name for name in curves if name != RANDOM_ORDER]
    for name, (colour, dash, symbol) in zip(methods, _METHOD_STYLES):
        curve = curves[name]
        figure.add_trace(go.Scatter(x=curve.removed, y=curve.probability, mode="lines+markers", name=f"{name} (area {curve.area:.2f})",
                                    line=dict(color=colour, dash=dash, width=2), marker=dict(symbol=symbol, size=7)))
    floor = curves[RANDOM_ORDER]
    figure.add_trace(go.Scatter(x=floor.removed, y=floor.probability, mode="lines", name=f"{RANDOM_ORDER} (area {floor.area:.2f})",
                                line=dict(color="#9AA0B4", dash="dash")))
    figure.update_layout(title="Deletion curves", height=330,
                         margin=dict(l=10, r=10, t=40, b=10), xaxis_title="top-ranked words removed",
                         yaxis_title=f"P({label})", yaxis_range=[0, 1], yaxis_tickformat=".0%",
                         legend=dict(orientation="h", yanchor="top", y=-0.25), hovermode="x unified")
    figure.update_traces(hovertemplate="%{y:.1%}")
    return figure
