"""The Live sentiment page's two charts: one text's class probabilities, and a file's labels."""

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

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
