"""The Sentiment lab's charts: class counts, the live training curves and the confusion matrices.

The live curves are redrawn while a job runs, so they are built with `plotly.graph_objects` directly:
about 7 ms a figure where `plotly.express` takes 65 ms (measured), time the training thread would
otherwise wait for the GIL.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from engine.sentiment.data import LabelledTexts
from engine.sentiment.evaluate import Scores
from pages._chart_text import plain

MARGIN = dict(l=10, r=10, t=50, b=10)


def class_counts(dataset: LabelledTexts) -> go.Figure:
    chart = px.bar(dataset.counts(), x="label", y="texts", text="texts", hover_data={"share": ":.1%"},
                   title=f"{plain(dataset.name)}: {len(dataset):,} texts in {dataset.n_classes} classes")
    chart.update_layout(height=260, margin=dict(l=10, r=10, t=40, b=10), xaxis_title="class", yaxis_title="texts")
    return chart


def loss_curves(train_rows: pd.DataFrame) -> go.Figure:
    """One line per model: the running mean of the training loss against the fractional epoch."""
    figure = go.Figure(layout=dict(title=dict(text="Training loss (running mean in each epoch)"), margin=MARGIN,
                                   xaxis=dict(title=dict(text="epoch")), yaxis=dict(title=dict(text="loss"))))
    for model, rows in train_rows.groupby("model", sort=False):
        figure.add_scatter(x=rows["progress"].to_numpy(), y=rows["loss"].to_numpy(), mode="lines" if len(rows) > 1 else "markers", name=model,
                           customdata=rows[["epoch", "batch", "accuracy"]].to_numpy(),
                           hovertemplate="epoch %{customdata[0]}, batch %{customdata[1]}<br>loss %{y:.3f}<br>"
                                         "accuracy %{customdata[2]:.1%}<extra>%{fullData.name}</extra>")
    return figure


def accuracy_curves(valid_rows: pd.DataFrame) -> go.Figure:
    """One line per model: validation accuracy after each epoch, the axis never below 0 % nor past 100 %."""
    figure = go.Figure(layout=dict(title=dict(text="Validation accuracy"), margin=MARGIN,
                                   xaxis=dict(title=dict(text="epoch"), dtick=1),
                                   yaxis=dict(title=dict(text="accuracy"), tickformat=".0%",
                                              autorangeoptions=dict(clipmin=0, clipmax=1))))
    for model, rows in valid_rows.groupby("model", sort=False):
        figure.add_scatter(x=rows["epoch"].to_numpy(), y=rows["valid_accuracy"].to_numpy(), mode="lines+markers",
                           name=model, customdata=rows[["valid_loss", "epoch_seconds"]].to_numpy(),
                           hovertemplate="epoch %{x}: accuracy %{y:.1%}<br>validation loss %{customdata[0]:.3f}<br>"
                                         "%{customdata[1]:.1f} s<extra>%{fullData.name}</extra>")
    return figure


def confusion(scores: Scores, title: str) -> go.Figure:
    heat = px.imshow(scores.confusion_frame(), text_auto=True, color_continuous_scale="Blues",
                     title=f"{plain(title)}: accuracy {scores.accuracy:.1%}", labels={"x": "predicted", "y": "true", "color": "texts"})
    heat.update_layout(height=200 + 60 * len(scores.label_names), margin=MARGIN)
    return heat
